//! A real browser for tests: Debian's chromium, headless, driven over the DevTools protocol
//! (CDP) with a small synchronous websocket client. Shared by every test that needs a page to
//! actually run: embeds today, live reload, screenshots and accessibility checks later.
//!
//! ```ignore
//! let Some(browser) = Browser::launch() else { return }; // skipped without BLOG_BROWSER_TESTS=1
//! let server = Server::serve(&build.public);
//! let mut tab = browser.tab();
//! tab.navigate(&server.url("/posts/x/"));
//! assert!(tab.third_party_requests().is_empty());
//! tab.click("a.embed");
//! let src = tab.evaluate("document.querySelector('iframe').src");
//! tab.screenshot(&dir.join("post.png"));
//! tab.set_viewport(375, 812, true); // a phone
//! tab.set_media("screen", "dark");
//! tab.navigate(&server.url("/"));
//! tab.screenshot_page(&dir.join("home-dark.png")); // the whole page, not only the viewport
//! ```
//!
//! Browser tests run only when `BLOG_BROWSER_TESTS=1` (CI sets it); then a missing chromium
//! fails them. Without it they print that they were skipped and pass, so `cargo test` stays
//! quick and works on machines without a browser. `BLOG_CHROMIUM` names another binary.
//!
//! The browser never reaches the network: every host name but the test server's address
//! resolves to nothing, and the tab records every request a page attempts
//! (`Network.requestWillBeSent`), so a test can assert what a page *tried* to load.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// How long to wait for the browser before failing the test rather than hanging it. A
/// safety net only: no test measures time.
const PATIENCE: Duration = Duration::from_secs(60);

/// A headless chromium with a fresh profile, killed when dropped.
pub struct Browser {
    child: Child,
    /// `127.0.0.1:PORT` of its DevTools endpoint.
    devtools: String,
    /// The browser's own session: `/devtools/browser/<id>`.
    browser_path: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromium, or returns `None` (after saying so) when browser tests are off.
    pub fn launch() -> Option<Browser> {
        if std::env::var("BLOG_BROWSER_TESTS").as_deref() != Ok("1") {
            eprintln!("skipped: browser test (set BLOG_BROWSER_TESTS=1 to run it)");
            return None;
        }
        let binary = std::env::var("BLOG_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        assert!(
            Path::new(&binary).is_file(),
            "BLOG_BROWSER_TESTS=1 but there is no browser at {binary}: apt-get install -y chromium"
        );
        let profile = tempfile::tempdir().expect("temp dir for the browser profile");
        let mut child = Command::new(&binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--mute-audio",
                "--window-size=1280,800",
                "--remote-debugging-port=0",
                // Nothing leaves the machine, whatever a page asks for.
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                // Keep cross-site frames in the page's process, so the page's DevTools session
                // sees their requests too.
                "--disable-features=IsolateOrigins,site-per-process",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));

