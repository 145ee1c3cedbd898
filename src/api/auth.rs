//! Bearer-token authentication as an extractor: a handler that takes [`RequireToken`] only runs
//! for a valid token; everyone else gets 401 with `WWW-Authenticate: Bearer`.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::Error;
use crate::service::token::{self, Authenticated};
use crate::state::AppState;

/// The account behind the request's `Authorization: Bearer …` header.
pub struct RequireToken(pub Authenticated);

impl FromRequestParts<AppState> for RequireToken {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(Error::Unauthorized)?
            .to_str()
            .map_err(|_| Error::Unauthorized)?;
        let (scheme, token) = header.split_once(' ').ok_or(Error::Unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Error::Unauthorized);
        }
        let mut conn = state.db.conn().await?;
        Ok(RequireToken(
            token::authenticate(&mut conn, token.trim()).await?,
        ))
    }
}

/// The account behind the bearer token when one is sent; anonymous otherwise. A token that is
/// sent but wrong is still refused.
pub struct OptionalToken(pub Option<Authenticated>);

impl FromRequestParts<AppState> for OptionalToken {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(AUTHORIZATION) {
            return Ok(OptionalToken(None));
        }
        let RequireToken(auth) = RequireToken::from_request_parts(parts, state).await?;
        Ok(OptionalToken(Some(auth)))
    }
}
