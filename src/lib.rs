//! Kwartier: a federated ActivityPub server for citizen initiatives, theme groups and stories.
//! Every municipality or region runs its own node; see `README.md` and `../shared/DESIGN.md`.

pub mod api;
pub mod backup;
pub mod cli;
pub mod config;
pub mod db;
pub mod delivery;
pub mod error;
pub mod events;
pub mod federation;
pub mod health;
pub mod metrics;
pub mod server;
pub mod service;
pub mod state;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod web;

pub use error::{Error, Result};
