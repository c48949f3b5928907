//! View pieces shared by several screens.

pub mod alerts;
pub mod frame;
