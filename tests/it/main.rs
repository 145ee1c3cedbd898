//! Integration tests: the `kwartier` binary as operators run it, and the HTTP server over a real
//! socket. Each test runs on SQLite and, when `KWARTIER_TEST_POSTGRES_URL` is set, PostgreSQL.

mod account_data;
mod admin;
mod backup;
mod cli;
mod directory_feed;
mod feeds;
mod http;
mod media;
mod metrics;
mod migrate_to;
mod network_search;
mod upgrade;
mod web;
