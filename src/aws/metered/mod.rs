//! The seam with its metering: every call counted by operation ([`Counted`]) and held to this
//! account × Region's share of each shared AWS quota ([`Budget`], with a [`Priority`] for the
//! open service). Below the pollers, which only see an `AwsApi` that waits for its turn.

pub mod budget;
mod counting;
mod quota;

pub use budget::{Budget, Pace, Priority, Quota, with_priority};
pub use counting::{CallCounts, Counted};
