//! ecswatch: a terminal incident console for Amazon ECS services.
//!
//! Data flows one way: `aws` (the source seam) -> `poll` (pollers) -> `store` (one owner of
//! state) -> `report` / the console. `diagnosis` turns evidence in the store into findings.

pub mod aws;
pub mod diagnosis;
pub mod model;
pub mod poll;
pub mod sanitize;
pub mod store;
