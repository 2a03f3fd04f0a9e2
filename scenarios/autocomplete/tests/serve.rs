//! The HTTP service: answers against the naive variant's, every 400 case
//! with its JSON error, the metrics text and the page. Most tests drive the
//! router in-process (`tower::ServiceExt::oneshot`); one goes through a real
//! server on a loopback port, so hyper's own parsing is in the path too.
//! Nothing here measures time.

use std::sync::Arc;

use autocomplete::serve::{CompleteResponse, ErrorBody, Limits, SuggestionBody, router};
use autocomplete::{Completer, FuzzyQuery, Naive, Optimized, Suggestion, generate, workload};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use tower::ServiceExt;

const TERMS: usize = 5_000;

fn terms() -> Vec<autocomplete::Term> {
    generate(TERMS, workload::SEED)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("a UTF-8 body")
    }

    fn answer(&self) -> CompleteResponse {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text());
        assert_eq!(self.content_type(), "application/json");
        serde_json::from_slice(&self.body).expect("a CompleteResponse")
    }

    fn error(&self) -> ErrorBody {
        assert_eq!(self.content_type(), "application/json", "{}", self.text());
        serde_json::from_slice(&self.body).expect("an ErrorBody")
    }
}

async fn send(app: &Router, method: &str, uri: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .expect("a valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .expect("a body")
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, "GET", uri).await
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn bodies(suggestions: Vec<Suggestion>) -> Vec<SuggestionBody> {
    suggestions.into_iter().map(SuggestionBody::from).collect()
}

/// Prefixes with many, few and no matches, multi-byte ones, and the empty one.
fn prefixes(terms: &[autocomplete::Term]) -> Vec<String> {
    let mut out: Vec<String> = ["", "c", "ca", "pr", "zz", "zzzzzz", "é", "ca ", "日本"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    out.push(workload::representative_prefix(terms, 2));
    out.push(terms[17].text.clone());
    out.push(terms[42].text.chars().take(3).collect());
    out
}

#[tokio::test]
async fn exact_answers_are_the_naive_answers_for_both_variants() {
    let terms = terms();
    let naive = Naive::build(terms.clone());
    let optimized = router(Arc::new(Optimized::build(terms.clone())), Limits::default());
    let naive_app = router(Arc::new(Naive::build(terms.clone())), Limits::default());
    for prefix in prefixes(&terms) {
        for k in [1, 10, 100] {
            let uri = format!("/complete?q={}&k={k}", encode(&prefix));
            let expected = bodies(naive.complete(&prefix, k));
            for app in [&optimized, &naive_app] {
                let answer = get(app, &uri).await.answer();
                assert_eq!(answer.query, prefix);
                assert_eq!((answer.k, answer.fuzzy), (k, 0));
                assert_eq!(answer.suggestions, expected, "{uri}");
            }
        }
    }
    // Without k, the default; spaces may come as `+`.
    let answer = get(&optimized, "/complete?q=c").await.answer();
    assert_eq!(answer.k, 10);
    assert_eq!(answer.suggestions, bodies(naive.complete("c", 10)));
    assert_eq!(answer.suggestions.len(), 10, "`c` matches far more than 10");
    let answer = get(&optimized, "/complete?q=a+b").await.answer();
    assert_eq!(answer.query, "a b");
}

#[tokio::test]
async fn fuzzy_answers_are_the_naive_answers() {
    let terms = terms();
    let naive = Naive::build(terms.clone());
    let app = router(Arc::new(Optimized::build(terms.clone())), Limits::default());
    let misspelt: String = {
        // A real term's first five characters with the third replaced.
        let t: Vec<char> = terms[3].text.chars().take(5).collect();
        t.iter()
            .enumerate()
            .map(|(i, &c)| if i == 2 { 'x' } else { c })
            .collect()
    };
    for q in ["cartn", "sen", "x", "", "é", misspelt.as_str()] {
        for distance in [1, 2] {
            let k = 7;
            let uri = format!("/complete?q={}&k={k}&fuzzy={distance}", encode(q));
            let query = FuzzyQuery::new(q, distance).expect("a valid query");
            let expected = bodies(naive.complete_fuzzy(&query, k));
            let answer = get(&app, &uri).await.answer();
            assert_eq!((answer.k, answer.fuzzy), (k, distance));
            assert_eq!(answer.suggestions, expected, "{uri}");
        }
    }
    let answer = get(&app, &format!("/complete?q={}&fuzzy=1", encode(&misspelt)))
        .await
        .answer();
    assert!(
        answer.suggestions.iter().any(|s| s.distance == 1),
        "a misspelt prefix finds terms one edit away: {answer:?}"
    );
}

#[tokio::test]
async fn every_bad_request_is_a_json_400_naming_the_parameter() {
    let app = router(Arc::new(Optimized::build(terms())), Limits::default());
    let too_long = encode(&"é".repeat(autocomplete::MAX_QUERY_CHARS + 1));
    let cases = [
        ("/complete".to_owned(), "q"),
        ("/complete?k=5".to_owned(), "q"),
        ("/complete?q=%FF".to_owned(), "q"),
        ("/complete?q=ab%C3".to_owned(), "q"),
        ("/complete?q=%zz".to_owned(), "q"),
        ("/complete?q=a&q=b".to_owned(), "q"),
        (format!("/complete?q={too_long}"), "q"),
        (format!("/complete?q={too_long}&fuzzy=1"), "q"),
        ("/complete?q=a&k=".to_owned(), "k"),
        ("/complete?q=a&k=ten".to_owned(), "k"),
        ("/complete?q=a&k=0".to_owned(), "k"),
        ("/complete?q=a&k=101".to_owned(), "k"),
        ("/complete?q=a&k=-3".to_owned(), "k"),
        ("/complete?q=a&k=1e2".to_owned(), "k"),
        ("/complete?q=a&k=18446744073709551617".to_owned(), "k"),
        ("/complete?q=a&fuzzy=3".to_owned(), "fuzzy"),
        ("/complete?q=a&fuzzy=-1".to_owned(), "fuzzy"),
        ("/complete?q=a&fuzzy=yes".to_owned(), "fuzzy"),
        ("/complete?q=a&fuzzy=%FF".to_owned(), "fuzzy"),
    ];
    for (uri, parameter) in cases {
        let reply = get(&app, &uri).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{uri}: {}",
            reply.text()
        );
        let error = reply.error();
        assert_eq!(
            error.parameter.as_deref(),
            Some(parameter),
            "{uri}: {error:?}"
        );
        assert!(
            error.error.contains(&format!("`{parameter}`")),
            "{uri}: the message names `{parameter}`: {}",
            error.error
        );
    }
    // The longest allowed query is fine.
    let longest = encode(&"é".repeat(autocomplete::MAX_QUERY_CHARS));
    let reply = get(&app, &format!("/complete?q={longest}&fuzzy=2")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn limits_given_to_the_router_apply() {
    let limits = Limits::new(5, 3, 4).expect("valid limits");
    let app = router(Arc::new(Optimized::build(terms())), limits);
    assert_eq!(
        get(&app, "/complete?q=c").await.answer().suggestions.len(),
        3
    );
    assert_eq!(get(&app, "/complete?q=c&k=5").await.answer().k, 5);
    let error = get(&app, "/complete?q=c&k=6").await.error();
    assert!(error.error.contains("from 1 to 5"), "{}", error.error);
    let error = get(&app, "/complete?q=abcde").await.error();
    assert!(error.error.contains("at most 4"), "{}", error.error);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json_errors() {
    let app = router(Arc::new(Naive::build(terms())), Limits::default());
    let reply = get(&app, "/nowhere").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.error().error.contains("/nowhere"));
    let reply = send(&app, "POST", "/complete?q=a").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(reply.error().error.contains("GET"));
    assert_eq!(get(&app, "/health").await.text(), "ok");
}

/// The count of one sample line (`name{labels} value`) in a scrape.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_status_and_show_the_index_size() {
    let app = router(Arc::new(Optimized::build(terms())), Limits::default());
    for uri in ["/complete?q=c", "/complete?q=ca", "/complete?q=ca&fuzzy=1"] {
        assert_eq!(get(&app, uri).await.status, StatusCode::OK);
    }
    for uri in ["/complete?k=1", "/complete?q=%FF"] {
        assert_eq!(get(&app, uri).await.status, StatusCode::BAD_REQUEST);
    }
    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), autocomplete::serve::CONTENT_TYPE);
    let text = reply.text();
    let route = r#"method="GET",route="/complete""#;
    assert_eq!(
        sample(
            &text,
            &format!("http_requests_total{{{route},status=\"200\"}}")
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("http_requests_total{{{route},status=\"400\"}}")
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "autocomplete_terms"),
        Some(TERMS as f64),
        "{text}"
    );
    assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
    assert_eq!(
        sample(
            &text,
            &format!("http_request_duration_seconds_count{{{route},status_class=\"2xx\"}}")
        ),
        Some(3.0),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "http_request_duration_seconds_bucket{{le=\"0.002\",{route},status_class=\"2xx\"}}"
        )),
        "the 2 ms objective is a bucket edge: {text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"autocomplete_query_duration_seconds_count{kind="exact"}"#
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"autocomplete_query_duration_seconds_count{kind="fuzzy"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "http_requests_in_flight"),
        Some(1.0),
        "this scrape"
    );
    assert!(
        text.ends_with("# EOF\n"),
        "OpenMetrics text ends with # EOF"
    );
}