        // Chromium prints `DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…` on
        // stderr; the thread keeps draining stderr afterwards so the browser never blocks on it.
        let stderr = child.stderr.take().expect("piped stderr");
        let (found, listening) = mpsc::channel();
        thread::spawn(move || {
            let mut log = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = found.send(Ok(url.trim().to_owned()));
                } else if log.len() < 4000 {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
            let _ = found.send(Err(log));
        });
        let url = match listening.recv_timeout(PATIENCE) {
            Ok(Ok(url)) => url,
            Ok(Err(log)) => panic!("{binary} exited before listening:\n{log}"),
            Err(_) => panic!("{binary} did not start its DevTools endpoint"),
        };
        let (devtools, browser_path) = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.find('/').map(|slash| rest.split_at(slash)))
            .unwrap_or_else(|| panic!("unexpected DevTools address {url}"));
        let (devtools, browser_path) = (devtools.to_owned(), browser_path.to_owned());
        Some(Browser { child, devtools, browser_path, _profile: profile })
    }

    /// A new tab, with network events on.
    pub fn tab(&self) -> Tab {
        let mut browser = Cdp::connect(&self.devtools, &self.browser_path);
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let id = target["targetId"].as_str().expect("targetId");
        let mut cdp = Cdp::connect(&self.devtools, &format!("/devtools/page/{id}"));
        cdp.call("Page.enable", json!({}));
        cdp.call("Network.enable", json!({}));
        cdp.call("Runtime.enable", json!({}));
        Tab { cdp }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One page of the browser.
pub struct Tab {
    cdp: Cdp,
}

impl Tab {
    /// Loads `url` and waits for its `load` event (deferred scripts have run by then).
    pub fn navigate(&mut self, url: &str) {
        let mark = self.cdp.events.len();
        let result = self.cdp.call("Page.navigate", json!({"url": url}));
        if let Some(error) = result.get("errorText") {
            panic!("navigating to {url}: {error}");
        }
        self.cdp.wait_for(mark, |event| event["method"] == "Page.loadEventFired");
    }

    /// How many times a page has finished loading in this tab so far (`load` events): the
    /// test's own navigations, and reloads a page did by itself.
    #[cfg_attr(not(feature = "serve"), allow(dead_code))] // only the live-reload tests use it
    pub fn loads(&self) -> usize {
        self.cdp.events.iter().filter(|event| event["method"] == "Page.loadEventFired").count()
    }

    /// Waits until a page has finished loading more than `loads` times in this tab: for a page
    /// that reloads itself, without the test navigating.
    #[cfg_attr(not(feature = "serve"), allow(dead_code))]
    pub fn wait_for_load_after(&mut self, loads: usize) {
        while self.loads() <= loads {
            self.cdp.receive("waiting for the page to load");
        }
    }

    /// Runs JavaScript in the page and returns its value (promises are awaited).
    pub fn evaluate(&mut self, expression: &str) -> Value {
        let result = self
            .cdp
            .call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true, "awaitPromise": true}));
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression}: {exception}");
        }
        result["result"].get("value").cloned().unwrap_or(Value::Null)
    }

    /// Clicks the middle of the first element matching `selector`, as a reader's mouse would
    /// (a trusted event, after scrolling it into view).
    pub fn click(&mut self, selector: &str) {
        let selector_json = serde_json::to_string(selector).expect("selector as JSON");
        let point = self.evaluate(&format!(
            "(() => {{ const e = document.querySelector({selector_json}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             return {{x: r.left + r.width / 2, y: r.top + r.height / 2}}; }})()"
        ));
        assert!(!point.is_null(), "nothing matches {selector}");
        let (x, y) = (point["x"].as_f64().unwrap_or(0.0), point["y"].as_f64().unwrap_or(0.0));
        self.cdp.call("Input.dispatchMouseEvent", json!({"type": "mouseMoved", "x": x, "y": y}));
        for kind in ["mousePressed", "mouseReleased"] {
            self.cdp.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1}),
            );
        }
    }

    /// Lays pages out as a screen `width` by `height` CSS pixels would: a phone (`mobile`, so
    /// the page's viewport meta counts) or a desktop window. Lasts for the tab's later pages too.
    pub fn set_viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.cdp.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// Lays pages out for `media` (`"screen"`, or `"print"` to see the print stylesheet) and
    /// answers `prefers-color-scheme` with `scheme` (`"light"` or `"dark"`), as a reader's
    /// system setting would.
    pub fn set_media(&mut self, media: &str, scheme: &str) {
        self.cdp.call(
            "Emulation.setEmulatedMedia",
            json!({"media": media, "features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
    }

    /// Saves the whole page, top to bottom, as a PNG (not only the part in the viewport).
    pub fn screenshot_page(&mut self, path: &Path) {
        let metrics = self.cdp.call("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let clip = json!({"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1});
        let result = self
            .cdp
            .call("Page.captureScreenshot", json!({"format": "png", "clip": clip, "captureBeyondViewport": true}));
        save_png(&result, path);
    }

    /// Saves what the tab shows as a PNG.
    pub fn screenshot(&mut self, path: &Path) {
        let result = self.cdp.call("Page.captureScreenshot", json!({"format": "png"}));
        save_png(&result, path);
    }

    /// Every URL the page has tried to load so far, in order.
    pub fn requests(&self) -> &[String] {
        &self.cdp.requests
    }

    /// The requests to anywhere but this machine.
    pub fn third_party_requests(&self) -> Vec<String> {
        self.requests().iter().filter(|url| !is_local(url)).cloned().collect()
    }

    /// Waits until the page has tried to load a URL for which `wanted` holds, and returns it.
    pub fn wait_for_request(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        if let Some(url) = self.cdp.requests.iter().find(|url| wanted(url)) {
            return url.clone();
        }
        let event = self.cdp.wait_for(self.cdp.events.len(), |event| {
            event["method"] == "Network.requestWillBeSent"
                && event["params"]["request"]["url"].as_str().is_some_and(&wanted)
        });
        event["params"]["request"]["url"].as_str().unwrap_or_default().to_owned()
    }
}

fn save_png(screenshot: &Value, path: &Path) {
    let data = screenshot["data"].as_str().expect("screenshot data");
    let png = base64::engine::general_purpose::STANDARD.decode(data).expect("screenshot base64");
    std::fs::write(path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Whether a URL stays on this machine (or in the browser: `data:`, `about:`, `blob:`).
pub fn is_local(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else { return true };
    if !matches!(scheme, "http" | "https" | "ws" | "wss") {
        return true;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(host, _)| host);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// One DevTools websocket: commands answered by id, events kept in order.
struct Cdp {
    socket: WebSocket<TcpStream>,
    next_id: u64,
    events: Vec<Value>,
    requests: Vec<String>,
}

impl Cdp {
    fn connect(devtools: &str, path: &str) -> Cdp {
        let stream = TcpStream::connect(devtools).unwrap_or_else(|e| panic!("DevTools at {devtools}: {e}"));
        stream.set_read_timeout(Some(PATIENCE)).expect("read timeout");
        let (socket, _) = tungstenite::client(format!("ws://{devtools}{path}"), stream)
            .unwrap_or_else(|e| panic!("DevTools handshake at {devtools}{path}: {e}"));
        Cdp { socket, next_id: 1, events: Vec::new(), requests: Vec::new() }
    }

    /// Sends a command and returns its result, keeping the events that arrive meanwhile.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket.send(Message::text(message)).unwrap_or_else(|e| panic!("{method}: {e}"));
        loop {
            let message = self.receive(method);
            if message["id"].as_u64() == Some(id) {
                if let Some(error) = message.get("error") {
                    panic!("{method}: {error}");
                }
                return message["result"].clone();
            }
        }
    }

    /// Returns the first event at or after index `since` for which `wanted` holds, reading
    /// more from the browser until one comes.
    fn wait_for(&mut self, since: usize, wanted: impl Fn(&Value) -> bool) -> Value {
        let mut checked = since;
        loop {
            if let Some(event) = self.events[checked..].iter().find(|e| wanted(e)) {
                return event.clone();
            }
            checked = self.events.len();
            self.receive("waiting for an event");
        }
    }

    fn receive(&mut self, doing: &str) -> Value {
        loop {
            let message = self.socket.read().unwrap_or_else(|e| panic!("{doing}: no answer from the browser: {e}"));
            let Message::Text(text) = message else { continue };
            let value: Value = serde_json::from_str(text.as_str()).expect("DevTools sends JSON");
            if value.get("method").is_some() {
                if value["method"] == "Network.requestWillBeSent"
                    && let Some(url) = value["params"]["request"]["url"].as_str()
                {
                    self.requests.push(url.to_owned());
                }
                self.events.push(value.clone());
            }
            return value;
        }
    }
}

/// A tiny HTTP server for a built site, on a free port of 127.0.0.1, stopped when dropped.
pub struct Server {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn serve(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let address = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_owned();
        let stopping = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let root = root.clone();
                // A thread a connection: browsers open connections they send nothing on.
                thread::spawn(move || respond(stream, &root));
            }
        });
        Server { address, stop, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.address); // wakes the accepting thread
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn respond(mut stream: TcpStream, root: &Path) {
    let _ = stream.set_read_timeout(Some(PATIENCE));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let (status, file) = match file_for(root, path) {
        Some(file) => ("200 OK", file),
        None => ("404 Not Found", root.join("404.html")),
    };
    let body = std::fs::read(&file).unwrap_or_default();
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        content_type(&file),
        body.len()
    );
    let _ = stream.write_all(header.as_bytes()).and_then(|()| stream.write_all(&body));
}

fn file_for(root: &Path, path: &str) -> Option<PathBuf> {
    if path.split('/').any(|segment| segment == "..") {
        return None;
    }
    let mut file = root.join(path.trim_start_matches('/'));
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        "json" => "application/json",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
