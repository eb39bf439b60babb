//! ecswatch: a terminal incident console for Amazon ECS services.
//!
//! Data flows one way: `aws` (the source seam) -> `poll` (pollers) -> `store` (one owner of
//! state) -> `report` / the console. `diagnosis` turns evidence in the store into findings.

pub mod actions;
pub mod app;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod config_file;
pub mod console;
pub mod demo;
pub mod diagnosis;
pub mod exec;
pub mod fault;
pub mod keymap;
pub mod logfile;
pub mod model;
pub mod poll;
pub mod present;
pub mod record;
pub mod report;
pub mod room;
pub mod sanitize;
pub mod settings;
pub mod share;
pub mod store;
pub mod theme;
pub mod ui;
pub mod view;
