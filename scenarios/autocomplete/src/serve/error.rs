//! The JSON body of every error answer, shared by the routes and the
//! metrics endpoint.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What is wrong, naming the parameter when one is at fault.
    pub error: String,
    /// The parameter at fault, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// A JSON error response.
pub(super) fn error(status: StatusCode, parameter: Option<&str>, message: String) -> Response {
    let body = ErrorBody {
        error: message,
        parameter: parameter.map(str::to_owned),
    };
    (status, Json(body)).into_response()
}
