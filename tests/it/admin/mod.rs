//! Administering a node over real HTTP and the CLI: the `/admin` pages, `/api/v1/admin`, and the
//! audit log that records every action.

mod accounts;
mod audit;
mod blocklists;
mod federation;
mod federation_health;
mod federation_page;
mod invites;
mod listener;
mod reports;
mod settings;
