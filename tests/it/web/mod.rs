//! The web front over real HTTP, as a browser without JavaScript uses it: forms with their
//! tokens, sessions in cookies, pages in Dutch and English.

mod accounts;
pub mod browser;
mod local_only;
mod manage;
mod moderation;
mod pages;
mod publishing;

use kwartier::db::node_settings::{self, RegistrationMode};
use kwartier::testing::TestNode;

pub use browser::Browser;

/// Sets who may sign up, as `kwartier admin registration` does.
pub async fn registration(node: &TestNode, mode: RegistrationMode, question: Option<&str>) {
    let mut conn = node.state.db.conn().await.expect("connection");
    node_settings::set_registration(&mut conn, mode, question)
        .await
        .expect("set registration");
}

/// A user with a known password.
pub async fn user(node: &TestNode, name: &str) -> String {
    node.create_user(name, false)
        .await
        .generated_password
        .expect("a generated password")
}
