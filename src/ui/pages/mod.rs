//! One module per screen.

pub mod board;
pub mod campaigns;
pub mod home;
pub mod lead;
pub mod login;
pub mod nurture;
pub mod queue;
