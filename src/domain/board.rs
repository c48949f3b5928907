//! The aging board: open leads counted by stage and age bucket, with overdue and ghost counts.

use crate::domain::aging::AgeBucket;
use crate::domain::lead::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the board needs of one open lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLead {
    pub stage: Stage,
    pub received_at: DateTime<Utc>,
    /// Its next action is past due.
    pub overdue: bool,
    /// No call attempt or meeting was ever logged.
    pub ghost: bool,
}

/// What a lead's age is measured from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Basis {
    /// Since the inquiry arrived.
    #[default]
    Inquiry,
    /// Since the last call attempt or meeting (since the inquiry when there was none).
    RealTouch,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Inquiry => "inquiry",
            Basis::RealTouch => "touch",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "touch" => Basis::RealTouch,
            _ => Basis::Inquiry,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Basis::Inquiry => "since inquiry",
            Basis::RealTouch => "since last real touch",
        }
    }
}

/// One cell: leads of a stage in an age bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub count: u32,
    pub overdue: u32,
    pub ghosts: u32,
}

impl Cell {
    fn add(&mut self, other: Cell) {
        self.count += other.count;
        self.overdue += other.overdue;
        self.ghosts += other.ghosts;
    }
}

/// One row: a stage across all age buckets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRow {
    pub stage: Stage,
    /// One cell per [`AgeBucket::ALL`], in that order.
    pub cells: Vec<Cell>,
    pub total: Cell,
}

/// Open leads by stage × age since inquiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingBoard {
    pub basis: Basis,
    pub rows: Vec<StageRow>,
    pub total: Cell,
    /// Open leads in each age bucket, all stages together.
    pub columns: Vec<Cell>,
}

impl AgingBoard {
    /// Counts `leads` as of `now`, by age since inquiry. Every open stage gets a row.
    pub fn tally(leads: impl IntoIterator<Item = OpenLead>, now: DateTime<Utc>) -> Self {
        Self::from_cells(
            Basis::Inquiry,
            leads.into_iter().map(|lead| {
                let one = Cell {
                    count: 1,
                    overdue: u32::from(lead.overdue),
                    ghosts: u32::from(lead.ghost),
                };
                (lead.stage, AgeBucket::since(lead.received_at, now), one)
            }),
        )
    }

    /// Builds the board from counted cells (several may name the same stage and bucket).
    pub fn from_cells(
        basis: Basis,
        cells: impl IntoIterator<Item = (Stage, AgeBucket, Cell)>,
    ) -> Self {
        let mut rows: Vec<StageRow> = Stage::OPEN
            .into_iter()
            .map(|stage| StageRow {
                stage,
                cells: vec![Cell::default(); AgeBucket::ALL.len()],
                total: Cell::default(),
            })
            .collect();
        let mut total = Cell::default();
        let mut columns = vec![Cell::default(); AgeBucket::ALL.len()];
        for (stage, bucket, cell) in cells {
            let Some(row) = rows.iter_mut().find(|row| row.stage == stage) else {
                continue;
            };
            row.cells[bucket as usize].add(cell);
            row.total.add(cell);
            columns[bucket as usize].add(cell);
            total.add(cell);
        }
        Self {
            basis,
            rows,
            total,
            columns,
        }
    }

    /// The row of one stage.
    pub fn row(&self, stage: Stage) -> Option<&StageRow> {
        self.rows.iter().find(|row| row.stage == stage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn lead(stage: Stage, age: Duration, overdue: bool, ghost: bool) -> OpenLead {
        OpenLead {
            stage,
            received_at: now() - age,
            overdue,
            ghost,
        }
    }

    #[test]
    fn leads_are_counted_in_their_stage_and_age_bucket() {
        let board = AgingBoard::tally(
            [
                lead(Stage::Assigned, Duration::minutes(2), false, true),
                lead(Stage::Assigned, Duration::minutes(20), true, true),
                lead(Stage::Assigned, Duration::minutes(30), true, true),
                lead(Stage::Attempting, Duration::days(40), true, false),
                lead(Stage::Nurture, Duration::days(400), false, false),
            ],
            now(),
        );
        let assigned = board.row(Stage::Assigned).unwrap();
        assert_eq!(assigned.cells[0].count, 1);
        assert_eq!(
            assigned.cells[1],
            Cell {
                count: 2,
                overdue: 2,
                ghosts: 2
            }
        );
        assert_eq!(assigned.total.count, 3);
        let attempting = board.row(Stage::Attempting).unwrap();
        assert_eq!(
            attempting.cells[AgeBucket::OneToThreeMonths as usize].overdue,
            1
        );
        assert_eq!(
            board.row(Stage::Nurture).unwrap().cells[8].count,
            1,
            "over a year old"
        );
        assert_eq!(board.total.count, 5);
        assert_eq!(board.total.ghosts, 3);
    }

    #[test]
    fn an_empty_pipeline_still_shows_every_open_stage() {
        let board = AgingBoard::tally([], now());
        assert_eq!(board.rows.len(), Stage::OPEN.len());
        assert_eq!(board.total, Cell::default());
    }

    #[test]
    fn closed_leads_are_not_counted() {
        let board = AgingBoard::tally([lead(Stage::Won, Duration::days(1), false, false)], now());
        assert_eq!(board.total.count, 0);
    }
}
