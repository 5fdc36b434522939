//! Stage 1, load: find the site's files and parse each one once.
//!
//! Posts live under `content/posts/`, stand-alone pages elsewhere under `content/`. A folder
//! holding `index.md` is one document whose other files are its assets. Every broken file is
//! reported, not only the first, as a compiler does.

pub mod date;
pub mod front_matter;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use jiff::tz::TimeZone;
use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location};
pub use front_matter::{Data, FrontMatter, TagsField, TalkField};

pub const CONTENT_DIR: &str = "content";
pub const POSTS_DIR: &str = "posts";
/// How many files one task reads at most, so that no core is left with a long run to finish
/// alone while the others wait.
const FILES_PER_TASK: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Post,
    Page,
}

/// One Markdown file, parsed.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the writer knows it (the site root joined with the file's path in it).
    pub path: PathBuf,
    /// The path relative to `content/`, `/`-separated: `posts/2018/foo.md`.
    pub content_path: String,
    pub kind: SourceKind,
    pub front: FrontMatter,
    /// The whole file, front matter included: kept as read, as the body is most of it.
    text: String,
    /// Where the body starts in `text`.
    body_start: usize,
    /// Line of the body's first line in the file, so body errors can name the real line.
    pub body_line: usize,
    /// The slug the file's name gives (date prefix dropped, `index.md` named by its folder).
    pub file_slug: String,
    /// A Jekyll-style date from the file name, used when the front matter has none.
    pub file_date: Option<jiff::ZonedDateTime>,
    /// Other files of an `index.md` bundle, to be copied beside its page.
    pub assets: Vec<BundleAsset>,
    /// Which reading of the file this is: no two parses in one process share a number, so a
    /// cache can tell an unchanged file from an edited one without comparing their texts.
    pub revision: u64,
}

impl Source {
    /// The Markdown after the front matter.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// A file of a bundle: where it is, and its path inside the bundle (`maps/route.gpx`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleAsset {
    pub path: PathBuf,
    pub name: String,
}

/// A file under `content/` that is not Markdown and not part of a bundle: copied as it is.
#[derive(Debug, Clone)]
pub struct ContentAsset {
    pub path: PathBuf,
    /// Path relative to `content/`, which is also its path in the output.
    pub content_path: String,
}

/// The loaded site. Each file is shared, so `serve` can keep serving one version of the
/// content while it reads the next, copying nothing but the files that changed.
#[derive(Debug, Default, Clone)]
pub struct Content {
    pub sources: Vec<Arc<Source>>,
    pub assets: Vec<ContentAsset>,
}

/// Walks `content/` and parses every Markdown file in parallel, each batch of files as soon as
/// the walk has found it, so the other cores are not left idle while one walks.
pub fn load(root: &Path, tz: &TimeZone) -> Result<Content, Vec<Diagnostic>> {
    let content_dir = root.join(CONTENT_DIR);
    let parsed = Mutex::new(Vec::new());
    let found = rayon::scope(|scope| {
        let parse = |paths: Vec<PathBuf>| {
            let (parsed, content_dir) = (&parsed, &content_dir);
            scope.spawn(move |_| {
                // Each source goes straight into its own allocation: gathered as they are (656
                // bytes each), 10,000 sources made a vector of 11 MB that was grown by copying and
                // then copied again into their `Arc`s, all of it fresh memory.
                let results: Vec<Result<Arc<Source>, Diagnostic>> = paths
                    .into_iter()
                    .map(|path| {
                        load_document(root, content_dir, Document { path, assets: Vec::new() }, tz).map(Arc::new)
                    })
                    .collect();
                parsed.lock().unwrap_or_else(PoisonError::into_inner).extend(results);
            });
        };
        let mut batch = Vec::with_capacity(FILES_PER_TASK);
        let found = discover(&content_dir, &mut |path| {
            batch.push(path.to_owned());
            if batch.len() == FILES_PER_TASK {
                parse(std::mem::replace(&mut batch, Vec::with_capacity(FILES_PER_TASK)));
            }
        });
        parse(batch);
        found
    })
    .map_err(|d| vec![d])?;
    // A bundle's files are known once the whole folder is walked.
    let bundles: HashMap<String, &Document> = (found.documents.iter())
        .filter(|doc| !doc.assets.is_empty())
        .map(|doc| (relative(&content_dir, &doc.path), doc))
        .collect();
    let results = parsed.into_inner().unwrap_or_else(PoisonError::into_inner);
    let mut sources = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(mut source) => {
                if let Some(doc) = bundles.get(&source.content_path) {
                    // Not shared yet: this writes in place, without a copy.
                    Arc::make_mut(&mut source).assets = bundle_assets(root, &content_dir, doc);
                }
                sources.push(source);
            }
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        return Err(errors);
    }
    sources.sort_by(|a, b| a.content_path.cmp(&b.content_path));
    let assets = content_assets(root, &content_dir, found.assets);
    Ok(Content { sources, assets })
}

