//! Headless Chromium for the report's browser test, driven by the
//! `headless_chrome` crate over the DevTools protocol: start Debian's
//! `chromium` (never a downloaded browser: the crate's `fetch` feature is
//! off), open pages from `file://`, evaluate JavaScript, take a screenshot,
//! and keep every error a page reports. The test's own words for these
//! steps, on top of the crate's.

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::protocol::cdp::Runtime;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{LaunchOptions, Tab};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a page may take to load, or a script to answer.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The Chromium binary: `$PERFLAB_CHROMIUM`, else the first of the usual
/// names on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PERFLAB_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
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

/// A page (a tab) of the browser.
pub type Page = Arc<Tab>;

/// A running headless Chromium, and the errors its pages reported so far.
pub struct Browser {
    browser: headless_chrome::Browser,
    errors: Arc<Mutex<Vec<String>>>,
}

impl Browser {
    pub fn launch(binary: &Path) -> Browser {
        let options = LaunchOptions::default_builder()
            .path(Some(binary.to_owned()))
            .headless(true)
            .sandbox(!running_as_root())
            .window_size(Some((1280, 1600)))
            // The crate closes a browser that sent nothing for this long.
            .idle_browser_timeout(Duration::from_secs(300))
            .build()
            .expect("chromium launch options");
        let browser = headless_chrome::Browser::new(options).expect("starting chromium");
        Browser {
            browser,
            errors: Arc::default(),
        }
    }

    /// Opens a page that reports its exceptions, console errors, error log
    /// entries and dialogs into [`Browser::errors`].
    pub fn new_page(&self) -> Page {
        let tab = self.browser.new_tab().expect("opening a page");
        tab.set_default_timeout(TIMEOUT);
        tab.enable_runtime().expect("Runtime.enable");
        tab.enable_log().expect("Log.enable");
        let errors = Arc::clone(&self.errors);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Some(error) = error_of(event) {
                errors.lock().unwrap().push(error);
            }
        }))
        .expect("listening to the page's events");
        tab
    }

    /// Navigates and waits until the new document has loaded.
    pub fn goto(&self, page: &Page, url: &str) {
        // The old document carries a mark the new one lacks: loaded means
        // unmarked and complete, whichever lifecycle events came first.
        self.eval(page, "window.__perflabLeaving = true");
        page.navigate_to(url)
            .unwrap_or_else(|e| panic!("navigating to {url}: {e}"));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let loaded = evaluate(
                page,
                "!window.__perflabLeaving && document.readyState === 'complete'",
            );
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            assert!(Instant::now() < deadline, "{url} did not load within 60 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Evaluates JavaScript in the page, awaiting a promise it returns, and
    /// returns its value (`null` for `undefined`).
    pub fn eval(&self, page: &Page, expression: &str) -> Value {
        evaluate(page, expression).unwrap_or_else(|e| panic!("evaluating {expression}: {e}"))
    }

    /// A PNG of the page as shown.
    pub fn screenshot(&self, page: &Page) -> Vec<u8> {
        page.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("Page.captureScreenshot")
    }

    /// Errors the pages reported: exceptions, console.error, error log
    /// entries, and any dialog (an `alert` means a name was executed).
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }
}

/// `Runtime.evaluate` by value (the crate's `Tab::evaluate` returns remote
/// objects, so arrays would come back without their items).
fn evaluate(page: &Page, expression: &str) -> Result<Value, String> {
    let answer = page
        .call_method(Runtime::Evaluate {
            expression: expression.to_owned(),
            object_group: None,
            include_command_line_api: None,
            silent: None,
            context_id: None,
            return_by_value: Some(true),
            generate_preview: None,
            user_gesture: None,
            await_promise: Some(true),
            throw_on_side_effect: None,
            timeout: None,
            disable_breaks: None,
            repl_mode: None,
            allow_unsafe_eval_blocked_by_csp: None,
            unique_context_id: None,
            serialization_options: None,
        })
        .map_err(|e| e.to_string())?;
    if let Some(e) = answer.exception_details {
        return Err(format!("{e:?}"));
    }
    Ok(answer.result.value.unwrap_or(Value::Null))
}

/// The error an event reports, if it reports one.
fn error_of(event: &Event) -> Option<String> {
    match event {
        Event::RuntimeExceptionThrown(e) => Some(format!("{e:?}")),
        Event::PageJavascriptDialogOpening(e) => Some(format!("{e:?}")),
        Event::RuntimeConsoleAPICalled(e)
            if e.params.Type == Runtime::ConsoleAPICalledEventTypeOption::Error =>
        {
            Some(format!("{e:?}"))
        }
        Event::LogEntryAdded(e)
            if e.params.entry.level
                == headless_chrome::protocol::cdp::Log::LogEntryLevel::Error =>
        {
            Some(format!("{e:?}"))
        }
        _ => None,
    }
}
