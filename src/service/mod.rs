//! Rules and permissions, per domain. Services decide; `db` stores; HTTP and CLI call services.

pub mod account;
pub mod account_admin;
pub mod appreciation;
pub mod audit;
pub mod comment;
pub mod directory;
pub mod federation_policy;
pub mod follow;
pub mod handle;
pub mod initiative;
pub mod local_only;
pub mod media;
pub mod mention;
pub mod moderation;
pub mod node;
pub mod password;
pub mod report;
pub mod report_actions;
pub mod session;
pub mod story;
pub mod text;
pub mod theme;
pub mod theme_group;
pub mod token;