impl Content {
    /// Brings loaded content up to date after `changed` files (paths under the site root, as
    /// the watcher reports them) were written, created or removed. A changed Markdown file that
    /// is already loaded is re-read alone; anything else (a new or deleted file, an asset, a
    /// folder) rescans `content/` and re-reads only the files that are new or changed. What
    /// comes out is what [`load`] would give, so a rebuild from it cannot be stale.
    ///
    /// Files that fail to parse are left out and reported; pass their paths again with the next
    /// change so they are retried even when the writer fixes something else first.
    pub fn reload(&mut self, root: &Path, changed: &[PathBuf], tz: &TimeZone) -> Result<(), Vec<Diagnostic>> {
        let content_dir = root.join(CONTENT_DIR);
        let changed: Vec<(&PathBuf, String)> = changed
            .iter()
            .filter(|path| path.starts_with(&content_dir))
            .map(|path| (path, relative(&content_dir, path)))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        let index_of =
            |sources: &[Arc<Source>], content_path: &str| sources.iter().position(|s| s.content_path == content_path);
        let in_place = changed.iter().all(|(path, content_path)| {
            is_markdown(path) && path.is_file() && index_of(&self.sources, content_path).is_some()
        });
        let mut errors = Vec::new();
        if in_place {
            let mut broken = Vec::new();
            for (path, content_path) in &changed {
                let index = index_of(&self.sources, content_path).expect("checked above");
                // Its bundle is unchanged (a change there would have been a path of its own).
                match load_document(root, &content_dir, Document { path: (*path).clone(), assets: Vec::new() }, tz) {
                    Ok(mut source) => {
                        source.assets = self.sources[index].assets.clone();
                        self.sources[index] = Arc::new(source);
                    }
                    Err(error) => {
                        broken.push(index);
                        errors.push(error);
                    }
                }
            }
            broken.sort_unstable();
            for index in broken.into_iter().rev() {
                self.sources.remove(index);
            }
        } else {
            let found = discover(&content_dir, &mut |_| {}).map_err(|d| vec![d])?;
            let mut old: std::collections::HashMap<String, Arc<Source>> =
                std::mem::take(&mut self.sources).into_iter().map(|s| (s.content_path.clone(), s)).collect();
            let changed: std::collections::HashSet<&str> = changed.iter().map(|(_, p)| p.as_str()).collect();
            let results: Vec<Result<Arc<Source>, Diagnostic>> = found
                .documents
                .into_iter()
                .map(|doc| {
                    let content_path = relative(&content_dir, &doc.path);
                    match old.remove(&content_path) {
                        // Unchanged: keep the parsed file, but take the bundle's files afresh.
                        Some(mut source) if !changed.contains(content_path.as_str()) => {
                            let assets = bundle_assets(root, &content_dir, &doc);
                            if source.assets != assets {
                                Arc::make_mut(&mut source).assets = assets;
                            }
                            Ok(Ok(source))
                        }
                        _ => Err(doc),
                    }
                })
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|kept| match kept {
                    Ok(source) => source,
                    Err(doc) => load_document(root, &content_dir, doc, tz).map(Arc::new),
                })
                .collect();
            for result in results {
                match result {
                    Ok(source) => self.sources.push(source),
                    Err(error) => errors.push(error),
                }
            }
            self.sources.sort_by(|a, b| a.content_path.cmp(&b.content_path));
            self.assets = content_assets(root, &content_dir, found.assets);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            errors.sort();
            Err(errors)
        }
    }
}

/// A Markdown file found by the walk, with its bundle assets.
pub struct Document {
    pub path: PathBuf,
    pub assets: Vec<PathBuf>,
}

struct Found {
    documents: Vec<Document>,
    assets: Vec<PathBuf>,
}

fn is_markdown(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "markdown"))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.') || n.ends_with('~'))
}

