//! `blog serve`: a live preview that keeps up with the writer.
//!
//! Three parts, each on its own thread:
//!
//! - the rebuild loop (the caller's thread) keeps the loaded content, theme and config in
//!   memory, re-reads only the files that changed, and assembles a new model on every change
//!   with the same stages as `build`. It renders every document's Markdown at once (from a
//!   cache for the unchanged ones), so an error anywhere shows, and the changed posts' pages;
//! - the watcher ([`watch`]) tells it what changed, a burst of events at a time;
//! - the web server ([`http`]) renders each page of the last good site when it is asked for
//!   ([`crate::render::SiteRenderer`], from that site's model: never a stale page, and nothing
//!   written to `public/`), and tells open pages over a WebSocket to reload once a new site is
//!   complete, to swap their stylesheets, or to show a build error.

mod http;
mod watch;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, mpsc};
use std::time::{Instant, SystemTime};

use serde::Serialize;

use crate::Theme;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Location};
use crate::load::{CONTENT_DIR, Content};
use crate::model::{self, BaseUrl};
use crate::render::cache::CodeCache;
use crate::render::{CodeCacheRef, MarkdownCache, OutputFile, OutputSink, SiteRenderer};

/// `blog serve`'s settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// The port to try first; the next free one is used when it is taken. 0 lets the system
    /// choose.
    pub port: u16,
    pub bind: IpAddr,
    /// Open the site in the browser once it is served.
    pub open: bool,
    /// Watch by polling (for network and container file systems where change events do not
    /// arrive).
    pub poll: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            root: PathBuf::from("."),
            port: 4000,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            open: false,
            poll: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("ports {first} to {last} are all taken; choose one with --port")]
    NoFreePort { first: u16, last: u16 },
    #[error("cannot watch the site for changes: {0} (try --poll)")]
    Watch(#[from] notify::Error),
    #[error("the web server stopped: {0}")]
    Server(std::io::Error),
    #[error("{0}")]
    NotASite(Diagnostic),
}

/// How many ports after the asked one are tried when it is taken.
const PORTS_TO_TRY: u16 = 20;

/// Serves the site until Ctrl-C.
pub fn serve(options: &Options) -> Result<(), Error> {
    // The rest of the crate shows paths relative to the root when it is `.`; serving the
    // current folder as the empty path keeps the watcher's paths in that same form.
    let root = if options.root == Path::new(".") { PathBuf::new() } else { options.root.clone() };
    // A broken site.toml is shown in the browser until fixed; a missing one means this is not
    // a site at all, and serving an empty folder would only puzzle.
    if let Err(error) = std::fs::metadata(Config::path_in(&root)) {
        let location = Location::file(&Config::path_in(&root));
        return Err(Error::NotASite(Diagnostic::new(
            location,
            format!("cannot read site.toml: {error} (is this a blog folder? `blog init` makes one)"),
        )));
    }
    let listener = listen(options.bind, options.port)?;
    let address = listener.local_addr().map_err(Error::Server)?;
    let origin = origin(address);
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: serving on {} makes your drafts and scheduled posts visible to anyone on the network",
            options.bind
        );
    }

    // Watch before the first build, so a change made while it runs is not missed.
    let (events_tx, events) = mpsc::channel();
    let mut watcher = watch::Watcher::start(&root, options.poll, events_tx.clone())?;

    let mut session = Session::new(root.clone(), BaseUrl::local(&origin));
    let live = Arc::new(Live::new(&root));
    let started = Instant::now();
    match session.rebuild(&Changes::everything()) {
        Ok((site, warnings)) => {
            let counts = site.borrow_dependent().counts();
            let summary = format!(
                "Built {} pages ({} posts, drafts and scheduled included) in {} ms",
                counts.pages,
                counts.posts,
                started.elapsed().as_millis()
            );
            session.report_warnings(&warnings);
            live.publish(site, Message::Reload);
            println!("{summary}");
        }
        Err(errors) => report_errors(&live, &errors),
    }

    let server = {
        let live = Arc::clone(&live);
        std::thread::Builder::new()
            .name("blog-serve-http".into())
            .spawn(move || {
                let result = http::run(listener, live);
                let _ = events_tx.send(watch::Event::Stop);
                result
            })
            .map_err(Error::Server)?
    };
    println!("Serving on {origin}/ (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    if options.open {
        open_browser(&format!("{origin}/"));
    }

    while let Some(burst) = watch::next_burst(&mut watcher, &events) {
        let paths = match burst {
            Ok(paths) => paths,
            Err(error) => {
                eprintln!("warning: watching: {error}");
                continue;
            }
        };
        let changes = Changes::new(&root, paths);
        let started = Instant::now();
        match session.rebuild(&changes) {
            Ok((site, warnings)) => {
                session.report_warnings(&warnings);
                let message = if changes.stylesheets_only() { Message::Stylesheets } else { Message::Reload };
                live.publish(site, message);
                println!("Rebuilt in {} ms ({})", started.elapsed().as_millis(), changes.describe(&root));
            }
            Err(errors) => report_errors(&live, &errors),
        }
        let _ = std::io::stdout().flush();
    }
    drop(watcher);
    match server.join() {
        Ok(result) => result.map_err(Error::Server),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn report_errors(live: &Live, errors: &[Diagnostic]) {
    for error in errors {
        eprintln!("error: {error}");
    }
    let n = errors.len();
    eprintln!("build failed: {n} error{}; still serving the last good site", if n == 1 { "" } else { "s" });
    live.fail(errors);
}

/// Binds the asked port, or the next free one.
fn listen(bind: IpAddr, port: u16) -> Result<TcpListener, Error> {
    let last = if port == 0 { 0 } else { port.saturating_add(PORTS_TO_TRY - 1) };
    for candidate in port..=last {
        let addr = SocketAddr::new(bind, candidate);
        match TcpListener::bind(addr) {
            Ok(listener) => {
                if candidate != port {
                    eprintln!("Port {port} is taken; using {candidate}");
                }
                listener.set_nonblocking(true).map_err(|source| Error::Listen { addr, source })?;
                return Ok(listener);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(source) => return Err(Error::Listen { addr, source }),
        }
    }
    Err(Error::NoFreePort { first: port, last })
}

/// The address pages link to. A server on every interface is still reached locally as
/// 127.0.0.1 (or ::1).
fn origin(address: SocketAddr) -> String {
    let ip = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, address.port()))
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(command)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(error) = spawned {
        eprintln!("warning: cannot open a browser ({command}: {error}); open {url} yourself");
    }
}

