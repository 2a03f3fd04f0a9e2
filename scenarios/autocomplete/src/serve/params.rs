//! The parameters of `GET /complete`, parsed from the raw query string.
//!
//! The service does not use axum's `Query` extractor: that one answers a bad
//! query string with its own plain-text 400 before a handler runs, and
//! decodes into `String`, so `q=%FF` could not be told apart from other
//! mistakes. Here the query string is split on `&` and `=`, each name and
//! value is percent-decoded **to bytes** (`+` is a space, as in HTML forms
//! and `URLSearchParams`), and only then checked as UTF-8, so every mistake
//! becomes a [`ParamError`] that names the parameter, and the handler turns
//! it into a JSON 400.
//!
//! Rules: `q` is required (it may be empty: the global top `k`), at most
//! [`Limits::max_query_chars`] characters; `k` is a decimal number in
//! `1..=`[`Limits::max_k`], [`Limits::default_k`] when absent; `fuzzy` is the
//! allowed edit distance `0..=`[`MAX_DISTANCE`], 0 when absent. A parameter
//! given twice is an error (which one would win is a guess); unknown
//! parameters are ignored, so a client may add a cache buster.

use crate::{MAX_DISTANCE, MAX_QUERY_CHARS};

/// The largest `k` the default limits allow.
pub const DEFAULT_MAX_K: usize = 100;
/// `k` when a request gives none.
pub const DEFAULT_K: usize = 10;

/// How much one request may ask for. See [`Limits::new`] for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_k: usize,
    default_k: usize,
    max_query_chars: usize,
}

/// Why a set of [`Limits`] is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitsError {
    /// The default `k` is 0 or above the largest (or the largest is 0).
    #[error(
        "the largest k is {max_k}; it and the default k ({default_k}) must be at least 1, and the default at most the largest"
    )]
    DefaultK {
        /// The default asked for.
        default_k: usize,
        /// The largest `k` asked for.
        max_k: usize,
    },
    /// The query length limit is 0 or above what fuzzy queries support.
    #[error("query length limit {given} must be between 1 and {MAX_QUERY_CHARS} characters")]
    QueryChars {
        /// The limit asked for.
        given: usize,
    },
}

impl Default for Limits {
    /// `k` up to [`DEFAULT_MAX_K`], [`DEFAULT_K`] by default, queries up to
    /// [`MAX_QUERY_CHARS`] characters.
    fn default() -> Self {
        Self {
            max_k: DEFAULT_MAX_K,
            default_k: DEFAULT_K,
            max_query_chars: MAX_QUERY_CHARS,
        }
    }
}

impl Limits {
    /// Limits with `k` in `1..=max_k` (`default_k` when absent) and queries
    /// of at most `max_query_chars` characters, which may not exceed
    /// [`MAX_QUERY_CHARS`] (the fuzzy matcher's own limit).
    pub fn new(
        max_k: usize,
        default_k: usize,
        max_query_chars: usize,
    ) -> Result<Self, LimitsError> {
        if default_k == 0 || default_k > max_k {
            return Err(LimitsError::DefaultK { default_k, max_k });
        }
        if max_query_chars == 0 || max_query_chars > MAX_QUERY_CHARS {
            return Err(LimitsError::QueryChars {
                given: max_query_chars,
            });
        }
        Ok(Self {
            max_k,
            default_k,
            max_query_chars,
        })
    }

    /// The largest `k` a request may ask for.
    pub fn max_k(&self) -> usize {
        self.max_k
    }

    /// `k` when a request gives none.
    pub fn default_k(&self) -> usize {
        self.default_k
    }

    /// The longest `q`, in characters (Unicode scalar values).
    pub fn max_query_chars(&self) -> usize {
        self.max_query_chars
    }
}

/// A valid `GET /complete` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteParams {
    /// The text to complete.
    pub q: String,
    /// How many suggestions, at most.
    pub k: usize,
    /// The allowed edit distance; 0 asks for exact-prefix matches.
    pub fuzzy: u8,
}