/// Finds the Markdown documents and other files under `content/`, handing each document's
/// path to `found_document` as the walk comes to it.
fn discover(content_dir: &Path, found_document: &mut dyn FnMut(&Path)) -> Result<Found, Diagnostic> {
    let mut found = Found { documents: Vec::new(), assets: Vec::new() };
    if !content_dir.is_dir() {
        return Ok(found);
    }
    // Unsorted: sorting each folder by name compares paths component by component, which was
    // most of the walk on a folder of 10,000 posts. The documents are put in order below.
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walker {
        let entry = entry.map_err(|err| {
            let path = err.path().unwrap_or(content_dir).to_owned();
            let message = if err.loop_ancestor().is_some() {
                "symbolic link loop; remove the link".to_owned()
            } else {
                format!("cannot read: {err}")
            };
            Diagnostic::new(Location::file(&path), message)
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.into_path();
        // Assets are matched to their bundles once the walk is done.
        if is_markdown(&path) {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("_index.") {
                continue; // Hugo's section files: list pages are ours to make
            }
            found_document(&path);
            found.documents.push(Document { path, assets: Vec::new() });
        } else {
            found.assets.push(path);
        }
    }
    // Byte order is as stable as the walk's and far cheaper to sort by.
    found.documents.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    found.assets.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    // Bundle folder and index in documents.
    let mut bundles: Vec<(PathBuf, usize)> = (found.documents.iter().enumerate())
        .filter(|(_, doc)| doc.path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("index.")))
        .map(|(index, doc)| (doc.path.parent().unwrap_or(content_dir).to_owned(), index))
        .collect();
    // Deepest bundle first, so nested bundles keep their own files.
    bundles.sort_by_key(|(dir, _)| std::cmp::Reverse(dir.components().count()));
    let mut loose = Vec::new();
    for asset in found.assets {
        match bundles.iter().find(|(dir, _)| dir != content_dir && asset.starts_with(dir)) {
            Some((_, index)) => found.documents[*index].assets.push(asset),
            None => loose.push(asset),
        }
    }
    found.assets = loose;
    Ok(found)
}

/// A file's path under `content/` (`posts/x.md`), from its path under the site's root.
pub fn content_path(root: &Path, path: &Path) -> String {
    relative(&root.join(CONTENT_DIR), path)
}

fn relative(base: &Path, path: &Path) -> String {
    if let Some(rest) = plainly_below(base, path) {
        return rest.to_owned();
    }
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The path shown to the writer: relative to where they ran `blog`, when the root is `.`.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    let here = root == Path::new(".") || root.as_os_str().is_empty();
    if let Some(rest) = plainly_below(root, path) {
        return if here { PathBuf::from(rest) } else { path.to_owned() };
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    if here { rel.to_owned() } else { root.join(rel) }
}

/// `path` below `base`, `/`-separated, when it is spelled as `base`, a `/` and plain names (as
/// the walk of `content/` spells every path). Comparing text is a small part of the work of
/// `Path::strip_prefix` and `components()`, which took a hundredth of a whole build for the
/// two paths of each document. Anything else (`.` or `..`, doubled or other separators, names
/// that are not UTF-8) is `None`, for the general rule.
fn plainly_below<'p>(base: &Path, path: &'p Path) -> Option<&'p str> {
    let rest = path.to_str()?.strip_prefix(base.to_str()?)?;
    let rest =
        if base.as_os_str().is_empty() || base.to_str()?.ends_with('/') { rest } else { rest.strip_prefix('/')? };
    let plain = |name: &str| !matches!(name, "" | "." | "..");
    (std::path::MAIN_SEPARATOR == '/' && rest.split('/').all(plain)).then_some(rest)
}

/// Reads and parses one Markdown file. Also used by `serve` to re-read a changed file.
pub fn load_document(root: &Path, content_dir: &Path, doc: Document, tz: &TimeZone) -> Result<Source, Diagnostic> {
    let shown = display_path(root, &doc.path);
    let bytes = std::fs::read(&doc.path)
        .map_err(|err| Diagnostic::new(Location::file(&shown), format!("cannot read: {err}")))?;
    let text = decode(&shown, bytes)?;
    let content_path = relative(content_dir, &doc.path);
    let assets = bundle_assets(root, content_dir, &doc);
    parse_source(&shown, &content_path, text, assets, tz)
}

fn bundle_assets(root: &Path, content_dir: &Path, doc: &Document) -> Vec<BundleAsset> {
    let bundle_dir = doc.path.parent().unwrap_or(content_dir);
    doc.assets
        .iter()
        .map(|path| BundleAsset { name: relative(bundle_dir, path), path: display_path(root, path) })
        .collect()
}

fn content_assets(root: &Path, content_dir: &Path, assets: Vec<PathBuf>) -> Vec<ContentAsset> {
    assets
        .into_iter()
        .map(|path| ContentAsset { content_path: relative(content_dir, &path), path: display_path(root, &path) })
        .collect()
}

