//! The command line: `leadline [serve]`, `leadline user add`, `leadline source add`,
//! `leadline demo`.

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
    /// Load a demo team and demo leads (does nothing if they are already there).
    Demo,
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
