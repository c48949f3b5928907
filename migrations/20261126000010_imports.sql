-- Lists of people imported from CSV files. The file itself is kept until the import is done, so
-- an import a crash interrupted resumes where its last committed rows end.
CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    -- SHA-256 of the file: the same file imported again is the same import.
    file_hash TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    content BLOB,
    encoding TEXT NOT NULL,
    delimiter TEXT NOT NULL,
    -- JSON array: what each column is read into.
    mapping TEXT NOT NULL,
    total_rows INTEGER NOT NULL,
    done_rows INTEGER NOT NULL DEFAULT 0,
    -- 'ready' (previewed), 'running', 'done'
    status TEXT NOT NULL,
    -- When the next listed person arrives (their first call falls due from then).
    next_arrival TEXT,
    started_at TEXT,
    finished_at TEXT
);

-- What became of each row: 'imported' (a new lead), 'repeat' (linked to the person's lead),
-- 'rejected' (with the reason).
CREATE TABLE import_rows (
    import_id TEXT NOT NULL REFERENCES imports (id),
    row_no INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    lead_id TEXT,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, row_no)
) WITHOUT ROWID;