/// Why a `GET /complete` query string was refused. Every message names the
/// parameter; [`ParamError::parameter`] gives it alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// `q` is absent.
    #[error("missing parameter `q` (the text to complete)")]
    MissingQuery,
    /// A known parameter appears more than once.
    #[error("parameter `{parameter}` is given more than once")]
    Repeated {
        /// Its name.
        parameter: &'static str,
    },
    /// A `%` not followed by two hex digits, in a name or a value.
    #[error(
        "parameter `{parameter}`: malformed percent-escape at byte {at} (`%` must be followed by two hex digits)"
    )]
    BadEscape {
        /// The parameter's name as sent (undecoded when the name itself is
        /// malformed).
        parameter: String,
        /// Byte offset of the `%` in the raw name or value.
        at: usize,
    },
    /// The decoded bytes are not UTF-8.
    #[error(
        "parameter `{parameter}` is not valid UTF-8 after percent-decoding (bad byte at offset {at})"
    )]
    NotUtf8 {
        /// Its name.
        parameter: String,
        /// Offset of the first invalid byte in the decoded value.
        at: usize,
    },
    /// `q` has more characters than allowed.
    #[error("parameter `q` is {chars} characters long: at most {max} are allowed")]
    QueryTooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// `k` is not a number in range.
    #[error("parameter `k` must be a whole number from 1 to {max}, got {given:?}")]
    BadK {
        /// What was sent (shortened when long).
        given: String,
        /// The largest `k` allowed.
        max: usize,
    },
    /// `fuzzy` is not a distance in range.
    #[error("parameter `fuzzy` must be a whole number from 0 to {MAX_DISTANCE}, got {given:?}")]
    BadFuzzy {
        /// What was sent (shortened when long).
        given: String,
    },
}

impl ParamError {
    /// The name of the parameter at fault.
    pub fn parameter(&self) -> &str {
        match self {
            ParamError::MissingQuery | ParamError::QueryTooLong { .. } => "q",
            ParamError::Repeated { parameter } => parameter,
            ParamError::BadEscape { parameter, .. } | ParamError::NotUtf8 { parameter, .. } => {
                parameter
            }
            ParamError::BadK { .. } => "k",
            ParamError::BadFuzzy { .. } => "fuzzy",
        }
    }
}

/// The longest echo of a bad value in an error message, in characters.
const ECHO_CHARS: usize = 32;

/// Parses the raw query string of `GET /complete` (without the `?`; empty
/// when the URL has none) under `limits`. See the module docs for the rules.
pub fn parse_query(raw: &str, limits: &Limits) -> Result<CompleteParams, ParamError> {
    let (mut q, mut k, mut fuzzy) = (None, None, None);
    for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(raw_name).map_err(|at| ParamError::BadEscape {
            parameter: shorten(raw_name),
            at,
        })?;
        let (parameter, slot) = match name.as_slice() {
            b"q" => ("q", &mut q),
            b"k" => ("k", &mut k),
            b"fuzzy" => ("fuzzy", &mut fuzzy),
            _ => continue,
        };
        if slot.is_some() {
            return Err(ParamError::Repeated { parameter });
        }
        let bytes = percent_decode(raw_value).map_err(|at| ParamError::BadEscape {
            parameter: parameter.to_owned(),
            at,
        })?;
        let value = String::from_utf8(bytes).map_err(|e| ParamError::NotUtf8 {
            parameter: parameter.to_owned(),
            at: e.utf8_error().valid_up_to(),
        })?;
        *slot = Some(value);
    }
    let q = q.ok_or(ParamError::MissingQuery)?;
    let chars = q.chars().count();
    if chars > limits.max_query_chars {
        return Err(ParamError::QueryTooLong {
            chars,
            max: limits.max_query_chars,
        });
    }
    let k = match k {
        None => limits.default_k,
        Some(text) => parse_number(&text)
            .filter(|k| (1..=limits.max_k as u64).contains(k))
            .and_then(|k| usize::try_from(k).ok())
            .ok_or_else(|| ParamError::BadK {
                given: shorten(&text),
                max: limits.max_k,
            })?,
    };
    let fuzzy = match fuzzy {
        None => 0,
        Some(text) => parse_number(&text)
            .filter(|d| *d <= u64::from(MAX_DISTANCE))
            .and_then(|d| u8::try_from(d).ok())
            .ok_or_else(|| ParamError::BadFuzzy {
                given: shorten(&text),
            })?,
    };
    Ok(CompleteParams { q, k, fuzzy })
}

