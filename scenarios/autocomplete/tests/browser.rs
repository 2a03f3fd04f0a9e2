//! The search page in a real browser: headless Debian `chromium`, driven over
//! WebDriver by `fantoccini` and Debian's `chromedriver`, against the real
//! router on a loopback port, wrapped in a test layer that records every
//! `GET /complete` and can hold back the answer to one query.
//!
//! One browser runs these checks in turn, each on a freshly loaded page:
//!
//! 1. typing a prefix shows the index's own answer, exact and fuzzy;
//! 2. a slow, stale answer never overwrites a newer one: the answer to `P` is
//!    held back [`SLOW`]; the test types `P`, waits until the server has the
//!    request, types one more character and checks the list shows `P+c`'s
//!    answer and still does after `P`'s request ended. Run twice: once as
//!    is (the page must abort `P`'s request), once with `AbortController`
//!    made a no-op, so `P`'s answer really arrives late and only the page's
//!    sequence number can keep it out;
//! 3. typing a word quickly sends fewer requests than keys were pressed;
//! 4. ArrowDown/ArrowUp move the highlight (ARIA), Enter picks, Escape closes.
//!
//! Without chromium or chromedriver the test says "skipping" and passes,
//! except when `CI` is set (to anything but `false` or `0`), where it fails.
//! It waits for states with a deadline and never asserts a duration.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use autocomplete::serve::{Limits, parse_query, router};
use autocomplete::{Completer, FuzzyQuery, Optimized, generate, workload};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Finding and starting Debian's chromedriver and chromium (as
/// `harness/render`'s browser test does, trimmed to what this test needs).
mod driver {
    use std::io::{BufRead, BufReader};
    use std::path::PathBuf;
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    use serde_json::{Map, Value, json};

    /// How long chromedriver may take to say its port.
    const START: Duration = Duration::from_secs(60);

    /// Headless, quiet, one window; a profile and `--no-sandbox` (as root
    /// only, where chromium refuses its sandbox) are added per session.
    const CHROMIUM_ARGS: &str = "--headless=new --disable-gpu --window-size=1000,900 \
        --no-first-run --disable-background-networking --disable-component-update --disable-sync";

    /// The programs the test needs.
    #[derive(Debug)]
    pub struct Binaries {
        pub chromium: PathBuf,
        pub chromedriver: PathBuf,
    }

    /// Whether `CI` asks for a failure instead of a skip.
    fn in_ci() -> bool {
        std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
    }

    /// Chromium and chromedriver (`$PERFLAB_CHROMIUM`, `$PERFLAB_CHROMEDRIVER`,
    /// else the usual names on `PATH`), or `None` after saying what is
    /// missing. Under CI a missing program fails the test instead.
    pub fn binaries_or_skip() -> Option<Binaries> {
        let chromium = find("PERFLAB_CHROMIUM", &["chromium", "chromium-browser"]);
        let chromedriver = find("PERFLAB_CHROMEDRIVER", &["chromedriver"]);
        let missing = if chromium.is_none() {
            "chromium not found (Debian's `chromium`, or set PERFLAB_CHROMIUM)"
        } else if chromedriver.is_none() {
            "chromedriver not found (Debian's `chromium-driver`, or set PERFLAB_CHROMEDRIVER)"
        } else {
            ""
        };
        if !missing.is_empty() {
            assert!(
                !in_ci(),
                "{missing}, and CI is set: apt-get install chromium chromium-driver"
            );
            eprintln!("skipping the browser test: {missing}");
            return None;
        }
        Some(Binaries {
            chromium: chromium?,
            chromedriver: chromedriver?,
        })
    }

