//! Local accounts: creating a person who can log in, with key pair and password.

use super::{handle, password};
use crate::db::actor::{self, Actor, NewActor, kind};
use crate::db::invite;
use crate::db::local_account::{self, LocalAccount, NewLocalAccount};
use crate::db::types::DbUrl;
use crate::db::{Conn, ScopedFutureExt, now};
use crate::error::{Error, Result};
use crate::state::AppState;

/// A request to create an account.
pub struct NewAccount {
    pub username: String,
    /// `None`: generate one, returned in [`CreatedAccount::generated_password`].
    pub password: Option<String>,
    pub admin: bool,
    /// False for a sign-up that waits for an admin's approval.
    pub approved: bool,
    /// The answer to the node's sign-up question.
    pub signup_answer: Option<String>,
}

#[derive(Debug)]
pub struct CreatedAccount {
    pub person: Actor,
    pub account: LocalAccount,
    /// The password, when it was generated; shown once and never stored in plain text.
    pub generated_password: Option<String>,
}

/// Usernames follow the rules for every local handle; see [`handle::validate`].
pub fn validate_username(username: &str) -> Result<()> {
    handle::validate("username", username)
}

/// Creates a local person and their account in one transaction: either both exist afterwards
/// or neither does.
pub async fn create(state: &AppState, conn: &mut Conn, new: NewAccount) -> Result<CreatedAccount> {
    create_invited(state, conn, new, None).await
}

/// Like [`create`], using one sign-up of the invite with this code in the same transaction: if
/// the invite is no longer valid nothing is made and the answer is [`Error::Gone`].
pub async fn create_invited(
    state: &AppState,
    conn: &mut Conn,
    new: NewAccount,
    invite_code: Option<&str>,
) -> Result<CreatedAccount> {
    validate_username(&new.username)?;
    if let Some(password) = &new.password {
        password::validate(password)?;
    }
    handle::ensure_free(conn, "username", &new.username).await?;
    let generated_password = new.password.is_none().then(password::generate);
    let plain = new
        .password
        .clone()
        .or_else(|| generated_password.clone())
        .unwrap_or_default();
    let (keypair, password_hash) = tokio::try_join!(state.keys.take(), password::hash(plain))?;

    let urls = &state.urls;
    let ap_id = DbUrl(urls.person(&new.username));
    let inbox = urls.person_inbox(&new.username);
    let shared_inbox = urls.shared_inbox();
    let followers = urls.followers(&ap_id);
    let key_id = crate::federation::urls::main_key_id(&ap_id);
    let at = now();
    let new_person = NewActor {
        ap_id: ap_id.clone(),
        username: &new.username,
        display_name: None,
        inbox_url: inbox.as_str(),
        shared_inbox_url: Some(shared_inbox.as_str()),
        public_key: &keypair.public_pem,
        private_key: Some(&keypair.private_pem),
        local: true,
        actor_type: kind::PERSON,
        summary: None,
        url: Some(ap_id.as_str()),
        followers_url: Some(followers.as_str()),
        icon_url: None,
        image_url: None,
        manually_approves_followers: false,
        discoverable: true,
        public_key_id: Some(&key_id),
        created_at: at,
        updated_at: at,
        last_refreshed_at: at,
    };
    let admin = new.admin;
    let approved = new.approved;
    let signup_answer = new.signup_answer.clone();
    let invite_code = invite_code.map(str::to_owned);
    let result = conn
        .transaction(|conn| {
            async move {
                let invite_id = match &invite_code {
                    Some(code) => Some(
                        invite::claim(conn, code, at)
                            .await?
                            .ok_or_else(crate::service::invite::no_longer_valid)?,
                    ),
                    None => None,
                };
                let person = actor::insert(conn, &new_person).await?;
                let account = local_account::insert(
                    conn,
                    &NewLocalAccount {
                        person_id: person.id,
                        password_hash: &password_hash,
                        admin,
                        created_at: at,
                        approved,
                        signup_answer: signup_answer.as_deref(),
                        invite_id,
                    },
                )
                .await?;
                Ok((person, account))
            }
            .scope_boxed()
        })
        .await;
    match result {
        Ok((person, account)) => Ok(CreatedAccount {
            person,
            account,
            generated_password,
        }),
        Err(Error::Conflict(_)) => Err(handle::taken("username", &new.username)),
        Err(other) => Err(other),
    }
}

/// The local person and account with this username.
pub async fn find(conn: &mut Conn, username: &str) -> Result<(Actor, LocalAccount)> {
    let not_found = || Error::NotFound(format!("user {username:?}"));
    let person = actor::find_local_of_type(conn, username, kind::PERSON)
        .await?
        .ok_or_else(not_found)?;
    let account = local_account::find_by_person(conn, person.id)
        .await?
        .ok_or_else(not_found)?;
    Ok((person, account))
}
