//! The shop: everything one machine runs, behind the desktop app's commands.
//!
//! [`views`] is the contract with the screens: every request and reply, generated as TypeScript.

pub mod views;
