//! Watching the site's sources: which changes count, and gathering a burst of them into one.
//!
//! The watcher only forwards raw events; the rebuild loop owns it, filters the events here and
//! adds a watch when one of the watched folders appears after `serve` started.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
use notify::{RecursiveMode, Watcher as _};

/// The folders whose files make the site; `site.toml` sits beside them.
pub const WATCHED_FOLDERS: [&str; 4] = ["content", "static", "templates", "themes"];
pub const CONFIG_FILE: &str = "site.toml";

/// How long a burst may stay quiet before it is over: an editor's save (write, rename,
/// chmod of a backup) comes as several events within a millisecond or two.
const QUIET: Duration = Duration::from_millis(20);
/// However busy the file system, a rebuild starts this soon after the first change.
const LONGEST_BURST: Duration = Duration::from_millis(500);
/// `--poll`: how often the polling watcher looks at every file.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// What the rebuild loop waits for.
pub enum Event {
    /// Raw events from the watcher.
    Changed(notify::Result<notify::Event>),
    /// Ctrl-C reached the web server, or it stopped.
    Stop,
}

pub struct Watcher {
    inner: Box<dyn notify::Watcher + Send>,
    /// The root as given (paths handed on are under it, as the writer names them).
    root: PathBuf,
    /// The root resolved, which is how the watcher names paths.
    resolved: PathBuf,
}

impl Watcher {
    pub fn start(root: &Path, poll: bool, events: Sender<Event>) -> notify::Result<Watcher> {
        let handler = move |event: notify::Result<notify::Event>| {
            let _ = events.send(Event::Changed(event));
        };
        let inner: Box<dyn notify::Watcher + Send> = if poll {
            // The poller compares modification times in whole seconds, so without comparing
            // contents a second save within the same second would go unseen, for good.
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(true);
            Box::new(notify::PollWatcher::new(handler, config)?)
        } else {
            Box::new(notify::RecommendedWatcher::new(handler, notify::Config::default())?)
        };
        let resolved = resolve_root(root)?;
        let mut watcher = Watcher { inner, root: root.to_owned(), resolved };
        // The root itself, not recursively: site.toml (which editors replace rather than
        // rewrite, so a watch on the file would be lost) and folders appearing.
        let resolved = watcher.resolved.clone();
        watcher.inner.watch(&resolved, RecursiveMode::NonRecursive)?;
        for folder in WATCHED_FOLDERS {
            watcher.watch_folder(folder)?;
        }
        Ok(watcher)
    }

    fn watch_folder(&mut self, folder: &str) -> notify::Result<()> {
        let path = self.resolved.join(folder);
        if path.is_dir() { self.inner.watch(&path, RecursiveMode::Recursive) } else { Ok(()) }
    }

    /// The site files an event is about (as paths under the given root), or none when it is
    /// about nothing the site is made of: a read, an editor's swap file, `public/`.
    pub fn site_paths(&mut self, event: notify::Event) -> notify::Result<Vec<PathBuf>> {
        match event.kind {
            // Opening and reading files (the build does plenty) changes nothing.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => {
                return Ok(Vec::new());
            }
            _ => {}
        }
        let mut paths = Vec::new();
        for path in event.paths {
            let Ok(relative) = path.strip_prefix(&self.resolved) else { continue };
            if !is_site_file(relative) {
                continue;
            }
            // A watched folder created after the start (or deleted and made again).
            let mut components = relative.components();
            if let (Some(first), None) = (components.next(), components.next())
                && let Some(folder) = WATCHED_FOLDERS.iter().find(|f| first.as_os_str() == **f)
                && path.is_dir()
            {
                self.watch_folder(folder)?;
            }
            paths.push(self.root.join(relative));
        }
        Ok(paths)
    }
}

/// Waits for the first change, then gathers the rest of its burst. `None` means stop.
pub fn next_burst(watcher: &mut Watcher, events: &Receiver<Event>) -> Option<Result<Vec<PathBuf>, notify::Error>> {
    let mut paths = Vec::new();
    let mut started: Option<Instant> = None;
    loop {
        let event = match started {
            None => events.recv().ok()?,
            Some(start) => {
                let left = LONGEST_BURST.saturating_sub(start.elapsed()).min(QUIET);
                match events.recv_timeout(left) {
                    Ok(event) => event,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
        };
        match event {
            Event::Stop => return None,
            Event::Changed(Err(error)) => return Some(Err(error)),
            Event::Changed(Ok(event)) => match watcher.site_paths(event) {
                Ok(found) if !found.is_empty() => {
                    paths.extend(found);
                    started.get_or_insert_with(Instant::now);
                }
                Ok(_) => {}
                Err(error) => return Some(Err(error)),
            },
        }
    }
    paths.sort();
    paths.dedup();
    Some(Ok(paths))
}

/// Whether a path (relative to the root) is part of the site's sources: `site.toml`, or a
/// file under a watched folder that is not an editor's swap, backup or temporary file.
pub fn is_site_file(relative: &Path) -> bool {
    let mut components = relative.components().map(|c| c.as_os_str().to_string_lossy());
    let Some(first) = components.next() else { return false };
    if first == CONFIG_FILE {
        return components.next().is_none();
    }
    if !WATCHED_FOLDERS.contains(&first.as_ref()) {
        return false; // public/, .git/, target/ and the rest
    }
    components.all(|name| !is_editor_scratch(&name))
}

/// Files editors write beside the one being edited: vim's `.x.swp` and `4913` probe, emacs's
/// `.#x` lock and `x~` backup, and the `.tmp` files of atomic saves. Hidden files count too,
/// as the build skips them.
fn is_editor_scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp"].iter().any(|ext| name.ends_with(ext))
}

/// The root resolved, so the watcher's absolute paths can be turned back into the writer's.
fn resolve_root(root: &Path) -> notify::Result<PathBuf> {
    let dir = if root.as_os_str().is_empty() { Path::new(".") } else { root };
    dir.canonicalize().map_err(notify::Error::io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_files_and_scratch_files() {
        for path in ["site.toml", "content/posts/x.md", "static/style.css", "themes/t/templates/post.html"] {
            assert!(is_site_file(Path::new(path)), "{path}");
        }
        for path in [
            "public/index.html",
            ".git/index",
            "site.toml~",
            "content/posts/.x.md.swp",
            "content/posts/x.md~",
            "content/posts/.#x.md",
            "content/posts/4913",
            "content/posts/x.md.tmp",
            "static/.hidden/a.css",
            "README.md",
        ] {
            assert!(!is_site_file(Path::new(path)), "{path}");
        }
    }
}
