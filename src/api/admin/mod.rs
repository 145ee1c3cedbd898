//! `/api/v1/admin/…`: administering this node over the API, for admins (and, where it says so,
//! moderators). Nothing under here federates; every change is recorded in the audit log.

pub mod audit;
pub mod blocklists;
pub mod federation;
pub mod federation_health;
pub mod reports;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::auth::RequireToken;
use crate::error::Error;
use crate::service::token::Authenticated;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(audit::router())
        .merge(federation::router())
        .merge(federation_health::router())
        .merge(blocklists::router())
        .merge(reports::router())
}

/// A bearer token of one of this node's admins; others get 403.
pub struct RequireAdmin(pub Authenticated);

impl FromRequestParts<AppState> for RequireAdmin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let RequireToken(auth) = RequireToken::from_request_parts(parts, state).await?;
        if !auth.account.admin {
            return Err(Error::Forbidden);
        }
        Ok(RequireAdmin(auth))
    }
}

/// A bearer token of one of this node's admins or moderators; others get 403.
pub struct RequireStaff(pub Authenticated);

impl FromRequestParts<AppState> for RequireStaff {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let RequireToken(auth) = RequireToken::from_request_parts(parts, state).await?;
        if !auth.account.is_staff() {
            return Err(Error::Forbidden);
        }
        Ok(RequireStaff(auth))
    }
}
