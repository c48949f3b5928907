//! View pieces shared by several screens.

pub mod alerts;
pub mod chart;
pub mod flags;
pub mod frame;
pub mod lead_list;
pub mod live;
pub mod load;
pub mod outbox;
pub mod post_form;
pub mod settle;
pub mod signal;
pub mod text_box;
