//! `blog serve`: the real binary on a free port, driven as a writer and a browser would: edit a
//! file, hear about it over the WebSocket, fetch the page again.
//!
//! Waits are bounded (a test fails rather than hangs) but nothing here is timed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scraper::Html;
use serde_json::Value;

use crate::harness::{Page, TestSite};

/// How long to wait for the server to say or send something before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `blog serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stdout: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(site: &TestSite) -> Server {
        Server::start_with(site, &["--port", "0"])
    }

    fn start_with(site: &TestSite, args: &[&str]) -> Server {
        Server::start_with_env(site, args, &[])
    }

    fn start_with_env(site: &TestSite, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("blog"))
            .arg("serve")
            .args(args)
            .envs(env.iter().copied())
            .current_dir(site.root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("blog serve starts");
        let (lines, stdout) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().unwrap();
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                collected.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let mut server = Server { child, port: 0, stdout, stderr };
        let line = server.wait_for_line("Serving on http://");
        let address = line.split("http://").nth(1).unwrap().split(['/', ' ']).next().unwrap();
        server.port = address.rsplit(':').next().unwrap().parse().unwrap();
        server
    }

    /// The next line of stdout containing `text` (earlier lines are skipped).
    fn wait_for_line(&self, text: &str) -> String {
        loop {
            match self.stdout.recv_timeout(PATIENCE) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!("no {text:?} from blog serve; stderr:\n{}", self.stderr()),
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Whether stderr says `text`, waiting for it a while (stderr is read on its own thread).
    fn said(&self, text: &str) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < PATIENCE {
            if self.stderr().contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    /// One request, sent byte for byte as given (so `..` reaches the server unnormalized).
    fn request(&self, method: &str, path: &str) -> Response {
        request(("127.0.0.1", self.port), method, path)
    }

    /// A page's WebSocket, with the server's hello already read.
    fn connect(&self) -> (LiveSocket, Value) {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let url = format!("ws://127.0.0.1:{}/__blog/live", self.port);
        let (socket, _) = tungstenite::client(url.as_str(), stream).expect("WebSocket handshake");
        let mut live = LiveSocket(socket);
        let hello = live.next();
        assert_eq!(hello["type"], "hello", "{hello}");
        (live, hello)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request to `address`, sent byte for byte as given, read to its end.
fn request(address: (&str, u16), method: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(address).unwrap();
    exchange(&mut stream, method, path)
}

/// Sends one request on a connection and reads the answer to its end (the request asks the
/// server to close the connection after it).
fn exchange(stream: &mut TcpStream, method: &str, path: &str) -> Response {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let host = stream.peer_addr().unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response { status, headers, body: body.to_owned() }
}

struct LiveSocket(tungstenite::WebSocket<TcpStream>);

impl LiveSocket {
    fn next(&mut self) -> Value {
        loop {
            match self.0.read().expect("a message from blog serve") {
                tungstenite::Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                tungstenite::Message::Close(_) => panic!("blog serve closed the socket"),
                _ => {}
            }
        }
    }

    /// The next message, which must be of this type.
    fn expect(&mut self, kind: &str) -> Value {
        let message = self.next();
        assert_eq!(message["type"], kind, "{message}");
        message
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn page(&self) -> Page {
        Page(Html::parse_document(&self.body))
    }

    /// The build a served page says it comes from.
    fn build(&self) -> String {
        let page = self.page();
        let script = page.select("script[data-blog-build]");
        script.first().expect("the reload script").value().attr("data-blog-build").unwrap().to_owned()
    }
}

/// `path:line:col: message`, as editors and terminals make clickable.
fn assert_located(error: &str, path: &str) {
    let rest = error.strip_prefix(path).and_then(|r| r.strip_prefix(':')).unwrap_or_else(|| panic!("{error}"));
    let mut parts = rest.splitn(3, ':');
    for _ in 0..2 {
        let number = parts.next().unwrap_or_default();
        assert!(!number.is_empty() && number.chars().all(|c| c.is_ascii_digit()), "{error}");
    }
    assert!(parts.next().is_some_and(|m| m.len() > 1), "{error}");
}

fn site() -> TestSite {
    let site = TestSite::new();
    site.post("hello", "Hello", "2020-01-02", "tags: [elixir]", "The first words.");
    site.post("links", "Links", "2020-01-03", "", "Read [the other one](@/posts/hello.md).");
    site
}

#[test]
fn an_edit_reloads_open_pages_with_the_new_text() {
    let site = site();
    site.post("plan", "A plan", "2020-01-04", "draft: true", "Not yet.");
    site.post("later", "Later", "2999-01-01", "", "From the future.");
    let server = Server::start(&site);

    let page = server.get("/posts/hello/");
    assert_eq!(page.status, 200);
    assert!(page.page().body_text().contains("The first words."));
    // Drafts and scheduled posts are in the preview, marked.
    assert!(server.get("/posts/plan/").page().text(".badge").contains("DRAFT"));
    assert!(server.get("/posts/later/").page().text(".badge").contains("SCHEDULED"));

    let (mut live, hello) = server.connect();
    assert_eq!(hello["build"], page.build());
    site.post("hello", "Hello", "2020-01-02", "tags: [elixir]", "Words written later.");
    let reload = live.expect("reload");
    assert_ne!(reload["build"], hello["build"]);
    let page = server.get("/posts/hello/");
    assert!(page.page().body_text().contains("Words written later."), "{}", page.body);
    assert_eq!(page.build(), reload["build"]);
    server.wait_for_line("Rebuilt in");

    // A new post appears on the home page; a deleted one is gone.
    site.post("new", "Brand new", "2020-02-01", "", "Fresh.");
    live.expect("reload");
    assert!(server.get("/").page().link_to("Brand new").is_some());
    std::fs::remove_file(site.root().join("content/posts/new.md")).unwrap();
    live.expect("reload");
    assert_eq!(server.get("/posts/new/").status, 404);
    assert!(server.get("/").page().link_to("Brand new").is_none());

    // The preview never writes the site, and the built site never carries the script.
    assert!(!site.root().join("public").exists());
    drop(server);
    let build = site.build();
    assert!(!build.text("/posts/hello/").contains("data-blog-build"));
}

#[test]
fn a_page_that_missed_a_rebuild_reloads_when_it_connects() {
    let site = site();
    let server = Server::start(&site);
    let page = server.get("/posts/hello/");
    site.post("hello", "Hello", "2020-01-02", "", "Changed while the page was loading.");
    server.wait_for_line("Rebuilt in");
    let (_live, hello) = server.connect();
    assert_ne!(hello["build"], page.build(), "the page must learn it is stale");
}

#[test]
fn a_build_error_shows_on_the_page_and_clears_when_fixed() {
    let site = site();
    let server = Server::start(&site);
    let (mut live, _) = server.connect();

    site.file("content/posts/hello.md", "---\ntitle: Hello\ndate: 2020-01-02\ntags: [elixir\n---\nBroken.\n");
    let error = live.expect("error");
    let text = error["errors"][0].as_str().unwrap();
    assert_located(text, "content/posts/hello.md");
    assert!(server.said(&format!("error: {text}")), "{}", server.stderr());
    // The last good site is still served, and a page opened now is told about the error.
    assert!(server.get("/posts/hello/").page().body_text().contains("The first words."));
    let (_other, hello) = server.connect();
    assert_located(hello["errors"][0].as_str().unwrap(), "content/posts/hello.md");

    // Editing another file while this one is broken keeps the error on screen.
    site.post("links", "Links", "2020-01-03", "", "Still [linking](@/posts/hello.md).");
    let error = live.expect("error");
    assert_located(error["errors"][0].as_str().unwrap(), "content/posts/hello.md");

    site.post("hello", "Hello", "2020-01-02", "tags: [elixir]", "Mended.");
    live.expect("reload");
    assert!(server.get("/posts/hello/").page().body_text().contains("Mended."));
    let (_third, hello) = server.connect();
    assert_eq!(hello["errors"].as_array().unwrap().len(), 0, "{hello}");
}

#[test]
fn a_link_follows_the_post_it_points_to_when_that_one_moves() {
    let site = site();
    let server = Server::start(&site);
    let (mut live, _) = server.connect();
    assert_eq!(server.get("/posts/links/").page().link_to("the other one").unwrap(), "/posts/hello/");
    // Only hello.md changes, yet links.md's page must point to its new address.
    site.post("hello", "Hello", "2020-01-02", "slug: greetings", "The first words.");
    live.expect("reload");
    assert_eq!(server.get("/posts/links/").page().link_to("the other one").unwrap(), "/posts/greetings/");
}

#[test]
fn a_retitled_post_is_retitled_on_every_page_that_shows_it() {
    // Pages are rendered when asked for, from the model of the latest change: each one that
    // shows the post must show its new title, whether it was asked for before the edit or not.
    let site = site();
    let server = Server::start(&site);
    let (mut live, _) = server.connect();
    assert!(server.get("/").page().link_to("Hello").is_some());
    assert!(server.get("/posts/links/").page().link_to("Hello").is_some(), "the older post's link");

    site.post("hello", "Greetings", "2020-01-02", "tags: [elixir]", "The first words.");
    live.expect("reload");
    for url in ["/", "/tags/elixir/", "/posts/links/"] {
        let page = server.get(url).page();
        assert!(page.link_to("Greetings").is_some(), "{url} lists the new title");
        assert!(page.link_to("Hello").is_none(), "{url} still shows the old title");
    }
    for feed in ["/atom.xml", "/tags/elixir/atom.xml"] {
        let body = server.get(feed).body;
        assert!(body.contains("<title type=\"text\">Greetings</title>"), "{feed}:\n{body}");
        assert!(!body.contains("<title type=\"text\">Hello</title>"), "{feed}:\n{body}");
    }
}

#[test]
fn an_error_in_a_file_the_edit_did_not_touch_shows_at_once() {
    // Deleting hello.md breaks the link in links.md: that error is links.md's, found with
    // the rebuild, not later when someone happens to open its page.
    let site = site();
    let server = Server::start(&site);
    let (mut live, _) = server.connect();
    std::fs::remove_file(site.root().join("content/posts/hello.md")).unwrap();
    let error = live.expect("error");
    let text = error["errors"][0].as_str().unwrap();
    assert_located(text, "content/posts/links.md");
    assert!(text.contains("@/posts/hello.md"), "{text}");
}

#[test]
fn a_template_that_fails_on_one_page_shows_its_error_on_that_page() {
    // Every post has a cover when serve starts, so every page renders; then one loses it, and
    // the tag page listing it can no longer be made. The server says so, in the terminal and on
    // the page (a 500 that still reloads), and keeps serving the rest.
    let site = site();
    site.post("hello", "Hello", "2020-01-02", "tags: [elixir]\nextra:\n  cover: a.jpg", "The first words.");
    site.file(
        "templates/tag.html",
        "{% extends \"base.html\" %}{% block content %}{% for post in paginator.posts %}\
<p class=\"cover\">{{ post.extra.cover }}</p>{% endfor %}{% endblock content %}",
    );
    let server = Server::start(&site);
    let (mut live, _) = server.connect();
    assert_eq!(server.get("/tags/elixir/").page().text(".cover"), "a.jpg");

    site.post("hello", "Hello", "2020-01-02", "tags: [elixir]", "The first words.");
    live.expect("reload");
    let failed = server.get("/tags/elixir/");
    assert_eq!(failed.status, 500);
    assert!(failed.body.contains("tag.html"), "{}", failed.body);
    assert!(failed.body.contains("data-blog-build"), "the error page still reloads");
    assert!(server.said("tag.html"), "{}", server.stderr());
    assert_eq!(server.get("/posts/hello/").status, 200);
}

#[test]
fn templates_and_config_changes_apply_at_once() {
    let site = site();
    let server = Server::start(&site);
    let (mut live, _) = server.connect();
    site.file(
        "templates/post.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"mine\">{{ post.title }}!</h1>{% endblock content %}",
    );
    live.expect("reload");
    assert_eq!(server.get("/posts/hello/").page().text("h1.mine"), "Hello!");

    site.file("site.toml", "title = \"Renamed blog\"\n");
    live.expect("reload");
    assert!(server.get("/").page().text("title").contains("Renamed blog"));
}

#[test]
fn a_stylesheet_change_is_swapped_in_without_a_reload() {
    let site = site();
    site.file("static/style.css", "body { color: black; }\n");
    let server = Server::start(&site);
    let (mut live, hello) = server.connect();
    site.file("static/style.css", "body { color: rebeccapurple; }\n");
    let css = live.expect("css");
    assert_ne!(css["build"], hello["build"]);
    let sheet = server.get("/style.css");
    assert_eq!(sheet.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(sheet.body.contains("rebeccapurple"));
}

#[test]
fn http_not_found_head_redirects_and_caching() {
    let site = site();
    site.file(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p class=\"lost\">Nothing here, sorry.</p>{% endblock content %}",
    );
    let server = Server::start(&site);

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.page().text(".lost"), "Nothing here, sorry.");
    assert!(missing.body.contains("data-blog-build"), "a 404 page still reloads");

    let get = server.get("/posts/hello/");
    assert_eq!(get.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(get.header("cache-control"), Some("no-store"));
    let head = server.request("HEAD", "/posts/hello/");
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
    assert_eq!(head.header("content-length").unwrap(), get.body.len().to_string());
    assert_eq!(head.header("content-type"), get.header("content-type"));

    let redirect = server.get("/posts/hello");
    assert!(matches!(redirect.status, 301 | 308), "{}", redirect.status);
    assert_eq!(redirect.header("location"), Some("/posts/hello/"));
    assert_eq!(server.request("POST", "/posts/hello/").status, 405);
}

#[test]
fn requests_never_reach_files_outside_the_site() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "OUTSIDE-SECRET").unwrap();
    let site = TestSite::with_config("title = \"Test blog\"\n# CONFIG-SECRET\n");
    site.post("hello", "Hello", "2020-01-02", "", "Hi.");
    site.file("static/ok.txt", "fine");
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), site.root().join("static/linked.txt")).unwrap();
    let server = Server::start(&site);

    assert_eq!(server.get("/ok.txt").body, "fine");
    let mut paths: Vec<String> = [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/..%2fsite.toml",
        "/posts/..%2f..%2fsite.toml",
        "/..\\site.toml",
        "/static/../../etc/passwd",
        "/../../../../../../etc/passwd",
        "//etc/passwd",
        "/site.toml",
        "/site.toml%00",
        "/site.toml%00.html",
        "/ok.txt%00/../../site.toml",
        "/content/posts/hello.md",
        "/linked.txt",
    ]
    .map(str::to_owned)
    .to_vec();
    // `..` and `/` in every spelling a server has been fooled by: percent-encoded in either
    // case, encoded twice, as overlong UTF-8, and Windows' backslash; each used to climb from
    // a folder of the site to site.toml, and from the site to the folder beside it.
    let outside_name = outside.path().file_name().unwrap().to_str().unwrap();
    let ups = ["..", "%2e%2e", "%2E%2e", "%2e%2E", ".%2e", "%2e.", "%252e%252e", "%c0%ae%c0%ae", "%e0%80%ae%e0%80%ae"];
    let slashes = ["/", "%2f", "%2F", "%5c", "%5C", "\\", "%252f", "%c0%af"];
    for up in ups {
        for slash in slashes {
            paths.push(format!("/posts{slash}{up}{slash}site.toml"));
            paths.push(format!("/{up}{slash}{up}{slash}{up}{slash}etc{slash}passwd"));
            paths.push(format!("/{up}{slash}{outside_name}{slash}secret.txt"));
        }
    }
    for path in &paths {
        let response = server.get(path);
        assert_ne!(response.status, 200, "{path}");
        for secret in ["CONFIG-SECRET", "OUTSIDE-SECRET", "root:x:0:0"] {
            assert!(!response.body.contains(secret), "{path} leaked {secret}");
        }
    }
    assert_eq!(server.get("/ok.txt").body, "fine", "still serving after {} attempts", paths.len());
}

#[test]
fn a_taken_port_moves_to_the_next_one_and_the_network_is_warned() {
    let site = site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let server = Server::start_with(&site, &["--port", &port.to_string()]);
    assert_ne!(server.port, port);
    assert_eq!(server.get("/posts/hello/").status, 200);
    assert!(server.said(&format!("Port {port} is taken")), "{}", server.stderr());
}

/// On Linux the whole of 127.0.0.0/8 is this machine, yet a socket bound to 127.0.0.1 answers
/// on that one address only: 127.0.0.2 stands in for the machine's address on the network.
#[cfg(target_os = "linux")]
#[test]
fn only_this_machine_can_connect_unless_bind_says_otherwise() {
    let site = site();
    let private = Server::start(&site);
    assert_eq!(private.get("/posts/hello/").status, 200);
    let from_elsewhere = TcpStream::connect(("127.0.0.2", private.port));
    assert!(from_elsewhere.is_err(), "the default must be loopback only: {from_elsewhere:?}");
    assert!(!private.stderr().contains("warning: serving on"), "{}", private.stderr());

    let open = Server::start_with(&site, &["--port", "0", "--bind", "0.0.0.0"]);
    assert!(open.said("warning: serving on 0.0.0.0"), "{}", open.stderr());
    let page = request(("127.0.0.2", open.port), "GET", "/posts/hello/");
    assert_eq!(page.status, 200);
    assert!(page.page().body_text().contains("The first words."));
}

#[test]
fn a_site_broken_from_the_start_is_served_once_fixed() {
    let site = site();
    site.file("content/posts/hello.md", "---\ntitle: [Hello\n---\nBroken from the start.\n");
    let server = Server::start(&site);
    assert!(server.said("error: content/posts/hello.md:"), "{}", server.stderr());
    let waiting = server.get("/");
    assert_eq!(waiting.status, 404);
    assert!(waiting.body.contains("data-blog-build"), "the page must still reload once fixed");
    let (mut live, hello) = server.connect();
    assert_located(hello["errors"][0].as_str().unwrap(), "content/posts/hello.md");

    site.post("hello", "Hello", "2020-01-02", "", "Fixed at last.");
    live.expect("reload");
    assert!(server.get("/posts/hello/").page().body_text().contains("Fixed at last."));
}

#[test]
fn polling_sees_edits_too() {
    let site = site();
    let server = Server::start_with(&site, &["--port", "0", "--poll"]);
    let (mut live, _) = server.connect();
    site.post("hello", "Hello", "2020-01-02", "", "Seen by polling.");
    live.expect("reload");
    assert!(server.get("/posts/hello/").page().body_text().contains("Seen by polling."));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = site();
    let mut server = Server::start(&site);
    let (_live, _) = server.connect();
    let interrupted = Command::new("kill").args(["-INT", &server.child.id().to_string()]).status().unwrap();
    assert!(interrupted.success());
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < PATIENCE, "blog serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}; stderr:\n{}", server.stderr());
}

#[test]
fn a_shortcode_template_change_reaches_the_posts_using_it() {
    let site = site();
    site.file("templates/shortcodes/note.html", "<aside class=\"note\">Note: {{ text }}</aside>");
    site.post("noted", "Noted", "2020-01-05", "", "{{ note(text=\"mind the gap\") }}");
    let server = Server::start(&site);
    let (mut live, _) = server.connect();
    assert_eq!(server.get("/posts/noted/").page().text("aside.note"), "Note: mind the gap");
    // The post's file is untouched; its Markdown must be rendered again all the same.
    site.file("templates/shortcodes/note.html", "<aside class=\"note\">Careful: {{ text }}</aside>");
    live.expect("reload");
    assert_eq!(server.get("/posts/noted/").page().text("aside.note"), "Careful: mind the gap");
}

#[test]
fn a_folder_without_site_toml_is_not_served() {
    let empty = tempfile::tempdir().unwrap();
    let output = assert_cmd::Command::cargo_bin("blog")
        .unwrap()
        .args(["serve", "--port", "0"])
        .current_dir(empty.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("site.toml") && stderr.contains("blog init"), "{stderr}");
}

#[test]
fn two_hundred_readers_at_once_all_get_the_page() {
    const READERS: usize = 200;
    let site = site();
    let server = Server::start(&site);
    let expected = server.get("/posts/hello/");
    assert_eq!(expected.status, 200);
    let port = server.port;
    // Every connection is open before any asks, so the server holds all of them at once.
    let ready = std::sync::Barrier::new(READERS);
    let pages: Vec<Response> = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                let ready = &ready;
                scope.spawn(move || {
                    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                    ready.wait();
                    exchange(&mut stream, "GET", "/posts/hello/")
                })
            })
            .collect();
        readers.into_iter().map(|reader| reader.join().unwrap()).collect()
    });
    assert_eq!(pages.len(), READERS);
    for page in &pages {
        assert_eq!(page.status, 200);
        assert_eq!(page.body, expected.body);
    }
    assert!(server.get("/").page().link_to("Hello").is_some(), "still serving afterwards");
}

