//! The command line: `leadline [serve]`, `leadline user add`, `leadline source add`,
//! `leadline demo`, `leadline generate`, `leadline bench`, `leadline bench-live`, `leadline bench-intake`,
//! `leadline bench-sign-in`.

use crate::domain::role::Role;
use clap::{Parser, Subcommand};

/// Leadline: every sales lead followed up until it buys or dies.
#[derive(Debug, Parser)]
#[command(name = "leadline", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app (the default).
    Serve,
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage lead sources.
    Source {
        #[command(subcommand)]
        action: SourceAction,
    },
    /// Territories: which reps a lead is offered to first.
    Territory {
        #[command(subcommand)]
        action: TerritoryAction,
    },
    /// The follow-up policy: working hours and the calling window (read at start).
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Load a demo team and demo leads (does nothing if they are already there).
    Demo,
    /// Fill an empty database with a large generated pipeline, for benchmarks.
    Generate {
        #[arg(long, default_value_t = 1_000_000)]
        leads: u32,
        #[arg(long, default_value_t = 100)]
        reps: u32,
        /// Leads arrive evenly over this many days up to now.
        #[arg(long, default_value_t = 730)]
        days: u32,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Time the boards and the rep queue on the database (generate one first).
    Bench {
        /// Timed reads per board.
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// Hold open board connections on a fresh server and time live updates to them.
    BenchLive {
        #[arg(long, default_value_t = 500)]
        connections: usize,
        #[arg(long, default_value_t = 60)]
        posts: usize,
        /// Milliseconds between posted leads.
        #[arg(long, default_value_t = 1000)]
        every_ms: u64,
    },
    /// Post new people to the intake API of a fresh server from several connections at once;
    /// print leads a second and the time per post, beside a plain insert loop's rate.
    BenchIntake {
        #[arg(long, default_value_t = 3000)]
        leads: usize,
        #[arg(long, default_value_t = 8)]
        connections: usize,
    },
    /// Time sign-ins on a fresh server and send it a burst of concurrent wrong passwords.
    BenchSignIn {
        /// Concurrent wrong-password sign-ins in the burst.
        #[arg(long, default_value_t = 128)]
        burst: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add a user; the password is read from the first line of standard input.
    Add {
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The territory a rep works (for the capacity and quota board).
        #[arg(long)]
        territory: Option<String>,
        /// Sales a rep is expected to make a month.
        #[arg(long)]
        quota: Option<u32>,
    },
    /// Switch a user off: they can no longer sign in, and each lead they hold goes to someone
    /// who can work it.
    Deactivate {
        #[arg(long)]
        email: String,
    },
    /// Mark a rep away: no new leads from `--from` (default now) until `--until` (YYYY-MM-DD,
    /// the day they are back).
    Away {
        #[arg(long)]
        email: String,
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        #[arg(long)]
        until: chrono::NaiveDate,
    },
}

#[derive(Debug, Subcommand)]
pub enum TerritoryAction {
    /// Add rules to a territory (creating it): a country, narrowed if you like to regions or
    /// postcode prefixes; and/or sources. E.g. `--name DACH --country DE`, `--name "Bay Area"
    /// --country US --postcode 94`, `--name Events --source "Trade show 2026"`.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        region: Vec<String>,
        #[arg(long)]
        postcode: Vec<String>,
        #[arg(long)]
        source: Vec<String>,
    },
    /// Make a rep a member of a territory.
    Join {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
    },
    /// List the territories and their reps.
    List,
}

#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Print the working hours and calling window in force.
    Show,
    /// Set the team's working hours, e.g. `--days Mon-Fri --opens 08:00 --closes 18:00
    /// --timezone Europe/Berlin` (`--closes 24:00` for midnight).
    Hours {
        #[arg(long)]
        days: String,
        #[arg(long)]
        opens: String,
        #[arg(long)]
        closes: String,
        /// An IANA time zone; without it, the team's zone stays as it is.
        #[arg(long)]
        timezone: Option<String>,
    },
    /// Set when people may be called where they live, e.g. `--opens 08:00 --closes 21:00`,
    /// or `--any-hour`.
    CallingWindow {
        #[arg(long, required_unless_present = "any_hour")]
        opens: Option<String>,
        #[arg(long, required_unless_present = "any_hour")]
        closes: Option<String>,
        #[arg(long, conflicts_with_all = ["opens", "closes"])]
        any_hour: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SourceAction {
    /// Add a source; its API key is printed as the last line.
    Add {
        #[arg(long)]
        name: String,
        /// What the campaign cost, e.g. 12,000 (shown against what its leads earned).
        #[arg(long)]
        cost: Option<String>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: crate::domain::role::UnknownRole| e.to_string())
}
