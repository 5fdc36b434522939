//! Stage 4, write: publish the rendered site so that nothing is ever lost or half-written.
//!
//! The site is written into a staging folder beside the output and swapped in whole, with one
//! atomic `renameat2(RENAME_EXCHANGE)` on Linux (two renames elsewhere). A failed build never
//! touches the output; files of earlier builds cannot linger; the output's hidden entries that
//! `blog` did not write (`.git`, `.nojekyll`) move into each new output; and the leftovers of a
//! killed build are cleaned up by the next one.

use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::render::{Body, OutputFile, OutputSink};

/// Marks a folder as written by `blog`, so the next build may replace it without `--force`.
pub const MARKER: &str = ".blog-output";
const STAGING: &str = "blog-staging";
const PREVIOUS: &str = "blog-previous";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("refusing to write the site into {path}: {why}")]
    Refused { path: PathBuf, why: String },
    #[error("{path} is not empty and was not written by blog; pass --force to replace its contents")]
    NotOurs { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_owned(), source }
}

/// Where the output goes, checked against every way of pointing it at the writer's own files.
#[derive(Debug, Clone)]
pub struct Target {
    /// As the writer named it, for messages.
    pub shown: PathBuf,
    /// Absolute, with `.`, `..` and symbolic links resolved.
    pub resolved: PathBuf,
}

impl Target {
    /// Refuses `/`, the site's root, any folder holding the site, and anything inside
    /// `content/`, `static/`, `templates/` or `themes/`; and a non-empty folder `blog` did not
    /// write, unless `force`.
    pub fn check(root: &Path, out: &Path, force: bool) -> Result<Target, Error> {
        let refuse = |why: &str| Error::Refused { path: out.to_owned(), why: why.to_owned() };
        let resolved = resolve(out).map_err(io_error(out))?;
        let root = resolve(root).map_err(io_error(root))?;
        if resolved.parent().is_none() {
            return Err(refuse("that is the file system's root"));
        }
        if resolved == root {
            return Err(refuse("that is the site's own folder"));
        }
        if root.starts_with(&resolved) {
            return Err(refuse("that folder holds the site itself"));
        }
        for source_dir in ["content", "static", "templates", "themes", ".blog-cache"] {
            if resolved.starts_with(root.join(source_dir)) {
                return Err(refuse(&format!("that is inside the site's {source_dir}/ folder")));
            }
        }
        if resolved.is_file() {
            return Err(refuse("that is a file, not a folder"));
        }
        if !force && resolved.is_dir() && !resolved.join(MARKER).exists() {
            let has_visible = std::fs::read_dir(&resolved)
                .map_err(io_error(out))?
                .filter_map(Result::ok)
                .any(|entry| !is_hidden(&entry.file_name()));
            if has_visible {
                return Err(Error::NotOurs { path: out.to_owned() });
            }
        }
        Ok(Target { shown: out.to_owned(), resolved })
    }
}

/// An absolute path with `..` and links resolved, for a path that may not exist yet: each
/// existing prefix is canonicalized before the next component applies, so `link/..` means the
/// parent of the link's target, as the kernel would read it.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = if path.is_absolute() { path.to_owned() } else { std::env::current_dir()?.join(path) };
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                resolved.pop();
            }
            Component::CurDir => {}
            other => {
                resolved.push(other);
                if let Ok(canonical) = resolved.canonicalize() {
                    resolved = canonical;
                }
            }
        }
    }
    Ok(resolved)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn sibling(target: &Path, kind: &str, id: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.{kind}-{id}"))
}

/// Writes `files` into a staging folder and swaps it in as the output.
pub fn publish(target: &Target, files: &[OutputFile]) -> Result<(), Error> {
    let staging = Staging::create(target)?;
    files.par_iter().try_for_each(|file| staging.write(file))?;
    staging.publish()
}

/// A build's output while it is being written: a folder beside the output that files go into
/// as they are rendered, from any thread, and that [`Staging::publish`] swaps in whole. If the
/// build stops before that (an error in a post, a full disk), the folder is removed and the
/// output is as it was.
pub struct Staging {
    out: PathBuf,
    folder: Folder,
    published: bool,
}

