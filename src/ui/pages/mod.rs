//! One module per screen.

pub mod account;
pub mod admin;
pub mod board;
pub mod campaigns;
pub mod compliance;
pub mod home;
pub mod lead;
pub mod login;
pub mod nurture;
pub mod outlook;
pub mod queue;
pub mod wall;
pub mod welcome;