/// What changed in one burst, as paths under the site's root.
struct Changes {
    paths: Vec<PathBuf>,
    config: bool,
    theme: bool,
    content: Vec<PathBuf>,
}

impl Changes {
    fn new(root: &Path, paths: Vec<PathBuf>) -> Changes {
        let under = |folder: &str| root.join(folder);
        let config = paths.iter().any(|p| *p == Config::path_in(root));
        let theme = paths.iter().any(|p| p.starts_with(under("templates")) || p.starts_with(under("themes")));
        let content = paths.iter().filter(|p| p.starts_with(under(CONTENT_DIR))).cloned().collect();
        Changes { paths, config, theme, content }
    }

    /// The first build: everything is read.
    fn everything() -> Changes {
        Changes { paths: Vec::new(), config: true, theme: true, content: Vec::new() }
    }

    /// Only stylesheets changed: open pages can swap them in without reloading.
    fn stylesheets_only(&self) -> bool {
        !self.paths.is_empty() && self.paths.iter().all(|p| p.extension().is_some_and(|e| e == "css"))
    }

    /// `content/posts/x.md`, or `content/posts/x.md and 2 more`. Files already gone again
    /// (the temporary files of `sed -i` and of some editors' saves) are left out unless
    /// nothing else changed.
    fn describe(&self, root: &Path) -> String {
        let shown = |path: &Path| crate::load::display_path(root, path).display().to_string();
        let existing: Vec<&PathBuf> = self.paths.iter().filter(|p| p.exists()).collect();
        let paths: Vec<&PathBuf> = if existing.is_empty() { self.paths.iter().collect() } else { existing };
        match paths.as_slice() {
            [] => "nothing".to_owned(),
            [one] => shown(one),
            [first, rest @ ..] => format!("{} and {} more", shown(first), rest.len()),
        }
    }
}

/// What a served site is made from, kept whole while any page of it can still be asked for.
pub(crate) struct Inputs {
    root: PathBuf,
    config: Arc<Config>,
    theme: Arc<Theme>,
    content: Arc<Content>,
    markdown: Arc<MarkdownCache>,
    code: Option<Arc<CodeCache>>,
    options: model::Options,
}

self_cell::self_cell!(
    /// A site being served: its inputs, and the model and renderer made from them, which
    /// borrow them.
    pub(crate) struct ServedSite {
        owner: Inputs,
        #[covariant]
        dependent: SiteRenderer,
    }
);