impl Staging {
    /// Makes an empty staging folder beside the target, first clearing what a killed build left.
    pub fn create(target: &Target) -> Result<Staging, Error> {
        let out = target.resolved.clone();
        let parent = out.parent().expect("checked: the output is not /");
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        clean_leftovers(&out);
        let dir = sibling(&out, STAGING, &std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let folder = Folder::open(&dir).map_err(io_error(&dir))?;
        Ok(Staging { out, folder, published: false })
    }

    /// Writes one file of the site, making its folders as needed.
    pub fn write(&self, file: &OutputFile) -> Result<(), Error> {
        match &file.body {
            Body::Made(bytes) => self.folder.create(&file.path, bytes),
            Body::Static(bytes) => self.folder.create(&file.path, bytes),
            Body::Copy(from) => self.folder.copy(&file.path, from),
        }
        .map_err(|source| Error::Io { path: self.folder.path.join(&file.path), source })
    }

    /// Marks the folder as `blog`'s and swaps it in as the output.
    pub fn publish(mut self) -> Result<(), Error> {
        std::fs::write(
            self.folder.path.join(MARKER),
            "This folder is written by `blog build`; it is replaced whole on each build.\n",
        )
        .map_err(io_error(&self.folder.path))?;
        swap_in(&self.folder.path, &self.out)?;
        self.published = true;
        Ok(())
    }
}

/// The folder files are written into. On Linux it is held open and every file and folder is
/// made relative to it, so the kernel walks only the file's own path, not the staging folder's
/// again for each of a large site's fifteen thousand files; and a folder already made costs no
/// second look.
struct Folder {
    path: PathBuf,
    #[cfg(target_os = "linux")]
    handle: rustix::fd::OwnedFd,
}

impl Folder {
    fn open(path: &Path) -> io::Result<Folder> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            Ok(Folder { path: path.to_owned(), handle: rustix::fs::open(path, flags, Mode::empty())? })
        }
        #[cfg(not(target_os = "linux"))]
        Ok(Folder { path: path.to_owned() })
    }

    /// Writes `bytes` to the file at `relative`, making its folders as needed.
    fn create(&self, relative: &str, bytes: &[u8]) -> io::Result<()> {
        self.make_parent(relative)?;
        #[cfg(target_os = "linux")]
        {
            use std::io::Write;

            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC;
            let file = rustix::fs::openat(&self.handle, relative, flags, Mode::from_raw_mode(0o666))?;
            std::fs::File::from(file).write_all(bytes)
        }
        #[cfg(not(target_os = "linux"))]
        std::fs::write(self.path.join(relative), bytes)
    }

    /// Copies the file `from` to `relative`, making its folders as needed.
    fn copy(&self, relative: &str, from: &Path) -> io::Result<()> {
        self.make_parent(relative)?;
        std::fs::copy(from, self.path.join(relative)).map(drop)
    }

    fn make_parent(&self, relative: &str) -> io::Result<()> {
        match Path::new(relative).parent().filter(|p| !p.as_os_str().is_empty()) {
            #[cfg(target_os = "linux")]
            Some(parent) => self.make_folder(parent),
            #[cfg(not(target_os = "linux"))]
            Some(parent) => std::fs::create_dir_all(self.path.join(parent)),
            None => Ok(()),
        }
    }

    /// Makes a folder and those above it that are missing; one that is there already (another
    /// thread may just have made it) is fine.
    #[cfg(target_os = "linux")]
    fn make_folder(&self, relative: &Path) -> io::Result<()> {
        use rustix::io::Errno;
        let make = || match rustix::fs::mkdirat(&self.handle, relative, rustix::fs::Mode::from_raw_mode(0o777)) {
            Ok(()) | Err(Errno::EXIST) => Ok(()),
            Err(error) => Err(error),
        };
        match make() {
            Err(Errno::NOENT) => {
                if let Some(parent) = relative.parent().filter(|p| !p.as_os_str().is_empty()) {
                    self.make_folder(parent)?;
                }
                Ok(make()?)
            }
            other => Ok(other?),
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            remove_tree(&self.folder.path);
        }
    }
}

impl OutputSink for Staging {
    fn put(&self, file: OutputFile) -> Result<(), Error> {
        self.write(&file)
    }
}

/// Puts the staged site in place of the output, then moves the old output's hidden entries
/// (a `.git`, say) into the new one and deletes the rest of the old output.
fn swap_in(staging: &Path, out: &Path) -> Result<(), Error> {
    if !out.exists() {
        return std::fs::rename(staging, out).map_err(io_error(out));
    }
    let previous = if exchange(staging, out).is_ok() {
        staging.to_owned()
    } else {
        let previous = sibling(out, PREVIOUS, &std::process::id().to_string());
        std::fs::rename(out, &previous).map_err(io_error(out))?;
        if let Err(source) = std::fs::rename(staging, out) {
            let _ = std::fs::rename(&previous, out);
            return Err(Error::Io { path: out.to_owned(), source });
        }
        previous
    };
    keep_hidden_entries(&previous, out);
    remove_tree(&previous);
    Ok(())
}

/// Deletes a folder tree using every core: removing the previous output's ten thousand
/// folders one by one costs more than writing the new one.
fn remove_tree(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    entries.filter_map(Result::ok).par_bridge().for_each(|entry| match entry.file_type() {
        Ok(kind) if kind.is_dir() => remove_tree(&entry.path()),
        _ => {
            let _ = std::fs::remove_file(entry.path());
        }
    });
    let _ = std::fs::remove_dir(dir);
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange on this system"))
}

