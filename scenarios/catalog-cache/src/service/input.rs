//! Parsing what a request carries, with errors that name the input.

use serde::Deserialize;

use crate::model::NewProduct;

/// The largest page number accepted (a catalog page is 20 products).
pub const MAX_PAGE: u32 = 100_000;
/// The largest price accepted, in cents.
pub const MAX_PRICE_CENTS: i64 = 100_000_000;
/// The largest quantity one sale may record.
pub const MAX_QUANTITY: i64 = 1_000;
/// The longest product name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A malformed request: which input, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {problem}")]
pub struct BadInput {
    pub what: String,
    pub problem: String,
}

fn bad(what: &str, problem: impl Into<String>) -> BadInput {
    BadInput {
        what: what.to_owned(),
        problem: problem.into(),
    }
}

/// A positive integer id from a path segment.
pub fn parse_id(what: &str, raw: &str) -> Result<i64, BadInput> {
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        Ok(_) => Err(bad(what, format!("{raw:?} is not positive"))),
        Err(_) => Err(bad(what, format!("{raw:?} is not an integer"))),
    }
}

/// The query string of a category page: `page=N` (1 to [`MAX_PAGE`]) or
/// nothing (page 1). Anything else is refused, not ignored.
pub fn parse_page(query: Option<&str>) -> Result<u32, BadInput> {
    let mut page = None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name != "page" {
            return Err(bad(
                "query",
                format!("unknown parameter {name:?} (this route takes only `page`)"),
            ));
        }
        if page.is_some() {
            return Err(bad("page", "given more than once"));
        }
        page = Some(match value.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                return Err(bad(
                    "page",
                    format!("{value:?} is not a whole number from 1 to {MAX_PAGE}"),
                ));
            }
        });
    }
    Ok(page.unwrap_or(1))
}

/// Refuses any query string on a route that takes none.
pub fn no_params(query: Option<&str>) -> Result<(), BadInput> {
    match query {
        None | Some("") => Ok(()),
        Some(q) => Err(bad(
            "query",
            format!("this route takes no parameters (got {q:?})"),
        )),
    }
}

fn body<'a, T: Deserialize<'a>>(bytes: &'a [u8], shape: &str) -> Result<T, BadInput> {
    serde_json::from_slice(bytes).map_err(|e| bad("body", format!("expected {shape}: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceBody {
    price_cents: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaleBody {
    quantity: i64,
}

fn in_range(what: &str, v: i64, max: i64) -> Result<i64, BadInput> {
    if (1..=max).contains(&v) {
        Ok(v)
    } else {
        Err(bad(what, format!("{v} is not from 1 to {max}")))
    }
}

pub fn price(bytes: &[u8]) -> Result<i64, BadInput> {
    let b: PriceBody = body(bytes, r#"{"price_cents": <integer>}"#)?;
    in_range("price_cents", b.price_cents, MAX_PRICE_CENTS)
}

pub fn quantity(bytes: &[u8]) -> Result<i64, BadInput> {
    let b: SaleBody = body(bytes, r#"{"quantity": <integer>}"#)?;
    in_range("quantity", b.quantity, MAX_QUANTITY)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBody {
    name: String,
    category_id: i64,
    price_cents: i64,
}

pub fn new_product(bytes: &[u8]) -> Result<NewProduct, BadInput> {
    let b: NewBody = body(
        bytes,
        r#"{"name": <text>, "category_id": <integer>, "price_cents": <integer>}"#,
    )?;
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(bad(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if b.category_id <= 0 {
        return Err(bad(
            "category_id",
            format!("{} is not positive", b.category_id),
        ));
    }
    Ok(NewProduct {
        name: name.to_owned(),
        category_id: b.category_id,
        price_cents: in_range("price_cents", b.price_cents, MAX_PRICE_CENTS)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_positive_integers() {
        assert_eq!(parse_id("product id", "42"), Ok(42));
        for raw in ["0", "-3", "x", "", "1.5", "99999999999999999999"] {
            let e = parse_id("product id", raw).unwrap_err();
            assert_eq!(e.what, "product id", "{raw:?}");
        }
    }

    #[test]
    fn pages_default_to_one_and_junk_is_refused() {
        assert_eq!(parse_page(None), Ok(1));
        assert_eq!(parse_page(Some("")), Ok(1));
        assert_eq!(parse_page(Some("page=3")), Ok(3));
        for q in [
            "page=0",
            "page=x",
            "page=",
            "sort=name",
            "page=1&page=2",
            "page=100001",
        ] {
            assert!(parse_page(Some(q)).is_err(), "{q:?}");
        }
    }

    #[test]
    fn bodies_are_checked_for_shape_and_range() {
        assert_eq!(price(br#"{"price_cents": 1299}"#), Ok(1299));
        assert!(price(br#"{"price_cents": 0}"#).is_err());
        assert!(
            price(br#"{"price": 5}"#)
                .unwrap_err()
                .problem
                .contains("price_cents")
        );
        assert!(price(b"").is_err());
        assert_eq!(quantity(br#"{"quantity": 2}"#), Ok(2));
        assert!(quantity(br#"{"quantity": 1001}"#).is_err());
        let new =
            new_product(br#"{"name": " Lamp ", "category_id": 2, "price_cents": 5}"#).unwrap();
        assert_eq!(new.name, "Lamp");
        assert!(new_product(br#"{"name": "", "category_id": 2, "price_cents": 5}"#).is_err());
        assert!(new_product(br#"{"name": "x", "category_id": 0, "price_cents": 5}"#).is_err());
    }
}
