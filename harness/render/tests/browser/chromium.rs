//! Headless Chromium for the report's browser test, driven over WebDriver:
//! start Debian's `chromedriver` and through it Debian's `chromium`, open
//! pages from `file://`, evaluate JavaScript, take a screenshot, and keep
//! every error a page reports. The test's own words for these steps, on top
//! of `fantoccini`'s; it never downloads a browser or a driver.
//!
//! Why WebDriver and not a DevTools-protocol crate: `headless_chrome` and its
//! build-time protocol generator cost ~260 s of CPU to compile, and waited
//! ~100 ms per call on its websocket read timeout, while `fantoccini` without
//! TLS builds from crates the workspace mostly has already. WebDriver is a
//! W3C standard with a driver Debian ships (`chromium-driver`) at exactly the
//! browser's version, so the protocol cannot drift from the browser.

use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::wd::{WebDriverCompatibleCommand, WindowHandle};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a page may take to load, or a script to answer (the driver's
/// own timeouts, set in the session's capabilities).
const TIMEOUT: Duration = Duration::from_secs(60);

/// How long any one command may take before the test gives up on the
/// driver itself: a little over [`TIMEOUT`], so the driver's own timeout
/// answers first when it can.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// The binaries the test needs.
#[derive(Debug)]
pub struct Binaries {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Chromium and its driver: `$PERFLAB_CHROMIUM` / `$PERFLAB_CHROMEDRIVER`,
/// else the first of the usual names on `PATH`. The error names what is
/// missing.
pub fn find() -> Result<Binaries, String> {
    let chromium = find_binary(
        "PERFLAB_CHROMIUM",
        &[
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ],
    )
    .ok_or("chromium not found (Debian's `chromium`, or set PERFLAB_CHROMIUM)")?;
    let chromedriver = find_binary("PERFLAB_CHROMEDRIVER", &["chromedriver"]).ok_or(
        "chromedriver not found (Debian's `chromium-driver`, or set PERFLAB_CHROMEDRIVER)",
    )?;
    Ok(Binaries {
        chromium,
        chromedriver,
    })
}

fn find_binary(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(variable).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium refuses to sandbox as root; only then is the sandbox turned off.
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// A running `chromedriver`, killed when dropped (also when a test panics).
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(binary: &Path) -> Driver {
        // Port 0: chromedriver picks a free port and prints it, so two tests
        // never race for one.
        let mut child = Command::new(binary)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Not the test's: a browser that outlived its driver would hold
            // the test's output open.
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let stdout = child.stdout.take().expect("chromedriver's stdout");
        // The guard exists before the wait, so a driver that never answers
        // is killed by the panic below.
        let mut driver = Driver {
            child,
            url: String::new(),
        };
        let (port_tx, port_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut port_tx = Some(port_tx);
            // Read to the end, so the driver never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line
                    .split_once("started successfully on port ")
                    .map(|(_, rest)| rest.trim_end_matches('.').to_owned())
                    && let Some(tx) = port_tx.take()
                {
                    let _ = tx.send(port);
                }
            }
        });
        // The line is printed once the driver listens, so it answers from
        // here on: no `/status` polling needed.
        let port = port_rx
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|_| panic!("{} did not say its port", binary.display()));
        driver.url = format!("http://127.0.0.1:{port}");
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `POST /session/{id}/se/log` for the `browser` log: chromedriver's
/// extension (not in the W3C standard, which has no logs) that returns and
/// clears the console and error entries the pages logged.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or("")))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// A page (a window) of the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Page(WindowHandle);

/// A running headless Chromium, and the errors its pages reported so far.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Client,
    /// The window commands go to; [`Browser::focus`] moves it.
    current: RefCell<Option<Page>>,
    errors: RefCell<Vec<String>>,
    // Dropped in this order, after the session is closed: the driver, then
    // the browser's profile.
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn launch(binaries: &Binaries) -> Browser {
        let driver = Driver::start(&binaries.chromedriver);
        let profile = tempfile::tempdir().expect("a profile directory for chromium");
        let mut args = vec![
            "--headless=new".to_owned(),
            "--disable-gpu".to_owned(),
            "--window-size=1280,1600".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if running_as_root() {
            args.push("--no-sandbox".to_owned());
        }
        let timeout_ms = u64::try_from(TIMEOUT.as_millis()).unwrap_or(u64::MAX);
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": binaries.chromium,
                "args": args,
            },
            "goog:loggingPrefs": { "browser": "ALL" },
            // The standard's default, spelled out because `errors` relies on
            // it: a dialog fails the next command and is dismissed.
            "unhandledPromptBehavior": "dismiss and notify",
            "timeouts": { "pageLoad": timeout_ms, "script": timeout_ms },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = runtime
            .block_on(
                ClientBuilder::new(connector)
                    .capabilities(capabilities)
                    .connect(&driver.url),
            )
            .unwrap_or_else(|e| panic!("starting {}: {e}", binaries.chromium.display()));
        Browser {
            runtime,
            client,
            current: RefCell::new(None),
            errors: RefCell::default(),
            _driver: driver,
            _profile: profile,
        }
    }

    /// Opens a page. Errors of every page land in [`Browser::errors`].
    pub fn new_page(&self) -> Page {
        // The session starts with one window: the first page is that one.
        let window = if self.current.borrow().is_none() {
            self.run("finding the window", async |c: &Client| c.window().await)
        } else {
            let opened = self.run("opening a window", async |c: &Client| {
                c.new_window(true).await
            });
            opened.handle
        };
        let page = Page(window);
        self.focus(&page);
        page
    }

    /// Navigates and waits until the new document has loaded (WebDriver's
    /// navigation returns once `document.readyState` is `complete`).
    pub fn goto(&self, page: &Page, url: &str) {
        self.focus(page);
        self.run(&format!("navigating to {url}"), async |c: &Client| {
            c.goto(url).await
        });
    }

    /// Evaluates JavaScript in the page, awaiting a promise it returns, and
    /// returns its value (`null` for `undefined`).
    pub fn eval(&self, page: &Page, expression: &str) -> Value {
        self.focus(page);
        // WebDriver runs a function body; the global `eval` makes it run an
        // expression (or statements) and hand back its value, as a console
        // would. WebDriver then awaits a returned promise.
        self.run(&format!("evaluating {expression}"), async |c: &Client| {
            c.execute("return (0, eval)(arguments[0]);", vec![json!(expression)])
                .await
        })
    }

    /// A PNG of the page as shown.
    pub fn screenshot(&self, page: &Page) -> Vec<u8> {
        self.focus(page);
        self.run("taking a screenshot", async |c: &Client| {
            c.screenshot().await
        })
    }

    /// Errors the pages reported: uncaught exceptions, `console.error`,
    /// resources that failed to load (the browser log's `SEVERE` entries),
    /// and any dialog (an `alert` means a name was executed). A dialog still
    /// open is noted and dismissed here.
    pub fn errors(&self) -> Vec<String> {
        match self.block_on(async |c: &Client| c.get_alert_text().await) {
            Ok(text) => {
                self.note_dialog(&format!("dialog {text:?} open"));
                self.run("dismissing a dialog", async |c: &Client| {
                    c.dismiss_alert().await
                });
            }
            Err(e) if e.is_no_such_alert() => {}
            Err(e) => panic!("asking for a dialog: {e}"),
        }
        let log = self.run("reading the browser log", async |c: &Client| {
            c.issue_cmd(BrowserLog).await
        });
        let mut errors = self.errors.borrow_mut();
        for entry in log.as_array().into_iter().flatten() {
            if entry["level"] == "SEVERE" {
                errors.push(format!(
                    "{}: {}",
                    entry["source"].as_str().unwrap_or("browser"),
                    entry["message"].as_str().unwrap_or_default()
                ));
            }
        }
        errors.clone()
    }

    /// Sends later commands to `page`'s window.
    fn focus(&self, page: &Page) {
        if self.current.borrow().as_ref() == Some(page) {
            return;
        }
        self.run("switching windows", async |c: &Client| {
            c.switch_to_window(page.0.clone()).await
        });
        *self.current.borrow_mut() = Some(page.clone());
    }

    /// Runs one command; a dialog it finds open counts as an error, and the
    /// command is tried once more (the driver has dismissed the dialog).
    fn run<T>(&self, what: &str, command: impl AsyncFn(&Client) -> Result<T, CmdError>) -> T {
        match self.block_on(&command) {
            Err(CmdError::Standard(e)) if e.error == ErrorStatus::UnexpectedAlertOpen => {
                // "unexpected alert open: {Alert text : …}", without the
                // driver's session info on the next line.
                self.note_dialog(e.message.lines().next().unwrap_or_default());
                self.block_on(&command)
            }
            other => other,
        }
        .unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    fn block_on<T>(
        &self,
        command: impl AsyncFn(&Client) -> Result<T, CmdError>,
    ) -> Result<T, CmdError> {
        // The timer is made inside the runtime: tokio's need it there.
        self.runtime
            .block_on(async { tokio::time::timeout(COMMAND_TIMEOUT, command(&self.client)).await })
            .unwrap_or_else(|_| panic!("the driver did not answer within {COMMAND_TIMEOUT:?}"))
    }

    /// The DevTools protocol's name for the event, which the test looks for.
    fn note_dialog(&self, what: &str) {
        self.errors
            .borrow_mut()
            .push(format!("JavascriptDialogOpening: {what}"));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the session, which quits chromium; the driver is killed after.
        let client = self.client.clone();
        let _ = self
            .runtime
            .block_on(async { tokio::time::timeout(COMMAND_TIMEOUT, client.close()).await });
    }
}