/// What the rebuild loop keeps between rebuilds.
struct Session {
    root: PathBuf,
    base: BaseUrl,
    /// `None` until it loads without error; then kept until `site.toml` changes.
    config: Option<Arc<Config>>,
    /// `None` until it loads without error; then kept until a template or theme file changes.
    theme: Option<Arc<Theme>>,
    /// Shared with the site being served, which keeps its own version when this one changes.
    content: Arc<Content>,
    /// Content files (or the whole of `content/`) to read again with the next change: those
    /// that failed to parse are retried every time, so an error stays on screen until that
    /// file is fixed, whatever else the writer edits meanwhile.
    broken: BTreeSet<PathBuf>,
    /// Each document's rendered Markdown, used again while the document is unchanged.
    markdown: Arc<MarkdownCache>,
    /// Highlighted code from the last `build` (read, never written: that is `build`'s).
    code: Option<Arc<CodeCache>>,
    /// Warnings already shown, so a rebuild repeats only new ones.
    warned: BTreeSet<Diagnostic>,
}

impl Session {
    fn new(root: PathBuf, base: BaseUrl) -> Session {
        Session {
            root,
            base,
            config: None,
            theme: None,
            content: Arc::default(),
            broken: BTreeSet::new(),
            markdown: Arc::default(),
            code: None,
            warned: BTreeSet::new(),
        }
    }

    /// Brings the site up to date with `changes`: the new site, and its warnings.
    fn rebuild(&mut self, changes: &Changes) -> Result<(ServedSite, Vec<Diagnostic>), Vec<Diagnostic>> {
        let root = &self.root;
        let content_dir = root.join(CONTENT_DIR);
        let mut errors = Vec::new();
        // Everything is rendered and checked, not only the documents, when the templates or
        // the config may have changed what every page looks like.
        let everything = changes.config || changes.theme || self.config.is_none() || self.theme.is_none();
        if changes.config || self.config.is_none() {
            // The config decides how every file is read (its time zone places dates), so a
            // change to it reads everything again.
            self.config = None;
            self.theme = None;
            let config = Config::load(root).map_err(|e| vec![e])?;
            self.content = Arc::default();
            self.broken = BTreeSet::from([content_dir.clone()]);
            self.code = crate::code_cache(root, &config).map(|cache| Arc::new(cache.read_only()));
            self.config = Some(Arc::new(config));
            self.markdown = Arc::default();
        }
        let config = Arc::clone(self.config.as_ref().expect("loaded above"));
        if changes.theme || self.theme.is_none() {
            self.theme = None;
            // Rendered Markdown may have come through the templates (shortcodes).
            self.markdown = Arc::default();
            match Theme::load(root, &config) {
                Ok(theme) => self.theme = Some(Arc::new(theme)),
                Err(found) => errors.extend(diagnostics(found)),
            }
        }
        let mut paths: Vec<PathBuf> = changes.content.clone();
        paths.extend(std::mem::take(&mut self.broken));
        if let Err(found) = Arc::make_mut(&mut self.content).reload(root, &paths, &config.time_zone()) {
            self.broken =
                found.iter().map(|e| e.location.path.clone()).filter(|p| p.starts_with(&content_dir)).collect();
            errors.extend(found);
        }
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(errors);
        }
        let inputs = Inputs {
            root: root.clone(),
            config,
            theme: Arc::clone(self.theme.as_ref().expect("no errors, so loaded")),
            content: Arc::clone(&self.content),
            markdown: Arc::clone(&self.markdown),
            code: self.code.clone(),
            // Each rebuild is a build, with its own "now": a scheduled post's time may have come.
            options: model::Options {
                now: jiff::Timestamp::now(),
                drafts: true,
                future: true,
                base: self.base.clone(),
            },
        };
        let site = ServedSite::try_new(inputs, |inputs| {
            let site = model::Site::assemble(&inputs.config, &inputs.content, &inputs.options)?;
            let code = inputs.code.as_deref().map(CodeCacheRef::Shared);
            let theme = &inputs.theme;
            SiteRenderer::new(site, theme.templates.clone(), &theme.source, &inputs.root, Some(&inputs.markdown), code)
                .map_err(crate::Error::from)
        })
        .map_err(diagnostics)?;
        let renderer = site.borrow_dependent();
        let mut warnings = renderer.site().warnings.clone();
        if everything {
            warnings.extend(renderer.render_all(&Discard).map_err(diagnostics)?.warnings);
        } else {
            warnings.extend(renderer.check_documents().map_err(diagnostics)?);
            // The changed posts' own pages, so an error their templates meet shows at once.
            for path in &changes.content {
                let content_path = crate::load::content_path(root, path);
                let Some(url) = renderer.site().url_of_content(&content_path) else { continue };
                if let Some(Err(error)) = renderer.render(&url.output_file()) {
                    return Err(diagnostics(error));
                }
            }
        }
        Ok((site, warnings))
    }

    fn report_warnings(&mut self, warnings: &[Diagnostic]) {
        for warning in warnings {
            if !self.warned.contains(warning) {
                eprintln!("warning: {warning}");
            }
        }
        self.warned = warnings.iter().cloned().collect();
    }
}

