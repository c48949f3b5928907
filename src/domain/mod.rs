//! The rules of follow-up: types and pure functions with no IO, shared by the server and the
//! browser build. Nothing here knows about the database, HTTP or the DOM.

pub mod access;
pub mod aging;
pub mod alert;
pub mod bias;
pub mod board;
pub mod cadence;
pub mod campaign;
pub mod chart;
pub mod closure;
pub mod compliance;
/// Email and phone rules (server only: the browser build carries none of them).
#[cfg(feature = "ssr")]
pub mod contact;
/// Lists of people from CSV files (server only: the file is read there).
#[cfg(feature = "ssr")]
pub mod csv_list;
pub mod forecast;
pub mod form_fields;
pub mod hours;
pub mod intake;
pub mod lead;
pub mod money;
pub mod policy_form;
pub mod qualification;
pub mod role;
pub mod segment;
pub mod sla;
pub mod territory;
pub mod text;
pub mod throttle;
pub mod touch;
pub mod urgency;
/// What other tools are told (server only: the server sends it).
#[cfg(feature = "ssr")]
pub mod webhook;
pub mod zones;
