//! The OpenAPI document of `/api/v1`, served at `/api/v1/openapi.json`, generated from the
//! handlers' annotations so it cannot drift from the code.

use axum::Json;
use axum::Router;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

/// Every error: a message, and for invalid input the field to change.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    error: String,
    field: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kwartier API",
        description = "Initiatives, their stories and comments, and following across the fediverse. \
            Authenticate with `Authorization: Bearer <token>` (`kwartier admin create-token NAME`).",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    paths(
        super::me::me,
        super::me::export,
        super::me::delete_me,
        super::notifications::list,
        super::initiatives::create,
        super::initiatives::show,
        super::initiatives::edit,
        super::initiatives::add_member,
        super::initiatives::followers,
        super::initiatives::decide,
        super::follows::follow,
        super::follows::unfollow,
        super::stories::publish,
        super::stories::for_initiative,
        super::stories::show,
        super::stories::edit,
        super::stories::remove,
        super::stories::thread,
        super::stories::reply,
        super::stories::remove_comment,
        super::stories::like,
        super::stories::unlike,
        super::stories::timeline,
        super::media::upload,
        super::directory::search_directory,
        super::instance::domain_blocks,
        super::groups::list,
        super::groups::show,
        super::groups::create,
        super::groups::join,
        super::groups::leave,
        super::groups::remove,
        super::groups::lock,
        super::admin::audit::list,
        super::admin::federation::show,
        super::admin::federation::set_mode,
        super::admin::federation::block,
        super::admin::federation::unblock,
        super::admin::federation::allow,
        super::admin::federation::disallow,
        super::admin::federation_health::show,
        super::admin::blocklists::show,
        super::admin::blocklists::subscribe,
        super::admin::blocklists::unsubscribe,
        super::admin::blocklists::fetch,
        super::admin::blocklists::decide,
        super::admin::reports::list,
        super::admin::reports::show,
        super::admin::reports::resolve,
        super::reports::create,
        super::reports::warnings,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
