//! What every page shows around its content: the node's name and logo, navigation, the
//! language switch, who is logged in, and the form token.

use axum::http::Uri;

use super::i18n::{Lang, Tr};
use super::visitor::Visitor;
use crate::db::node_settings;
use crate::error::Result;
use crate::state::AppState;

/// Changes whenever the stylesheet does, so browsers may cache it for long.
pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The layout's data; every page template has it as `c`.
pub struct Chrome {
    pub tr: Tr,
    pub node_name: String,
    pub has_logo: bool,
    /// The logged-in person's username.
    pub username: Option<String>,
    pub admin: bool,
    /// An admin or moderator: the layout links to `/admin`.
    pub staff: bool,
    /// The form token for the hidden `csrf` field.
    pub csrf: String,
    /// This page's path and query, for the language switch to come back to.
    pub here: String,
    pub version: &'static str,
}

impl Chrome {
    pub async fn new(state: &AppState, visitor: &Visitor, uri: &Uri) -> Result<Chrome> {
        let mut conn = state.db.conn().await?;
        let settings = node_settings::get(&mut conn).await?;
        Ok(Chrome::with_name(state, visitor, uri, settings.name))
    }

    pub fn with_name(state: &AppState, visitor: &Visitor, uri: &Uri, node_name: String) -> Chrome {
        let auth = visitor.session.as_ref().map(|s| &s.auth);
        Chrome {
            tr: visitor.tr(),
            node_name,
            has_logo: state.config.brand.logo.is_some(),
            username: auth.map(|a| a.person.username.clone()),
            admin: auth.is_some_and(|a| a.account.admin),
            staff: auth.is_some_and(|a| a.account.is_staff()),
            csrf: visitor.csrf.clone(),
            here: uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
            version: ASSET_VERSION,
        }
    }

    /// The languages to switch to: every one but the page's.
    pub fn other_languages(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|l| *l != self.tr.lang)
            .collect()
    }

    /// The link that switches to `lang` and comes back here.
    pub fn switch_href(&self, lang: &Lang) -> String {
        format!(
            "/lang/{}?back={}",
            lang.code(),
            url::form_urlencoded::byte_serialize(self.here.as_bytes()).collect::<String>()
        )
    }
}
