//! Reading a list of people from a CSV file as spreadsheets and trade-show scanners export it:
//! UTF-8 with or without a byte-order mark, or Latin-1; commas, semicolons or tabs; a header
//! row whose names say what each column holds. Each column is read into an inquiry field
//! (guessed from its header, changeable), kept as a note in the message, or skipped.

use crate::domain::form_fields;
use crate::domain::intake::RawInquiry;
use chrono::Duration;
use std::borrow::Cow;

/// The most rows one list may have.
pub const MOST_ROWS: usize = 100_000;

/// The inquiry fields a column can be read into: (key, what people call it).
pub const FIELDS: [(&str, &str); 11] = [
    ("name", "Name"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("company", "Company"),
    ("message", "Message"),
    ("timeframe", "Timeframe"),
    ("country", "Country"),
    ("region", "Region / state"),
    ("postcode", "Postcode"),
];
/// A column kept in the message as "Header: value".
pub const NOTE: &str = "note";
/// A column left out.
pub const SKIP: &str = "skip";

/// A list as read: its header and rows (each as long as the header), and how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// "UTF-8" or "Latin-1".
    pub encoding: &'static str,
    /// ',', ';' or '\t'.
    pub delimiter: char,
}

/// Why a file is not a list at all (a bad row is reported with the row, not here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file has a header row but no people under it.")]
    NoRows,
    #[error(
        "The file has {0} rows; a list can have at most 100,000. Split it and import each part."
    )]
    TooManyRows(usize),
    #[error("The file could not be read as CSV: {0}")]
    Unreadable(String),
    #[error("This is not a CSV file ({0}): save the list as \"CSV UTF-8\" and upload that.")]
    NotText(&'static str),
    #[error("Row {0} opens a quote (\") that is never closed, so the rest of the file would be one cell: close it, or save the list again as CSV.")]
    OpenQuote(usize),
    #[error("The file has {0} columns; a list can have at most 200.")]
    TooManyColumns(usize),
}

/// The most columns one list may have.
pub const MOST_COLUMNS: usize = 200;

/// Why `bytes` are not a text file at all, if they are not: a spreadsheet workbook, UTF-16
/// text, or binary data.
fn not_text(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some("an Excel or other zipped workbook")
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        Some("an old Excel workbook")
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        Some("UTF-16 text")
    } else if bytes.contains(&0) {
        Some("binary data")
    } else {
        None
    }
}

/// Reads `bytes` as a list.
pub fn read(bytes: &[u8]) -> Result<List, ListError> {
    read_rows(bytes, None)
}

/// The header and the first `rows` rows of a list [`read`] took whole before (a preview): the
/// rest of the file is not parsed.
pub fn read_head(bytes: &[u8], rows: usize) -> Result<List, ListError> {
    read_rows(bytes, Some(rows))
}

fn read_rows(bytes: &[u8], head: Option<usize>) -> Result<List, ListError> {
    if let Some(what) = not_text(bytes) {
        return Err(ListError::NotText(what));
    }
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(ListError::Empty);
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        None => return Err(ListError::Empty),
        Some(Err(e)) => return Err(ListError::Unreadable(e.to_string())),
        Some(Ok(record)) => record.iter().map(|h| h.trim().to_string()).collect(),
    };
    if headers.len() > MOST_COLUMNS {
        return Err(ListError::TooManyColumns(headers.len()));
    }
    let mut rows = Vec::new();
    // Where the last record starts, and whether a cell of it spans lines.
    let mut last = (0, false);
    for record in records {
        let record = record.map_err(|e| ListError::Unreadable(e.to_string()))?;
        if record.len() > MOST_COLUMNS {
            return Err(ListError::TooManyColumns(record.len()));
        }
        last = (
            record
                .position()
                .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)),
            record.iter().any(|cell| cell.contains('\n')),
        );
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if Some(rows.len()) == head {
            return Ok(List {
                headers,
                rows,
                encoding,
                delimiter: char::from(delimiter),
            });
        }
        if rows.len() == MOST_ROWS {
            return Err(ListError::TooManyRows(MOST_ROWS + 1));
        }
        let mut row: Vec<String> = record.iter().map(str::to_string).collect();
        row.resize(headers.len().max(row.len()), String::new());
        rows.push(row);
    }
    // A quote that opens and never closes swallows the rest of the file into the last record.
    let (last_start, spans_lines) = last;
    if spans_lines && text.get(last_start..).unwrap_or("").matches('"').count() % 2 == 1 {
        return Err(ListError::OpenQuote(rows.len().max(1)));
    }
    if rows.is_empty() {
        return Err(ListError::NoRows);
    }
    Ok(List {
        headers,
        rows,
        encoding,
        delimiter: char::from(delimiter),
    })
}

/// The file's text: UTF-8 (a leading byte-order mark dropped) when it is valid UTF-8, else
/// Latin-1 (every byte one character, so nothing is lost).
fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), "UTF-8"),
        Err(_) => (
            Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
            "Latin-1",
        ),
    }
}