/// Decimal digits only (no sign, no spaces); `None` also when it does not
/// fit in a `u64`, which is out of every range anyway.
fn parse_number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Percent-decodes `raw` to bytes, `+` to a space. `Err` holds the offset
/// of a `%` that is not followed by two hex digits.
pub fn percent_decode(raw: &str) -> Result<Vec<u8>, usize> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = |at: usize| bytes.get(at).and_then(|&h| char::from(h).to_digit(16));
                let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) else {
                    return Err(i);
                };
                // Two hex digits are at most 0xFF.
                out.push(u8::try_from(high * 16 + low).unwrap_or(u8::MAX));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// `text`, cut to [`ECHO_CHARS`] characters with `…` when longer, so an
/// error never echoes a huge input back.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<CompleteParams, ParamError> {
        parse_query(raw, &Limits::default())
    }

    #[test]
    fn defaults_and_decoding() {
        assert_eq!(
            parse("q=ca"),
            Ok(CompleteParams {
                q: "ca".into(),
                k: DEFAULT_K,
                fuzzy: 0
            })
        );
        let p = parse("fuzzy=2&q=caf%C3%A9+au%20lait&k=100&_=123").unwrap();
        assert_eq!((p.q.as_str(), p.k, p.fuzzy), ("café au lait", 100, 2));
        assert_eq!(parse("q=%2B").unwrap().q, "+");
        assert_eq!(parse("q").unwrap().q, "", "a bare name is an empty value");
        assert_eq!(parse("q=&k=1").unwrap().q, "");
        assert_eq!(parse("%71=x").unwrap().q, "x", "names are decoded too");
    }

    #[test]
    fn each_mistake_names_its_parameter() {
        let cases: &[(&str, &str)] = &[
            ("", "q"),
            ("k=3", "q"),
            ("q=a&q=b", "q"),
            ("q=%FF", "q"),
            ("q=%C3", "q"),
            ("q=%G1", "q"),
            ("q=abc%", "q"),
            ("q=a&k=", "k"),
            ("q=a&k=x", "k"),
            ("q=a&k=0", "k"),
            ("q=a&k=101", "k"),
            ("q=a&k=-1", "k"),
            ("q=a&k=+5", "k"),
            ("q=a&k=99999999999999999999999", "k"),
            ("q=a&k=%FF", "k"),
            ("q=a&fuzzy=3", "fuzzy"),
            ("q=a&fuzzy=one", "fuzzy"),
            ("q=a&fuzzy=1&fuzzy=1", "fuzzy"),
            ("q%ZZ=a", "q%ZZ"),
        ];
        for (raw, parameter) in cases {
            let err = parse(raw).expect_err(raw);
            assert_eq!(err.parameter(), *parameter, "{raw}: {err}");
            assert!(err.to_string().contains(parameter), "{raw}: {err}");
        }
    }

    #[test]
    fn the_query_limit_counts_characters() {
        let max = "é".repeat(MAX_QUERY_CHARS);
        assert_eq!(parse(&format!("q={max}")).unwrap().q, max);
        let err = parse(&format!("q={max}e")).unwrap_err();
        assert_eq!(
            err,
            ParamError::QueryTooLong {
                chars: MAX_QUERY_CHARS + 1,
                max: MAX_QUERY_CHARS
            }
        );
    }

    #[test]
    fn utf8_errors_say_where() {
        assert_eq!(
            parse("q=ab%FF"),
            Err(ParamError::NotUtf8 {
                parameter: "q".into(),
                at: 2
            })
        );
        assert_eq!(
            parse("q=a%2"),
            Err(ParamError::BadEscape {
                parameter: "q".into(),
                at: 1
            })
        );
    }

    #[test]
    fn long_bad_values_are_not_echoed_whole() {
        let err = parse(&format!("q=a&k={}", "x".repeat(1000))).unwrap_err();
        assert!(err.to_string().len() < 200, "{err}");
        assert!(err.to_string().contains('…'), "{err}");
    }

    #[test]
    fn limits_are_checked() {
        assert!(Limits::new(5, 5, 10).is_ok());
        assert!(matches!(
            Limits::new(5, 6, 10),
            Err(LimitsError::DefaultK { .. })
        ));
        assert!(matches!(
            Limits::new(5, 0, 10),
            Err(LimitsError::DefaultK { .. })
        ));
        assert!(matches!(
            Limits::new(5, 1, MAX_QUERY_CHARS + 1),
            Err(LimitsError::QueryChars { .. })
        ));
        let tight = Limits::new(3, 2, 4).unwrap();
        assert_eq!(parse_query("q=abcd", &tight).unwrap().k, 2);
        assert!(parse_query("q=abcde", &tight).is_err());
        assert!(parse_query("q=a&k=4", &tight).is_err());
    }
}