/// UTF-8 with an optional BOM; UTF-16 and other encodings are refused with a hint, never read
/// as garbage. CRLF becomes LF, which keeps every line number.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::new(Location::at(path, 1, 1), "file is UTF-16; save it as UTF-8"));
    }
    let mut text = String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        Diagnostic::new(Location::at_offset(path, &text, text.len()), "file is not valid UTF-8; save it as UTF-8")
    })?;
    if let Some(stripped) = text.strip_prefix('\u{feff}') {
        text = stripped.to_owned();
    }
    // memchr's vector search: `str::contains` goes a word at a time, over every byte of every
    // source.
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        text = text.replace("\r\n", "\n");
    }
    Ok(text)
}

/// Parses a document's text. Pure: no file system access.
pub fn parse_source(
    path: &Path,
    content_path: &str,
    text: String,
    assets: Vec<BundleAsset>,
    tz: &TimeZone,
) -> Result<Source, Diagnostic> {
    let split =
        front_matter::split(&text).map_err(|err| Diagnostic::new(Location::at(path, err.line, 1), err.message))?;
    let front = front_matter::parse(path, &split, tz)?;
    let kind = if content_path.starts_with(&format!("{POSTS_DIR}/")) { SourceKind::Post } else { SourceKind::Page };
    let stem = Path::new(content_path).file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let stem = if stem == "index" {
        Path::new(content_path).parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("index")
    } else {
        stem
    };
    let (file_date, file_slug) = match date::from_file_stem(stem) {
        Some((date, slug)) => (date::start_of_day(date, tz), slug.to_owned()),
        None => (None, stem.to_owned()),
    };
    let (body_start, body_line) = (text.len() - split.body.len(), split.body_line);
    static REVISIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    Ok(Source {
        revision: REVISIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        path: path.to_owned(),
        content_path: content_path.to_owned(),
        kind,
        front,
        text,
        body_start,
        body_line,
        file_slug,
        file_date,
        assets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_crlf_and_utf16() {
        let p = Path::new("x.md");
        assert_eq!(decode(p, b"\xEF\xBB\xBF---\r\ntitle: A\r\n---\r\n".to_vec()).unwrap(), "---\ntitle: A\n---\n");
        assert!(decode(p, vec![0xFF, 0xFE, b'-', 0]).unwrap_err().to_string().contains("UTF-16"));
        let err = decode(p, b"ok\nab\xFF".to_vec()).unwrap_err().to_string();
        assert!(err.starts_with("x.md:2:3:"), "{err}");
    }

    #[test]
    fn file_names_give_slug_and_date() {
        let parse = |content_path| {
            parse_source(Path::new("p"), content_path, "---\ntitle: A\n---\nBody".into(), vec![], &TimeZone::UTC)
                .unwrap()
        };
        let s = parse("posts/2018-02-13-Hello.md");
        assert_eq!(s.body(), "Body");
        assert_eq!(s.file_slug, "Hello");
        assert_eq!(s.file_date.unwrap().date().to_string(), "2018-02-13");
        assert_eq!(s.kind, SourceKind::Post);
        assert_eq!(parse("posts/trip/index.md").file_slug, "trip");
        assert_eq!(parse("about.md").kind, SourceKind::Page);
    }

    #[test]
    fn paths_below_a_folder_read_the_same_by_text_or_by_components() {
        // The text shortcut and the component rule agree where the shortcut applies, and the
        // rule still answers where it does not.
        let slow_relative = |base: &str, path: &str| {
            let rel = Path::new(path).strip_prefix(base).unwrap_or(Path::new(path));
            rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
        };
        for (base, path) in [
            ("/site/content", "/site/content/posts/x.md"),
            ("site/content", "site/content/posts/2018/x.md"),
            ("/site/", "/site/content/x.md"),
            ("./content", "./content/posts/x.md"),
            ("/site/content", "/site/content/./posts//x.md"),
            ("/site/content", "/site/content2/x.md"),
            ("/site/content", "/site/content/../x.md"),
            ("", "posts/x.md"),
        ] {
            assert_eq!(relative(Path::new(base), Path::new(path)), slow_relative(base, path), "{base} {path}");
        }
        assert_eq!(plainly_below(Path::new("/site/content"), Path::new("/site/content/a/b.md")), Some("a/b.md"));
        assert_eq!(plainly_below(Path::new("/site/content"), Path::new("/site/content/./b.md")), None);
        assert_eq!(plainly_below(Path::new("/site/content"), Path::new("/site/contents/b.md")), None);

        assert_eq!(display_path(Path::new("."), Path::new("./content/posts/x.md")), Path::new("content/posts/x.md"));
        assert_eq!(display_path(Path::new("/site"), Path::new("/site/content/x.md")), Path::new("/site/content/x.md"));
        assert_eq!(display_path(Path::new("site"), Path::new("site/content/x.md")), Path::new("site/content/x.md"));
        assert_eq!(display_path(Path::new("."), Path::new("/elsewhere/x.md")), Path::new("/elsewhere/x.md"));
    }
}
