//! The web server: the site from memory, and the WebSocket that tells pages to reload.
//!
//! Only files of the site can be sent: a request is turned into a path of the site's output,
//! which its renderer knows or does not, never into a path on disk. Pages are rendered when
//! asked for, from the site now served. The few files served from disk (static files and
//! assets, read when asked for) are checked to lie inside the site once symbolic links are
//! resolved.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::broadcast::error::RecvError;

use super::{Live, Notice, Snapshot};
use crate::render::Body as Rendered;

/// Where pages connect for reload messages. Chosen so no site of ours has a page there.
pub const LIVE_PATH: &str = "/__blog/live";

/// The script every HTML page gets in `serve` (and only there).
const RELOAD_JS: &str = include_str!("reload.js");

/// How long a connection may take to send a request's headers, and may stay silent between
/// requests, before it is closed: a client that stalls halfway through a request, or a
/// keep-alive connection nobody uses, would otherwise hold a socket (and a task) forever.
/// Live-reload WebSockets are exempt, as they must be: once a connection is upgraded, hyper
/// reads no more requests on it. `BLOG_SERVE_IDLE_TIMEOUT_MS` changes it, so tests need not
/// wait this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the server on its own single-threaded runtime until Ctrl-C.
pub fn run(listener: std::net::TcpListener, live: Arc<Live>) -> std::io::Result<()> {
    let idle = std::env::var("BLOG_SERVE_IDLE_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(IDLE_TIMEOUT, Duration::from_millis);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let mut listener = tokio::net::TcpListener::from_std(listener)?;
        let app = Router::new().route(LIVE_PATH, get(live_socket)).fallback(site_file).with_state(live);
        let stop = async {
            // Without a Ctrl-C handler the default one still ends the process.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        let mut stop = std::pin::pin!(stop);
        loop {
            // axum's accept retries on its own when a client gives up while being accepted,
            // or when the process is out of file descriptors.
            let (stream, _) = tokio::select! {
                accepted = axum::serve::Listener::accept(&mut listener) => accepted,
                // Answers still being sent are cut short: they come from memory, so there are
                // none worth waiting for, and open pages reconnect to the next `blog serve`.
                () = &mut stop => return Ok(()),
            };
            let service = TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                let mut http = hyper::server::conn::http1::Builder::new();
                http.timer(TokioTimer::new()).header_read_timeout(idle);
                // An error here is the client's doing (it went away, timed out or sent
                // nonsense); it ends that connection only, and the writer need not hear of it.
                let _ = http.serve_connection(TokioIo::new(stream), service).with_upgrades().await;
            });
        }
    })
}

async fn live_socket(upgrade: WebSocketUpgrade, State(live): State<Arc<Live>>) -> Response {
    upgrade.on_upgrade(move |socket| talk(socket, live))
}