    fn find(variable: &str, names: &[&str]) -> Option<PathBuf> {
        if let Some(p) = std::env::var_os(variable).filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(p));
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    }

    /// A running chromedriver, killed when dropped (also when the test
    /// panics), and the profile directory of the chromium it starts.
    #[derive(Debug)]
    pub struct Chromium {
        child: Child,
        url: String,
        binary: PathBuf,
        profile: tempfile::TempDir,
    }

    impl Chromium {
        pub fn start(binaries: &Binaries) -> Chromium {
            // Port 0: the driver picks a free port and prints it.
            let mut child = Command::new(&binaries.chromedriver)
                .arg("--port=0")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", binaries.chromedriver.display()));
            let stdout = child.stdout.take();
            let profile = tempfile::tempdir()
                .unwrap_or_else(|e| panic!("a profile directory for chromium: {e}"));
            // The guard exists before the wait, so a silent driver is killed.
            let mut driver = Chromium {
                child,
                url: String::new(),
                binary: binaries.chromium.clone(),
                profile,
            };
            let (port_tx, port_rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut port_tx = Some(port_tx);
                // Read to the end, so the driver never blocks on a full pipe.
                for line in stdout.into_iter().flat_map(|s| BufReader::new(s).lines()) {
                    let Ok(line) = line else { break };
                    if let Some((_, rest)) = line.split_once("started successfully on port ")
                        && let Some(tx) = port_tx.take()
                    {
                        let _ = tx.send(rest.trim_end_matches('.').to_owned());
                    }
                }
            });
            let port = port_rx.recv_timeout(START).unwrap_or_else(|_| {
                panic!("{} did not say its port", binaries.chromedriver.display())
            });
            driver.url = format!("http://127.0.0.1:{port}");
            driver
        }

        /// The driver's WebDriver endpoint.
        pub fn url(&self) -> &str {
            &self.url
        }

        /// The session's capabilities: [`CHROMIUM_ARGS`] and a profile.
        pub fn capabilities(&self) -> Map<String, Value> {
            let mut args: Vec<String> = CHROMIUM_ARGS
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            args.push(format!("--user-data-dir={}", self.profile.path().display()));
            let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
                s.lines()
                    .any(|l| l.split_whitespace().take(2).eq(["Uid:", "0"]))
            });
            if root {
                args.push("--no-sandbox".to_owned());
            }
            let capabilities = json!({
                "goog:chromeOptions": { "binary": self.binary, "args": args },
                "timeouts": { "pageLoad": 60_000, "script": 60_000 },
            });
            match capabilities {
                Value::Object(map) => map,
                _ => Map::new(),
            }
        }
    }

    impl Drop for Chromium {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// How long the held-back answer is delayed.
const SLOW: Duration = Duration::from_millis(600);
/// The page's `k`.
const K: usize = 10;
/// How long a state may take to appear before the test fails.
const WAIT: Duration = Duration::from_secs(15);
/// How long the whole browser session may take.
const SESSION: Duration = Duration::from_secs(240);

/// What the test layer saw, shared with the server's thread.
#[derive(Debug, Default)]
struct Probe {
    /// `q` of every `/complete` request, in arrival order.
    seen: Vec<String>,
    /// The `q` whose answer is held back [`SLOW`].
    slow: Option<String>,
}

type SharedProbe = Arc<Mutex<Probe>>;

async fn probe_layer(State(probe): State<SharedProbe>, request: Request, next: Next) -> Response {
    let uri = request.uri();
    if uri.path() == "/complete"
        && let Ok(params) = parse_query(uri.query().unwrap_or_default(), &Limits::default())
    {
        let hold = probe.lock().is_ok_and(|mut probe| {
            probe.seen.push(params.q.clone());
            probe.slow.as_deref() == Some(params.q.as_str())
        });
        if hold {
            tokio::time::sleep(SLOW).await;
        }
    }
    next.run(request).await
}

/// Installed on each page before typing: records what the page's `fetch`
/// calls do, and any uncaught error.
const INSTRUMENT: &str = r#"
window.__log = { sent: [], answered: [], aborted: [], errors: [] };
addEventListener('error', (e) => __log.errors.push(String(e.message)));
addEventListener('unhandledrejection', (e) => __log.errors.push(String(e.reason)));
const original = window.fetch;
window.fetch = async (url, options) => {
  const q = new URL(url, location.href).searchParams.get('q');
  __log.sent.push(q);
  if (options && options.signal) {
    options.signal.addEventListener('abort', () => __log.aborted.push(q));
  }
  const response = await original(url, options);
  __log.answered.push(q);
  return response;
};
"#;

/// What the page shows: the options' texts, whether the list is hidden, the
/// highlighted option, the box's value and what was chosen.
const STATE: &str = r#"
const list = document.getElementById('suggestions');
const input = document.getElementById('q');
return {
  texts: Array.from(list.querySelectorAll('[role="option"] .text'), (e) => e.textContent),
  selected: Array.from(list.querySelectorAll('[role="option"][aria-selected="true"]'), (e) => e.id),
  hidden: list.hidden,
  expanded: input.getAttribute('aria-expanded'),
  active: input.getAttribute('aria-activedescendant'),
  value: input.value,
  chosen: document.getElementById('chosen').value,
  log: window.__log,
};
"#;

struct Session {
    client: Client,
    base: String,
    index: Arc<Optimized>,
    probe: SharedProbe,
}

impl Session {
    fn seen(&self) -> Vec<String> {
        self.probe
            .lock()
            .map(|p| p.seen.clone())
            .unwrap_or_default()
    }

    /// Forgets the requests seen and holds back the answer to `slow`.
    fn reset(&self, slow: Option<&str>) {
        if let Ok(mut probe) = self.probe.lock() {
            probe.seen.clear();
            probe.slow = slow.map(str::to_owned);
        }
    }

    async fn state(&self) -> Value {
        self.client
            .execute(STATE, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("reading the page's state: {e}"))
    }

    async fn open(&self) {
        self.client
            .goto(&format!("{}/", self.base))
            .await
            .unwrap_or_else(|e| panic!("loading {}/: {e}", self.base));
        self.client
            .execute(INSTRUMENT, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("instrumenting the page: {e}"));
    }

    async fn keys(&self, keys: &str) {
        let input = self
            .client
            .find(Locator::Id("q"))
            .await
            .unwrap_or_else(|e| panic!("finding the search box: {e}"));
        input
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("typing {keys:?}: {e}"));
    }

    async fn key(&self, key: Key) {
        self.keys(&key.to_string()).await;
    }

    /// Waits until `done` holds for the page's state; fails naming `what`.
    async fn wait_until(&self, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let state = self.state().await;
            if done(&state) {
                return state;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not within {WAIT:?}; the page shows {state:#}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn wait_for_list(&self, what: &str, expected: &[String]) -> Value {
        let want = json!(expected);
        self.wait_until(what, |s| s["texts"] == want && s["hidden"] == false)
            .await
    }

    fn exact(&self, prefix: &str) -> Vec<String> {
        texts(self.index.complete(prefix, K))
    }

    fn no_page_errors(&self, state: &Value) {
        assert_eq!(
            state["log"]["errors"],
            json!([]),
            "the page reported errors"
        );
    }
}

fn texts(suggestions: Vec<autocomplete::Suggestion>) -> Vec<String> {
    suggestions.into_iter().map(|s| s.text).collect()
}

/// 1: the list is the index's answer, exact and fuzzy.
async fn typing_shows_the_index_answer(s: &Session, prefix: &str) {
    s.open().await;
    s.keys(prefix).await;
    let expected = s.exact(prefix);
    assert!(expected.len() >= 3, "{prefix:?} is a busy prefix");
    let state = s
        .wait_for_list(&format!("the answer for {prefix:?}"), &expected)
        .await;
    assert_eq!(state["expanded"], "true");
    s.no_page_errors(&state);

    // A misspelt term, one edit away, with one typo allowed.
    let term = s.index.complete("", 1)[0].text.clone();
    let misspelt: String = term
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 1 { 'q' } else { c })
        .collect();
    s.open().await;
    let fuzzy = s
        .client
        .find(Locator::Id("fuzzy"))
        .await
        .unwrap_or_else(|e| panic!("finding the fuzzy selector: {e}"));
    fuzzy
        .select_by_value("1")
        .await
        .unwrap_or_else(|e| panic!("choosing 1 typo: {e}"));
    s.keys(&misspelt).await;
    let query = FuzzyQuery::new(&misspelt, 1).unwrap_or_else(|e| panic!("{misspelt:?}: {e}"));
    let expected = texts(s.index.complete_fuzzy(&query, K));
    assert!(
        expected.contains(&term),
        "{term:?} is one edit from {misspelt:?}"
    );
    let state = s
        .wait_for_list(&format!("the fuzzy answer for {misspelt:?}"), &expected)
        .await;
    s.no_page_errors(&state);
}

/// 2: the held-back answer to `slow` never replaces the answer to `newer`.
async fn a_stale_answer_never_wins(s: &Session, slow: &str, newer: &str, abort_works: bool) {
    let round = if abort_works {
        "with AbortController"
    } else {
        "with AbortController disabled"
    };
    let expected = s.exact(newer);
    assert_ne!(s.exact(slow), expected, "the two answers differ");
    s.reset(Some(slow));
    s.open().await;
    if !abort_works {
        s.client
            .execute(
                "window.AbortController = class { constructor() { this.signal = undefined; } abort() {} };",
                Vec::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("disabling AbortController: {e}"));
    }
    s.keys(slow).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while !s.seen().iter().any(|q| q == slow) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{round}: the request for {slow:?} never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let last = &newer[slow.len()..];
    s.keys(last).await;
    s.wait_for_list(&format!("{round}: the answer for {newer:?}"), &expected)
        .await;
    // Until the stale request is over: aborted, or answered late.
    let ended = if abort_works { "aborted" } else { "answered" };
    s.wait_until(
        &format!("{round}: the request for {slow:?} {ended}"),
        |st| {
            st["log"][ended]
                .as_array()
                .is_some_and(|qs| qs.iter().any(|q| q == slow))
        },
    )
    .await;
    // Time for the page to act on a late answer, had it been accepted.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let state = s.state().await;
    assert_eq!(
        state["texts"],
        json!(expected),
        "{round}: the stale answer for {slow:?} replaced the one for {newer:?}"
    );
    s.no_page_errors(&state);
    s.reset(None);
}

/// 3: a quickly typed word costs fewer requests than keys.
async fn debouncing_sends_fewer_requests_than_keys(s: &Session, word: &str) {
    s.reset(None);
    s.open().await;
    s.keys(word).await;
    let expected = s.exact(word);
    s.wait_for_list(&format!("the answer for {word:?}"), &expected)
        .await;
    // Any request still to come would be out by now.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let seen = s.seen();
    let keys = word.chars().count();
    assert!(
        !seen.is_empty() && seen.len() < keys,
        "{keys} keys pressed, {} requests sent: {seen:?}",
        seen.len()
    );
    assert_eq!(seen.last().map(String::as_str), Some(word), "{seen:?}");
    s.no_page_errors(&s.state().await);
}

/// 4: ArrowDown/ArrowUp move the highlight, Enter picks, Escape closes.
async fn the_keyboard_drives_the_list(s: &Session, prefix: &str) {
    s.open().await;
    s.keys(prefix).await;
    let expected = s.exact(prefix);
    let n = expected.len();
    s.wait_for_list(&format!("the answer for {prefix:?}"), &expected)
        .await;
    // Down three times, up three times (wrapping to the last), down twice.
    let keys = [Key::Down, Key::Down, Key::Down, Key::Up, Key::Up, Key::Up];
    let moves = keys
        .into_iter()
        .chain([Key::Down, Key::Down])
        .zip([0, 1, 2, 1, 0, n - 1, 0, 1]);
    for (key, at) in moves {
        s.key(key).await;
        let id = format!("suggestion-{at}");
        let state = s.state().await;
        assert_eq!(state["active"], json!(id), "after {key:?}: {state:#}");
        assert_eq!(state["selected"], json!([id]), "after {key:?}: {state:#}");
    }
    s.key(Key::Enter).await;
    let state = s.state().await;
    assert_eq!(
        state["value"],
        json!(expected[1]),
        "Enter picks the highlighted option"
    );
    assert_eq!(state["chosen"], json!(expected[1]));
    assert_eq!(
        (&state["hidden"], &state["expanded"]),
        (&json!(true), &json!("false"))
    );

    // Backspace searches again; Escape closes the list, and again clears the box.
    s.key(Key::Backspace).await;
    let mut shorter = expected[1].clone();
    shorter.pop();
    s.wait_for_list("the answer after Backspace", &s.exact(&shorter))
        .await;
    s.key(Key::Escape).await;
    let state = s.state().await;
    assert_eq!(state["hidden"], true, "Escape closes the list");
    assert_eq!(
        state["value"],
        json!(shorter),
        "the first Escape keeps the text"
    );
    s.key(Key::Escape).await;
    let state = s.state().await;
    assert_eq!(state["value"], "", "the second Escape clears the box");
    s.no_page_errors(&state);
}

async fn run_checks(s: Session, prefix: String) {
    typing_shows_the_index_answer(&s, &prefix).await;
    // `slow` and `newer` come from the heaviest ASCII term of 8+ characters,
    // which is also the word typed quickly.
    let long = texts(s.index.complete("", 100))
        .into_iter()
        .find(|t| t.chars().count() >= 8 && t.is_ascii())
        .unwrap_or_else(|| panic!("the index has an ASCII term of 8+ characters"));
    let (slow, newer) = (&long[..2], &long[..3]);
    a_stale_answer_never_wins(&s, slow, newer, true).await;
    a_stale_answer_never_wins(&s, slow, newer, false).await;
    debouncing_sends_fewer_requests_than_keys(&s, &long).await;
    the_keyboard_drives_the_list(&s, &prefix).await;
}

#[test]
fn the_search_page_works_in_headless_chromium() {
    let Some(binaries) = driver::binaries_or_skip() else {
        return;
    };
    let terms = generate(20_000, workload::SEED);
    let prefix = workload::representative_prefix(&terms, 2);
    let index = Arc::new(Optimized::build(terms));
    let probe = SharedProbe::default();
    let app = router(Arc::clone(&index), Limits::default()).layer(
        axum::middleware::from_fn_with_state(Arc::clone(&probe), probe_layer),
    );
    let server = perflab_kit::ServiceThread::start("ac-browser-svc", move || async move {
        Ok::<_, std::convert::Infallible>(move |listener| async move {
            axum::serve(listener, app).await
        })
    })
    .unwrap_or_else(|e| panic!("starting the service: {e}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("a tokio runtime: {e}"));
    let browser = driver::Chromium::start(&binaries);
    let outcome = runtime.block_on(async {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(browser.capabilities())
            .connect(browser.url())
            .await
            .unwrap_or_else(|e| panic!("starting {}: {e}", binaries.chromium.display()));
        let session = Session {
            client: client.clone(),
            base: server.base_url(),
            index,
            probe,
        };
        // On its own task, so a failed check still ends the session below.
        let checks = tokio::spawn(tokio::time::timeout(SESSION, run_checks(session, prefix)));
        let outcome = checks.await;
        let _ = client.close().await;
        outcome
    });
    drop(browser);
    server
        .stop()
        .unwrap_or_else(|e| panic!("stopping the service: {e}"));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(_)) => panic!("the browser checks did not finish within {SESSION:?}"),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("the browser checks were cancelled: {e}"),
    }
}