#[test]
fn readers_who_hang_up_midway_do_not_disturb_the_others() {
    let site = site();
    // Megabytes, more than the sockets' buffers hold, so the server is still sending when a
    // reader hangs up.
    let paragraph = "A paragraph long enough that a few thousand of them make a page of megabytes. ".repeat(10);
    site.post("big", "Big", "2020-01-05", "", &vec![paragraph; 5000].join("\n\n"));
    let server = Server::start(&site);
    let port = server.port;
    let whole = server.get("/posts/big/");
    assert_eq!(whole.status, 200);
    assert!(whole.body.len() > 3_000_000, "{}", whole.body.len());

    std::thread::scope(|scope| {
        for reader in 0..60 {
            scope.spawn(move || {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream.set_read_timeout(Some(PATIENCE)).unwrap();
                let ask = "GET /posts/big/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
                match reader % 3 {
                    // Reads the first bytes of the big page, then closes the tab.
                    0 => {
                        stream.write_all(ask.as_bytes()).unwrap();
                        let mut first = [0; 16];
                        stream.read_exact(&mut first).unwrap();
                    }
                    // Sends half a request and vanishes.
                    1 => stream.write_all(&ask.as_bytes()[..20]).unwrap(),
                    // Asks, and is gone before the answer.
                    _ => {
                        stream.write_all(ask.as_bytes()).unwrap();
                        let _ = stream.shutdown(std::net::Shutdown::Both);
                    }
                }
            });
        }
        // Meanwhile others are served in full.
        for _ in 0..3 {
            assert_eq!(request(("127.0.0.1", port), "GET", "/posts/big/").body, whole.body);
        }
    });
    assert_eq!(server.get("/posts/big/").body, whole.body);
    assert!(server.get("/posts/hello/").page().body_text().contains("The first words."));
}

