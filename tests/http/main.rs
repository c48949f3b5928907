//! HTTP tests: the real app on port 0 with a temporary database, called over the wire like a
//! web form, an integration or a browser would.

#![cfg(feature = "ssr")]
#![expect(
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first surprise"
)]

mod access;
mod admin;
mod boards;
mod common;
mod engine;
mod forms;
mod front_door;
mod hooks;
mod hours;
mod imports;
mod intake;
mod live;
mod nurture;
mod phone;
mod qualifier;
mod routing;
mod territories;
mod webhooks;