/// The separator the header row uses most, outside quotes: comma, semicolon or tab.
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let mut quoted = false;
    let mut counts = [0usize; 3];
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// What each column is read into, guessed from its header: a field whose name it carries,
/// else a note. A field two columns both name goes to the first.
pub fn guess(headers: &[String]) -> Vec<String> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|header| match form_fields::field_key(header) {
            Some(key) if !taken.contains(&key) => {
                taken.push(key);
                key.to_string()
            }
            _ if header.trim().is_empty() => SKIP.to_string(),
            _ => NOTE.to_string(),
        })
        .collect()
}

/// Whether `key` is something a column can be read into.
pub fn is_column_key(key: &str) -> bool {
    key == NOTE || key == SKIP || FIELDS.iter().any(|(k, _)| *k == key)
}

/// What is wrong with a mapping as a whole, in words (empty when it can be imported).
pub fn mapping_problems(headers: &[String], mapping: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    if mapping.len() != headers.len() || !mapping.iter().all(|key| is_column_key(key)) {
        problems.push("Choose what each column holds.".to_string());
        return problems;
    }
    for (key, label) in FIELDS {
        let columns = mapping.iter().filter(|m| *m == key).count();
        if columns > 1 {
            problems.push(format!("Two columns are read as {label}: choose one."));
        }
    }
    if !mapping.iter().any(|m| m == "email" || m == "phone") {
        problems.push(
            "No column is read as Email or Phone: every person needs one to be followed up."
                .to_string(),
        );
    }
    problems
}

/// One row read into an inquiry under `mapping`: mapped fields in place, notes added to the
/// message as "Header: value" lines.
pub fn inquiry(headers: &[String], mapping: &[String], row: &[String]) -> RawInquiry {
    let fields = mapping
        .iter()
        .zip(row)
        .filter(|(key, _)| FIELDS.iter().any(|(k, _)| k == key))
        .map(|(key, value)| (key.as_str(), value.as_str()));
    let mut raw = form_fields::from_fields(fields);
    let mut notes: Vec<String> = headers
        .iter()
        .zip(mapping)
        .zip(row)
        .filter(|((_, key), value)| *key == NOTE && !value.trim().is_empty())
        .map(|((header, _), value)| {
            let header = if header.trim().is_empty() {
                "Note"
            } else {
                header.trim()
            };
            format!("{header}: {}", value.trim())
        })
        .collect();
    // Cells past the header's last column are kept too.
    notes.extend(
        row.iter()
            .skip(mapping.len())
            .filter(|value| !value.trim().is_empty())
            .map(|value| format!("Extra cell: {}", value.trim())),
    );
    if !notes.is_empty() {
        let mut message = raw.message.take().unwrap_or_default();
        for note in notes {
            if !message.is_empty() {
                message.push('\n');
            }
            message.push_str(&note);
        }
        raw.message = Some(message);
    }
    raw
}

/// New first calls one rep makes in a working hour from a list (one every ten minutes: look
/// the person up, call, leave a message, log it).
pub const FIRST_CALLS_PER_REP_HOUR: i64 = 6;

