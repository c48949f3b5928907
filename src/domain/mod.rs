//! The rules of follow-up: types and pure functions with no IO, shared by the server and the
//! browser build. Nothing here knows about the database, HTTP or the DOM.

pub mod aging;
pub mod board;
pub mod cadence;
pub mod campaign;
pub mod closure;
pub mod contact;
pub mod intake;
pub mod lead;
pub mod money;
pub mod qualification;
pub mod role;
pub mod sla;
pub mod touch;