/// Renders and forgets: for checking every page without keeping any.
struct Discard;

impl OutputSink for Discard {
    fn put(&self, _: OutputFile) -> Result<(), crate::write::Error> {
        Ok(())
    }
}

fn diagnostics(error: crate::Error) -> Vec<Diagnostic> {
    match error {
        crate::Error::Content(diagnostics) => diagnostics,
        other => vec![Diagnostic::new(Location::file(Path::new("site.toml")), other.to_string())],
    }
}

/// What is being served now.
pub(crate) struct Snapshot {
    /// Names the site being served; pages carry it, so one that connects after missing a
    /// rebuild learns it is stale.
    pub build: String,
    /// `None` until the first build succeeds.
    pub site: Option<Arc<ServedSite>>,
    /// The errors of the last rebuild, when it failed: shown over every page until fixed.
    pub errors: Vec<String>,
}

/// What the rebuild loop shares with the web server.
pub(crate) struct Live {
    current: RwLock<Arc<Snapshot>>,
    messages: tokio::sync::broadcast::Sender<String>,
    /// The site's root, resolved: no file outside it is ever sent.
    pub root: PathBuf,
    /// Build names start from the time `serve` started, so a page left open from an earlier
    /// run does not take a new site for the one it shows.
    first_build: u128,
    builds: std::sync::atomic::AtomicU64,
}

/// A message to open pages (see reload.js).
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(crate) enum Notice<'a> {
    /// Sent to a page as it connects: the site now served, and its errors if the last
    /// rebuild failed.
    Hello {
        build: &'a str,
        errors: &'a [String],
    },
    Reload {
        build: &'a str,
    },
    Css {
        build: &'a str,
    },
    Error {
        errors: &'a [String],
    },
}

#[derive(Clone, Copy)]
enum Message {
    Reload,
    Stylesheets,
}

impl Live {
    fn new(root: &Path) -> Live {
        let dir = if root.as_os_str().is_empty() { Path::new(".") } else { root };
        let first_build = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Live {
            current: RwLock::new(Arc::new(Snapshot {
                build: format!("{first_build:x}-0"),
                site: None,
                errors: Vec::new(),
            })),
            messages: tokio::sync::broadcast::channel(16).0,
            root: dir.canonicalize().unwrap_or_else(|_| dir.to_owned()),
            first_build,
            builds: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub fn current(&self) -> Arc<Snapshot> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.messages.subscribe()
    }

    /// Serves `snapshot` from now on; hands back the one it replaces, so the caller can tell
    /// pages first and free the old site after.
    fn replace(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        std::mem::replace(&mut *self.current.write().unwrap_or_else(|e| e.into_inner()), Arc::new(snapshot))
    }

    /// Serves a new site, then tells open pages: the message goes out only once every file
    /// of the new site can be served.
    fn publish(&self, site: ServedSite, message: Message) {
        let n = self.builds.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let build = format!("{:x}-{n}", self.first_build);
        let notice = match message {
            Message::Reload => Notice::Reload { build: &build },
            Message::Stylesheets => Notice::Css { build: &build },
        };
        let text = serde_json::to_string(&notice).expect("serializable");
        let old = self.replace(Snapshot { build, site: Some(Arc::new(site)), errors: Vec::new() });
        let _ = self.messages.send(text); // no page open: nobody to tell
        drop(old);
    }

    /// Keeps serving the last good site, with the errors shown over it.
    fn fail(&self, errors: &[Diagnostic]) {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let current = self.current();
        let text = serde_json::to_string(&Notice::Error { errors: &errors }).expect("serializable");
        let _ = self.replace(Snapshot { build: current.build.clone(), site: current.site.clone(), errors });
        let _ = self.messages.send(text);
    }
}
