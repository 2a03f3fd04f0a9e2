//! The catalog over HTTP (axum), the same routes for both variants.
//!
//! | route | answer |
//! |---|---|
//! | `GET /top` | top 10 overall |
//! | `GET /categories/{id}/top` | top 10 of a category |
//! | `GET /categories/{id}?page=N` | a category page (20 products, `page` from 1) |
//! | `GET /products/{id}` | one product |
//! | `POST /products/{id}/price` `{"price_cents": n}` | change a price |
//! | `POST /products/{id}/sales` `{"quantity": n}` | record a sale |
//! | `POST /products` `{"name", "category_id", "price_cents"}` | add a product (201) |
//! | `DELETE /products/{id}` | take a product off the catalog |
//! | `GET /metrics` | Prometheus (OpenMetrics text) |
//! | `GET /healthz` | `ok` |
//!
//! Bad input is answered with a JSON `{"error": …}` that names it: 400 for
//! a malformed id, parameter or body, 404 for an unknown product, category
//! or page, 503 when the database fails.

mod input;
mod metrics;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use prometheus_client::registry::Registry;
use serde::Serialize;

use crate::{Catalog, CatalogError, Write};
pub use input::{BadInput, parse_id, parse_page};
pub use metrics::HttpMetrics;

/// What the handlers share.
#[derive(Debug)]
pub struct AppState {
    pub catalog: Catalog,
    registry: Registry,
    http: Arc<HttpMetrics>,
}

impl AppState {
    pub fn new(catalog: Catalog) -> Arc<AppState> {
        let mut registry = Registry::default();
        let http = Arc::new(HttpMetrics::default());
        http.register(&mut registry);
        if let Catalog::Optimized(c) = &catalog {
            c.metrics().register(&mut registry);
        }
        crate::db::register_metrics(catalog.db(), &mut registry);
        Arc::new(AppState {
            catalog,
            registry,
            http,
        })
    }
}

/// The router over `catalog`.
pub fn router(catalog: Catalog) -> Router {
    let state = AppState::new(catalog);
    Router::new()
        .route("/top", get(top))
        .route("/categories/{id}/top", get(category_top))
        .route("/categories/{id}", get(category_page))
        .route("/products", post(add_product))
        .route("/products/{id}", get(product).delete(remove_product))
        .route("/products/{id}/price", post(set_price))
        .route("/products/{id}/sales", post(record_sale))
        .route("/metrics", get(scrape))
        .route("/healthz", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn_with_state(
            state.http.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// Serves `router` on `listener` until ctrl-c.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// An error answer: status and a JSON body naming what was wrong.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&ErrorBody {
            error: &self.message,
        })
        .unwrap_or_default();
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

impl From<BadInput> for ApiError {
    fn from(e: BadInput) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: e.to_string(),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        let status = if e.is_not_found() {
            StatusCode::NOT_FOUND
        } else {
            tracing::error!(error = %e, source = ?std::error::Error::source(&e), "request failed");
            StatusCode::SERVICE_UNAVAILABLE
        };
        ApiError {
            status,
            message: e.to_string(),
        }
    }
}

type Answer = Result<Response, ApiError>;

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("serializing the answer: {e}"),
        }
        .into_response(),
    }
}

type Shared = State<Arc<AppState>>;

async fn top(State(s): Shared, RawQuery(q): RawQuery) -> Answer {
    input::no_params(q.as_deref())?;
    Ok(json(StatusCode::OK, &s.catalog.top(None).await?))
}

async fn category_top(State(s): Shared, Path(id): Path<String>, RawQuery(q): RawQuery) -> Answer {
    input::no_params(q.as_deref())?;
    let id = parse_id("category id", &id)?;
    Ok(json(StatusCode::OK, &s.catalog.top(Some(id)).await?))
}

async fn category_page(State(s): Shared, Path(id): Path<String>, RawQuery(q): RawQuery) -> Answer {
    let id = parse_id("category id", &id)?;
    let page = parse_page(q.as_deref())?;
    Ok(json(
        StatusCode::OK,
        &s.catalog.category_page(id, page).await?,
    ))
}

async fn product(State(s): Shared, Path(id): Path<String>) -> Answer {
    let id = parse_id("product id", &id)?;
    Ok(json(StatusCode::OK, &s.catalog.product(id).await?))
}

async fn write(s: &AppState, status: StatusCode, write: Write) -> Answer {
    Ok(json(status, &s.catalog.write(&write).await?))
}

async fn set_price(State(s): Shared, Path(id): Path<String>, body: Bytes) -> Answer {
    let id = parse_id("product id", &id)?;
    let price_cents = input::price(&body)?;
    write(&s, StatusCode::OK, Write::Price { id, price_cents }).await
}

async fn record_sale(State(s): Shared, Path(id): Path<String>, body: Bytes) -> Answer {
    let id = parse_id("product id", &id)?;
    let quantity = input::quantity(&body)?;
    write(&s, StatusCode::OK, Write::Sale { id, quantity }).await
}

async fn add_product(State(s): Shared, body: Bytes) -> Answer {
    let new = input::new_product(&body)?;
    write(&s, StatusCode::CREATED, Write::Add(new)).await
}

async fn remove_product(State(s): Shared, Path(id): Path<String>) -> Answer {
    let id = parse_id("product id", &id)?;
    write(&s, StatusCode::OK, Write::Remove { id }).await
}

async fn scrape(State(s): Shared) -> Answer {
    if let Catalog::Optimized(c) = &s.catalog {
        c.stats().await;
    }
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &s.registry).map_err(|e| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: format!("encoding the metrics: {e}"),
    })?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        text,
    )
        .into_response())
}