/// Waits for the server to close a connection: reading it ends (or is reset) before the
/// test's patience runs out.
fn assert_closed_by_server(what: &str, mut stream: TcpStream) {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(error) => panic!("{what}: the server kept the connection open ({error})"),
    }
}

#[test]
fn idle_and_stalled_connections_are_closed_but_live_reload_stays_open() {
    let site = site();
    let server = Server::start_with_env(&site, &["--port", "0"], &[("BLOG_SERVE_IDLE_TIMEOUT_MS", "300")]);
    // Opened first, so once the others are closed for idling, it has been quiet longer still.
    let (mut live, _) = server.connect();

    let connect = || TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let silent = connect();
    let mut halfway = connect();
    halfway.write_all(b"GET /posts/hello/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: te").unwrap();
    // A keep-alive connection, idle after its one answer.
    let mut kept = connect();
    kept.set_read_timeout(Some(PATIENCE)).unwrap();
    kept.write_all(b"GET /posts/hello/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0; 1];
        kept.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|n| n.trim().parse().unwrap()))
        .expect("a content-length");
    let mut body = vec![0; length];
    kept.read_exact(&mut body).unwrap();
    assert!(String::from_utf8_lossy(&body).contains("The first words."));

    assert_closed_by_server("a connection that sends nothing", silent);
    assert_closed_by_server("a connection that stops halfway through its headers", halfway);
    assert_closed_by_server("an idle keep-alive connection", kept);

    assert_eq!(server.get("/posts/hello/").status, 200);
    site.post("hello", "Hello", "2020-01-02", "", "Still listening.");
    live.expect("reload");
    assert!(server.get("/posts/hello/").page().body_text().contains("Still listening."));
}

