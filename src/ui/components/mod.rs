//! View pieces shared by several screens.

pub mod frame;
