//! The console's state, pure: what is open and selected (by identity), what is typed, the
//! filters and prompts, and what a key asks for (`state::UiState::handle` → `Effect`). No I/O
//! and no terminal: the app loop (`app`) carries effects out, the views (`view`) draw from it.

mod api_use;
mod prompt;
pub mod selection;
pub mod state;
#[cfg(test)]
mod tests;

pub use api_use::{ApiUse, BudgetReading};