/// Asks the page `expression` until it is true, failing once the test's patience runs out.
fn wait_in_page(tab: &mut crate::browser::Tab, expression: &str) {
    let start = std::time::Instant::now();
    while tab.evaluate(expression) != Value::Bool(true) {
        assert!(start.elapsed() < PATIENCE, "the page never made {expression:?} true");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn a_page_in_the_browser_reloads_in_place_and_restyles_without_reloading() {
    let Some(browser) = crate::browser::Browser::launch() else { return };
    let site = site();
    site.file("static/style.css", "body { max-width: 40rem; color: rgb(10, 20, 30); }\n");
    let paragraphs: Vec<String> = (1..=80)
        .map(|n| format!("Paragraph {n}. {}", "Words that fill a line or two of the post. ".repeat(8)))
        .collect();
    site.post("long", "A long read", "2020-01-06", "", &paragraphs.join("\n\n"));
    let server = Server::start(&site);
    let url = format!("http://127.0.0.1:{}/posts/long/", server.port);
    let mut tab = browser.tab();
    tab.navigate(&url);
    wait_in_page(&mut tab, "window.__blogReloads.connected");
    assert_eq!(tab.evaluate("window.__blogReloads.reloads"), 0);
    assert_eq!(tab.evaluate("window.scrollTo(0, 1500); window.scrollY").as_f64(), Some(1500.0));

    // The writer adds a word near the top while reading further down.
    let mut edited = paragraphs.clone();
    edited[0].push_str(" Quetzalcoatlus.");
    site.post("long", "A long read", "2020-01-06", "", &edited.join("\n\n"));
    // A save can reach the server as more than one change, so more than one reload may come
    // before the new text shows.
    let mut loads = tab.loads();
    loop {
        tab.wait_for_load_after(loads);
        loads = tab.loads();
        if tab.evaluate("document.body.innerText.includes('Quetzalcoatlus')") == Value::Bool(true) {
            break;
        }
    }
    let after = tab.evaluate("({url: location.href, reloads: window.__blogReloads.reloads, y: window.scrollY})");
    assert_eq!(after["url"], url.as_str(), "the page must reload itself, not go elsewhere");
    assert!(after["reloads"].as_u64().unwrap() >= 1, "{after}");
    let y = after["y"].as_f64().unwrap();
    assert!((y - 1500.0).abs() <= 4.0, "the reader's place is lost: scrolled to {y}");
    wait_in_page(&mut tab, "window.__blogReloads.connected");

    // A stylesheet change is swapped in: the page stays, with its state and place.
    tab.evaluate("window.__blogStillHere = true");
    let reloads = tab.evaluate("window.__blogReloads.reloads");
    let loads = tab.loads();
    site.file(
        "static/style.css",
        "body { max-width: 40rem; color: rgb(10, 20, 30); outline: 3px solid rgb(1, 2, 3); }\n",
    );
    wait_in_page(
        &mut tab,
        "document.body !== null && getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)' \
         && window.__blogReloads.stylesheetSwaps > 0",
    );
    let after = tab.evaluate(
        "({stillHere: window.__blogStillHere === true, reloads: window.__blogReloads.reloads, y: window.scrollY, \
          color: getComputedStyle(document.body).color})",
    );
    assert_eq!(after["stillHere"], true, "the page was reloaded: {after}");
    assert_eq!(after["reloads"], reloads, "{after}");
    assert_eq!(tab.loads(), loads, "the page was loaded again");
    assert_eq!(after["color"], "rgb(10, 20, 30)", "{after}");
    let y = after["y"].as_f64().unwrap();
    assert!((y - 1500.0).abs() <= 4.0, "the reader's place is lost: scrolled to {y}");
}
