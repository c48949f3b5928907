//! Everything that runs only on the server: settings, shared state, the database, the use
//! cases, the HTTP router and the command line.

pub mod bench;
pub mod bench_intake;
pub mod bench_sign_in;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connections;
pub mod guard;
pub mod http;
pub mod limiter;
pub mod live;
pub mod passwords;
pub mod preload;
pub mod request;
pub mod run;
pub mod services;
pub mod snapshot;
pub mod state;
pub mod store;