/// The working time between two listed people's arrival, so that `reps` reps get their first
/// calls at a pace they can keep: a 5,000-row list is never 5,000 calls due in five minutes.
pub fn arrival_gap(reps: usize) -> Duration {
    let per_hour = FIRST_CALLS_PER_REP_HOUR * i64::try_from(reps.max(1)).unwrap_or(i64::MAX);
    Duration::milliseconds(3_600_000 / per_hour)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_arrives_at_six_first_calls_an_hour_per_rep() {
        assert_eq!(arrival_gap(1), Duration::minutes(10));
        assert_eq!(arrival_gap(3), Duration::seconds(200));
        assert_eq!(
            arrival_gap(0),
            Duration::minutes(10),
            "no rep: paced as for one"
        );
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn commas_semicolons_and_tabs_are_each_read_with_quotes_kept_whole() {
        for (file, delimiter) in [
            ("Name,Email\n\"Lee, Ann\",ann@acme.test\n", ','),
            ("Name;Email\nLee, Ann;ann@acme.test\n", ';'),
            ("Name\tEmail\n\"Lee, Ann\"\tann@acme.test\n", '\t'),
        ] {
            let list = read(file.as_bytes()).expect("a list");
            assert_eq!(list.delimiter, delimiter);
            assert_eq!(list.headers, strings(&["Name", "Email"]));
            assert_eq!(list.rows.len(), 1);
        }
        let list = read(b"Name,Email\n\"Lee, Ann\",ann@acme.test\n").expect("a list");
        assert_eq!(list.rows[0], strings(&["Lee, Ann", "ann@acme.test"]));
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_latin_1_keeps_its_accents() {
        let list = read("\u{feff}Email,Name\nzoe@acme.test,Zoë\n".as_bytes()).expect("UTF-8");
        assert_eq!(list.headers[0], "Email");
        assert_eq!(list.encoding, "UTF-8");
        assert_eq!(list.rows[0][1], "Zoë");
        let latin1 = b"Email;Name\nzoe@acme.test;Zo\xEB M\xFCller\n";
        let list = read(latin1).expect("Latin-1");
        assert_eq!(list.encoding, "Latin-1");
        assert_eq!(list.rows[0][1], "Zoë Müller");
    }

    #[test]
    fn short_rows_are_padded_blank_lines_skipped_and_empty_files_refused() {
        let list = read(b"Name,Email,Phone\nAnn,ann@acme.test\n\n,,\nBo,bo@acme.test,555\n")
            .expect("a list");
        assert_eq!(list.rows.len(), 2);
        assert_eq!(list.rows[0], strings(&["Ann", "ann@acme.test", ""]));
        assert_eq!(read(b""), Err(ListError::Empty));
        assert_eq!(read(b" \n"), Err(ListError::Empty));
        assert_eq!(read(b"Name,Email\n"), Err(ListError::NoRows));
    }

    #[test]
    fn workbooks_utf_16_binary_open_quotes_and_too_many_columns_are_refused_in_words() {
        let refused = |bytes: &[u8]| read(bytes).expect_err("refused").to_string();
        assert!(refused(b"PK\x03\x04rest of a zip").contains("Excel"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Email\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert!(refused(&utf16).contains("UTF-16"));
        assert!(refused(b"Email\na\x00b@c.test\n").contains("binary"));
        let open = refused(b"Name,Email\n\"Open Quote,oq@x.com\nAfter Open,ao@x.com\n");
        assert!(open.starts_with("Row 1 opens a quote"), "{open}");
        let wide = format!(
            "{}\n{}\n",
            vec!["h"; 201].join(","),
            vec!["v"; 201].join(",")
        );
        assert!(refused(wide.as_bytes()).contains("at most 200"));
        // A quoted note over two lines, and a stray inch mark, are fine.
        let fine = read(b"Name,Email,Note\nAnn,a@b.test,\"two\nlines\"\nBo 5\" tall,b@b.test,x\n")
            .expect("a list");
        assert_eq!(fine.rows.len(), 2);
        assert_eq!(fine.rows[0][2], "two\nlines");
    }

    #[test]
    fn more_than_100_000_rows_is_refused_in_words() {
        let mut file = String::from("Email\n");
        for n in 0..=MOST_ROWS {
            file.push_str(&format!("p{n}@acme.test\n"));
        }
        let refused = read(file.as_bytes()).expect_err("too long");
        assert!(refused.to_string().contains("at most 100,000"), "{refused}");
        // A preview reads only the head it shows.
        let head = read_head(file.as_bytes(), 10).unwrap();
        assert_eq!(head.rows.len(), 10);
        assert_eq!(head.rows[9], vec!["p9@acme.test".to_string()]);
    }

    #[test]
    fn columns_are_guessed_from_headers_as_people_write_them() {
        let headers = strings(&[
            "First Name",
            "Last Name",
            "E-mail Address",
            "Mobile",
            "Company",
            "Booth notes",
            "",
            "Email",
        ]);
        assert_eq!(
            guess(&headers),
            strings(&[
                "first_name",
                "last_name",
                "email",
                "phone",
                "company",
                NOTE,
                SKIP,
                NOTE
            ])
        );
        assert!(mapping_problems(&headers, &guess(&headers)).is_empty());
    }

    #[test]
    fn a_mapping_without_email_or_phone_or_with_a_field_twice_is_refused() {
        let headers = strings(&["Name", "Company", "Email"]);
        let none = strings(&["name", "company", SKIP]);
        assert!(mapping_problems(&headers, &none)[0].contains("Email or Phone"));
        let twice = strings(&["email", "company", "email"]);
        assert!(mapping_problems(&headers, &twice)[0].contains("Two columns are read as Email"));
        let unknown = strings(&["name", "shoe_size", "email"]);
        assert!(!mapping_problems(&headers, &unknown).is_empty());
    }

    #[test]
    fn a_row_becomes_an_inquiry_with_notes_in_the_message() {
        let headers = strings(&["First", "Last", "Email", "Booth notes", "Badge"]);
        let mapping = strings(&["first_name", "last_name", "email", NOTE, SKIP]);
        let row = strings(&[
            "Ann",
            "Lee",
            " ann@acme.test ",
            "Wants a demo",
            "B-17",
            "VIP",
        ]);
        let raw = inquiry(&headers, &mapping, &row);
        assert_eq!(raw.name.as_deref(), Some("Ann Lee"));
        assert_eq!(raw.email.as_deref(), Some("ann@acme.test"));
        assert_eq!(
            raw.message.as_deref(),
            Some("Booth notes: Wants a demo\nExtra cell: VIP")
        );
    }
}