/// Moves hidden entries other than our marker from an old output into the new one, unless the
/// new one has them already.
fn keep_hidden_entries(old: &Path, out: &Path) {
    let Ok(entries) = std::fs::read_dir(old) else { return };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        if is_hidden(&name) && name != MARKER && !out.join(&name).exists() {
            let _ = std::fs::rename(entry.path(), out.join(&name));
        }
    }
}

/// Removes what a killed build left beside the output, first rescuing hidden entries and, when
/// the kill came between two renames, the previous output itself.
fn clean_leftovers(out: &Path) {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else { return };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.filter_map(Result::ok) {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some(kind) = entry_name.strip_prefix(&prefix) else { continue };
        if !(kind.starts_with(STAGING) || kind.starts_with(PREVIOUS)) {
            continue;
        }
        let path = entry.path();
        if kind.starts_with(PREVIOUS) && !out.exists() && std::fs::rename(&path, out).is_ok() {
            continue;
        }
        if out.exists() {
            keep_hidden_entries(&path, out);
        }
        let _ = std::fs::remove_dir_all(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile { path: path.to_owned(), body: Body::Made(text.into()) }
    }

    #[test]
    fn publish_replaces_whole_and_keeps_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        let target = Target::check(&root, &out, false).unwrap();
        publish(&target, &[file("a/index.html", "one"), file("old.html", "x")]).unwrap();
        std::fs::create_dir(out.join(".git")).unwrap();
        std::fs::write(out.join(".git/HEAD"), "ref").unwrap();
        let target = Target::check(&root, &out, false).unwrap();
        publish(&target, &[file("a/index.html", "two")]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.html").exists(), "files of earlier builds must not linger");
        assert_eq!(std::fs::read_to_string(out.join(".git/HEAD")).unwrap(), "ref");
        let leftovers: Vec<_> =
            std::fs::read_dir(&root).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn files_go_into_folders_made_as_needed_from_any_thread() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::open(dir.path()).unwrap();
        let paths: Vec<String> = (0..64).map(|i| format!("tags/t{}/page/{}/index.html", i % 4, i / 4)).collect();
        paths.par_iter().for_each(|path| folder.create(path, path.as_bytes()).unwrap());
        folder.create("tags/t1/atom.xml", b"feed").unwrap();
        folder.create("index.html", b"home").unwrap();
        folder.copy("posts/trip/map.gpx", &dir.path().join("index.html")).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("posts/trip/map.gpx")).unwrap(), "home");
        for path in &paths {
            assert_eq!(std::fs::read_to_string(dir.path().join(path)).unwrap(), *path);
        }
        assert_eq!(std::fs::read_to_string(dir.path().join("tags/t1/atom.xml")).unwrap(), "feed");
        assert_eq!(std::fs::read_to_string(dir.path().join("index.html")).unwrap(), "home");
        std::fs::write(dir.path().join("taken"), "a file").unwrap();
        assert!(folder.create("taken/index.html", b"x").is_err(), "a file where a folder should be");
    }

    #[test]
    fn guards() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        for bad in [
            root.clone(),
            root.join("."),
            root.join("x/.."),
            dir.path().to_owned(),
            root.join("content/out"),
            PathBuf::from("/"),
        ] {
            assert!(matches!(Target::check(&root, &bad, true), Err(Error::Refused { .. })), "{bad:?}");
        }
        std::fs::create_dir_all(root.join("mine")).unwrap();
        std::fs::write(root.join("mine/notes.txt"), "precious").unwrap();
        assert!(matches!(Target::check(&root, &root.join("mine"), false), Err(Error::NotOurs { .. })));
        assert!(Target::check(&root, &root.join("mine"), true).is_ok());
        std::fs::create_dir_all(root.join("gh-pages/.git")).unwrap();
        assert!(Target::check(&root, &root.join("gh-pages"), false).is_ok(), "only hidden entries: adoptable");
    }

    #[test]
    fn leftovers_of_a_killed_build_are_cleaned_and_rescued() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let stale = sibling(&out, STAGING, "999999");
        std::fs::create_dir_all(stale.join(".git")).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        clean_leftovers(&out);
        assert!(!stale.exists());
        assert!(out.join(".git").is_dir(), "a .git moved into a stale folder is rescued");
        // Killed between the two renames of the fallback: the previous output comes back.
        std::fs::remove_dir_all(&out).unwrap();
        let previous = sibling(&out, PREVIOUS, "1");
        std::fs::create_dir_all(&previous).unwrap();
        std::fs::write(previous.join("index.html"), "old").unwrap();
        clean_leftovers(&out);
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "old");
    }
}