/// Tells one page what it needs to know: first the site now served (so a page that missed a
/// rebuild reloads at once), then every change as it happens.
async fn talk(mut socket: WebSocket, live: Arc<Live>) {
    // Subscribe before reading the state, so nothing published in between is lost.
    let mut messages = live.subscribe();
    if socket.send(Message::Text(hello(&live).into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            message = messages.recv() => {
                let text = match message {
                    Ok(text) => text,
                    Err(RecvError::Lagged(_)) => hello(&live),
                    Err(RecvError::Closed) => break,
                };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

fn hello(live: &Live) -> String {
    let current = live.current();
    serde_json::to_string(&Notice::Hello { build: &current.build, errors: &current.errors }).expect("serializable")
}

async fn site_file(State(live): State<Arc<Live>>, request: Request) -> Response {
    let method = request.method().clone();
    let mut response = if method == Method::GET || method == Method::HEAD {
        let snapshot = live.current();
        let uri = request.uri();
        match find(&snapshot, uri.path()) {
            Found::File(key) => match send(&live, &snapshot, &key, StatusCode::OK).await {
                Some(response) => response,
                None => not_found(&live, &snapshot).await,
            },
            Found::Folder => {
                let mut location = format!("{}/", uri.path());
                if let Some(query) = uri.query() {
                    location.push('?');
                    location.push_str(query);
                }
                let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
                if let Ok(value) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(header::LOCATION, value);
                }
                response
            }
            Found::Nothing => not_found(&live, &snapshot).await,
        }
    } else {
        let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        response
    };
    // A preview must always show the latest site, never one from the browser's cache.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if method == Method::HEAD {
        // The headers a GET would get, the length included, and no body.
        if let Some(length) = HttpBody::size_hint(response.body()).exact() {
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        }
        *response.body_mut() = Body::empty();
    }
    response
}

enum Found {
    /// The key of a file of the site.
    File(String),
    /// A folder asked for without its trailing slash.
    Folder,
    Nothing,
}

fn find(snapshot: &Snapshot, path: &str) -> Found {
    let Some(key) = site_key(path) else { return Found::Nothing };
    let Some(site) = &snapshot.site else { return Found::Nothing };
    let site = site.borrow_dependent();
    if site.contains(&key) {
        Found::File(key)
    } else if site.contains(&format!("{key}/index.html")) {
        Found::Folder
    } else {
        Found::Nothing
    }
}

/// The key in the site's file map a request path names (`/posts/x/` -> `posts/x/index.html`),
/// or `None` for a path that tries to leave the site: `..` (also percent-encoded, or smuggled
/// in with an encoded `/`), backslashes, empty segments, NUL.
pub fn site_key(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let decoded = percent_encoding::percent_decode_str(rest).decode_utf8().ok()?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let (last, folders) = segments.split_last()?;
    if folders.iter().any(|s| s.is_empty() || *s == "." || *s == "..") || *last == "." || *last == ".." {
        return None;
    }
    Some(if last.is_empty() { format!("{decoded}index.html") } else { decoded.into_owned() })
}

async fn not_found(live: &Live, snapshot: &Snapshot) -> Response {
    if let Some(response) = send(live, snapshot, "404.html", StatusCode::NOT_FOUND).await {
        return response;
    }
    // No 404 page (or no site yet, because the first build failed): a bare page that still
    // carries the reload script, so errors show over it and it reloads once they are fixed.
    let page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head>\
<body><h1>Not found</h1></body></html>\n";
    html_response(StatusCode::NOT_FOUND, inject(page.as_bytes(), &snapshot.build))
}

/// A file of the site, or `None` when it is gone or lies outside the site.
async fn send(live: &Live, snapshot: &Snapshot, key: &str, status: StatusCode) -> Option<Response> {
    let site = Arc::clone(snapshot.site.as_ref()?);
    let path = key.to_owned();
    // Rendering is work for a core, not for the thread that answers every other request.
    let file = tokio::task::spawn_blocking(move || site.borrow_dependent().render(&path)).await.ok()??;
    let bytes = match file {
        Ok(file) => match file.body {
            Rendered::Made(bytes) => Bytes::from(bytes),
            Rendered::Static(bytes) => Bytes::from_static(bytes),
            Rendered::Copy(path) => {
                // static/ may hold a symbolic link to anywhere; only files inside the site go out.
                let resolved = tokio::fs::canonicalize(path).await.ok()?;
                if !resolved.starts_with(&live.root) {
                    return None;
                }
                Bytes::from(tokio::fs::read(&resolved).await.ok()?)
            }
        },
        Err(error) => return Some(render_failed(snapshot, &error)),
    };
    let content_type = content_type(key);
    if content_type.starts_with("text/html") {
        return Some(html_response(status, inject(&bytes, &snapshot.build)));
    }
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Some(response)
}

/// A page that could not be rendered (a template that fails on this page's data): the error,
/// in the terminal and in the browser, which reloads once a change fixes it.
fn render_failed(snapshot: &Snapshot, error: &crate::Error) -> Response {
    let message = error.to_string();
    for line in message.lines() {
        eprintln!("error: {line}");
    }
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Build error</title></head>\
<body><h1>This page cannot be rendered</h1><pre>{}</pre></body></html>\n",
        crate::render::markdown::escape(&message)
    );
    html_response(StatusCode::INTERNAL_SERVER_ERROR, inject(page.as_bytes(), &snapshot.build))
}

fn html_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

/// The page with the reload script before its `</body>` (or at its end), carrying the name of
/// the build it comes from.
pub fn inject(page: &[u8], build: &str) -> Vec<u8> {
    let script = format!("<script data-blog-build=\"{build}\">\n{RELOAD_JS}</script>\n");
    let at = find_last(page, b"</body>").or_else(|| find_last(page, b"</BODY>")).unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + script.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|window| window == needle)
}

/// The content type of a file of the site, by its extension.
pub fn content_type(key: &str) -> &'static str {
    let extension = key.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "rss" => "application/rss+xml",
        "txt" => "text/plain; charset=utf-8",
        "md" | "markdown" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wasm" => "application/wasm",
        "gpx" => "application/gpx+xml",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_become_site_keys() {
        assert_eq!(site_key("/").as_deref(), Some("index.html"));
        assert_eq!(site_key("/posts/x/").as_deref(), Some("posts/x/index.html"));
        assert_eq!(site_key("/style.css").as_deref(), Some("style.css"));
        assert_eq!(site_key("/tags/28%20days/").as_deref(), Some("tags/28 days/index.html"));
        assert_eq!(site_key("/posts/x").as_deref(), Some("posts/x"));
    }

    #[test]
    fn paths_that_leave_the_site_have_no_key() {
        for path in [
            "/../site.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E/site.toml",
            "/..%2fsite.toml",
            "/static/../../etc/passwd",
            "/..\\site.toml",
            "/%5c..%5csite.toml",
            "/%2e%2e%5csite.toml",
            "/%2E%2e/site.toml",
            "/.%2e/site.toml",
            "/%c0%ae%c0%ae/site.toml",
            "/%c0%ae%c0%ae%c0%afsite.toml",
            "/site.toml%00.html",
            "//etc/passwd",
            "/posts/%00",
            "/..",
            "/posts/.",
            "relative",
        ] {
            assert_eq!(site_key(path), None, "{path}");
        }
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let page = inject(b"<body><p>&lt;/body&gt;</p></body></html>", "b1");
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with("<body><p>&lt;/body&gt;</p><script data-blog-build=\"b1\">"), "{page}");
        assert!(page.ends_with("</script>\n</body></html>"));
        assert!(String::from_utf8(inject(b"<p>bare", "b1")).unwrap().starts_with("<p>bare<script"));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("posts/x/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("img/a.jpeg"), "image/jpeg");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
