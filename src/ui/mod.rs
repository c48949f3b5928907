//! The screens and the pieces they are made of. They call server functions and render.

pub mod components;
pub mod pages;