#[tokio::test]
async fn the_page_its_script_and_its_style_are_served() {
    let app = router(Arc::new(Naive::build(terms())), Limits::default());
    let page = get(&app, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.content_type(), "text/html; charset=utf-8");
    let html = page.text();
    for needle in [
        r#"id="q""#,
        r#"role="combobox""#,
        r#"role="listbox""#,
        r#"id="fuzzy""#,
        r#"src="/app.js""#,
        r#"href="/style.css""#,
    ] {
        assert!(html.contains(needle), "the page has {needle}");
    }
    let policy = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let script = get(&app, "/app.js").await;
    assert_eq!(script.content_type(), "text/javascript; charset=utf-8");
    let js = script.text();
    for needle in [
        "AbortController",
        "DEBOUNCE_MS = 100",
        "ArrowDown",
        "Escape",
    ] {
        assert!(js.contains(needle), "the script has {needle}");
    }
    assert!(!js.contains("innerHTML"), "text is never parsed as HTML");
    let style = get(&app, "/style.css").await;
    assert_eq!(style.content_type(), "text/css; charset=utf-8");
    assert!(!style.body.is_empty());
}

/// One request over a real loopback connection; the raw response.
fn raw_get(addr: std::net::SocketAddr, target: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connecting");
    let mut request = b"GET ".to_vec();
    request.extend_from_slice(target);
    request.extend_from_slice(b" HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(&request).expect("sending");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reading");
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn a_real_server_on_loopback_answers_and_refuses_with_json() {
    let index = Arc::new(Optimized::build(terms()));
    let naive = Naive::build(terms());
    let app = router(Arc::clone(&index), Limits::default());
    let server = perflab_kit::ServiceThread::start("ac-serve-test", move || async move {
        Ok::<_, std::convert::Infallible>(move |listener| async move {
            axum::serve(listener, app).await
        })
    })
    .expect("the server starts");
    let raw = raw_get(server.addr(), b"/complete?q=ca&k=3");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let answer: CompleteResponse = serde_json::from_str(body).expect("JSON");
    assert_eq!(answer.suggestions, bodies(naive.complete("ca", 3)));
    let raw = raw_get(server.addr(), b"/complete?q=%FF&k=3");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let error: ErrorBody = serde_json::from_str(body).expect("JSON");
    assert_eq!(error.parameter.as_deref(), Some("q"));
    server.stop().expect("the server stops cleanly");
}

/// An index whose fuzzy queries block until the test opens the gate.
struct Gated {
    inner: Naive,
    open: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
    /// Fuzzy queries inside the index now.
    inside: std::sync::atomic::AtomicUsize,
}

impl Gated {
    fn open(&self) {
        *self.open.lock().expect("the gate") = true;
        self.opened.notify_all();
    }
}

impl Completer for Gated {
    const VARIANT: &'static str = "gated";

    fn build(terms: Vec<autocomplete::Term>) -> Self {
        Gated {
            inner: Naive::build(terms),
            open: std::sync::Mutex::new(false),
            opened: std::sync::Condvar::new(),
            inside: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn complete_bytes(&self, prefix: &[u8], k: usize) -> Vec<Suggestion> {
        self.inner.complete_bytes(prefix, k)
    }

    fn complete_fuzzy(&self, query: &FuzzyQuery, k: usize) -> Vec<Suggestion> {
        self.inside
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut open = self.open.lock().expect("the gate");
        while !*open {
            open = self.opened.wait(open).expect("the gate");
        }
        drop(open);
        self.inner.complete_fuzzy(query, k)
    }

    fn len(&self) -> usize {
        self.inner.len()
    }

    fn heap_bytes(&self) -> usize {
        self.inner.heap_bytes()
    }
}

/// Regression: with one queue for all queries, as many slow fuzzy queries as
/// cores held every permit and exact queries waited behind them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_fuzzy_queries_do_not_hold_up_exact_ones() {
    let gated = Arc::new(Gated::build(terms()));
    // Opens the gate however the test ends: the runtime waits for the
    // blocked query threads when it shuts down.
    struct OpenOnDrop(Arc<Gated>);
    impl Drop for OpenOnDrop {
        fn drop(&mut self) {
            self.0.open();
        }
    }
    let _guard = OpenOnDrop(Arc::clone(&gated));
    let app = router(Arc::clone(&gated), Limits::default());
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let fuzzy: Vec<_> = (0..cores)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { get(&app, "/complete?q=cartn&fuzzy=1").await })
        })
        .collect();
    // Every fuzzy request is in the handler (the scrape is the one more in
    // flight), and at least one is inside the index, holding its permit.
    let series = "http_requests_in_flight";
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fuzzy requests never all reached the handler"
        );
        let text = get(&app, "/metrics").await.text();
        let inside = gated.inside.load(std::sync::atomic::Ordering::SeqCst);
        if sample(&text, series) == Some((cores + 1) as f64) && inside >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let exact = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        get(&app, "/complete?q=ca&k=3"),
    )
    .await
    .expect("an exact query is answered while fuzzy ones are stuck");
    let naive = Naive::build(terms());
    assert_eq!(exact.answer().suggestions, bodies(naive.complete("ca", 3)));
    assert!(
        fuzzy.iter().all(|f| !f.is_finished()),
        "the gate is still shut"
    );
    gated.open();
    for reply in fuzzy {
        assert_eq!(reply.await.expect("a fuzzy request").status, StatusCode::OK);
    }
}
