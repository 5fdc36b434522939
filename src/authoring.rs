//! `blog init` and `blog new`: the files a blogger starts from.
//!
//! Both only ever add files: `init` refuses a folder that already holds something (unless told
//! to), and `new` never replaces a post. `new --series` reads the site through the same loader
//! and model as `build`, so "the next part" means exactly what the series page will show.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::config::{self, Config};
use crate::load::{self, CONTENT_DIR, POSTS_DIR};
use crate::model::{self, PartEntry, Site, Slug};

/// Why `init` or `new` wrote nothing (or, for a failed write, not everything).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{} is not empty (it holds {entries}); choose an empty folder, or pass --force to write the new site into it (replacing files of the same names)",
        .path.display()
    )]
    NotEmpty { path: PathBuf, entries: String },
    #[error("{} is a file, not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("{} already exists; `blog new` never replaces a post (choose another title, or edit that file)", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Site(#[from] crate::Error),
}

impl From<crate::Diagnostic> for Error {
    fn from(diagnostic: crate::Diagnostic) -> Error {
        Error::Site(diagnostic.into())
    }
}

impl From<Vec<crate::Diagnostic>> for Error {
    fn from(diagnostics: Vec<crate::Diagnostic>) -> Error {
        Error::Site(diagnostics.into())
    }
}

const SAMPLE_POST: &str = "hello-world.md";

/// `blog init`: writes a site that builds as it is (site.toml, one post, a .gitignore) into
/// `dir`, creating it if needed. Returns the files written.
///
/// A folder holding only hidden entries (`.git` from a fresh `git init`) counts as empty.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::NotAFolder(dir.to_owned()));
    }
    if dir.is_dir() && !force {
        let entries = visible_entries(dir).map_err(|source| Error::Write { path: dir.to_owned(), source })?;
        if !entries.is_empty() {
            let mut shown = entries.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            if entries.len() > 3 {
                shown.push_str(", …");
            }
            return Err(Error::NotEmpty { path: dir.to_owned(), entries: shown });
        }
    }
    // The writer's own zone is the likeliest one for their dates; `Etc/UTC` reads better as UTC.
    let timezone = TimeZone::system()
        .iana_name()
        .filter(|name| TimeZone::get(name).is_ok() && !matches!(*name, "Etc/UTC" | "Etc/Universal" | "Etc/Zulu"))
        .unwrap_or("UTC")
        .to_owned();
    let now = local_now(&TimeZone::get(&timezone).unwrap_or(TimeZone::UTC));
    let mut written = Vec::new();
    let mut write = |path: PathBuf, text: &str| -> Result<(), Error> {
        write_file(&path, text, true)?;
        written.push(path);
        Ok(())
    };
    write(config::Config::path_in(dir), &site_toml(&timezone))?;
    write(dir.join(CONTENT_DIR).join(POSTS_DIR).join(SAMPLE_POST), &sample_post(&now))?;
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        write(
            gitignore,
            "# blog's output and build cache: both are made again by `blog build`.\n/public/\n/.blog-cache/\n",
        )?;
    }
    Ok(written)
}

/// Names in a folder that a person would call its contents.
fn visible_entries(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            names.push(if entry.path().is_dir() { format!("{name}/") } else { name });
        }
    }
    names.sort();
    Ok(names)
}

fn site_toml(timezone: &str) -> String {
    format!(
        r#"# The site's settings. Only `title` is needed; the commented lines show other keys with
# their defaults or an example. An unknown key is an error, so typos never pass silently.

title = "My blog"
# description = "What this blog is about, for the home page and search results."
# author = "Your Name"

# Where the site will be published. Feeds, the sitemap and canonical links need it, so set it
# before you publish. A site may live under a path: "https://user.github.io/blog/".
# base_url = "https://example.com/"

# The time zone of dates written without an offset (an IANA name such as "Europe/Berlin").
timezone = "{timezone}"

# language = "en"
# permalink = "/posts/:slug/"   # also :year, :month and :day
# paginate = 10                 # posts per page on the home and tag pages

# A series is a run of posts read in order, marked by its name as `series:` or as a tag.
# [[series]]
# name = "28 days of elixir"
# total = 28
# description = "One post a day through February."

# [feeds]
# limit = 20
"#
    )
}

fn sample_post(date: &str) -> String {
    format!(
        r#"---
title: "Hello, world"
date: {date}
tags: [meta]
---
This is the first post of a new blog. It lives in `content/posts/{SAMPLE_POST}`: edit it, or
delete it once you have written your own.

<!-- more -->

## What next

- `blog new "My next post"` writes a new post with its date and front matter filled in;
  `blog new "Day 2" --series "28 days of elixir"` adds the next part of a series.
- `blog build` turns the site into HTML in `public/`; `blog check` also verifies every link.
- Set `base_url` in `site.toml` before you publish.
"#
    )
}

/// `blog new`'s settings.
#[derive(Debug, Clone, Default)]
pub struct NewPost {
    pub root: PathBuf,
    pub title: String,
    pub series: Option<String>,
    pub tags: Vec<String>,
    pub talk: bool,
}

/// What `blog new` wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    /// The series (as the site spells it) and the part number, with `--series`.
    pub series: Option<(String, u32)>,
    /// Tags copied from the earlier parts of the series.
    pub shared_tags: Vec<String>,
    /// Existing series with a name close to the one asked for, when none had that name.
    pub suggestion: Option<String>,
}

/// `blog new`: writes `content/posts/<slug>.md` with its front matter filled in.
pub fn new_post(options: &NewPost) -> Result<Written, Error> {
    let config = Config::load(&options.root)?;
    let tz = config.time_zone();
    let title = options.title.trim();
    let slug = Slug::from_text(title);
    if slug.is_empty() {
        return Err(
            crate::Error::Usage(format!("title {title:?} has no letters or digits to make a file name from")).into()
        );
    }
    let mut tags: Vec<String> = Vec::new();
    let add_tag = |tag: &str, tags: &mut Vec<String>| {
        let tag = tag.trim();
        if !tag.is_empty() && !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
            tags.push(tag.to_owned());
        }
    };
    options.tags.iter().for_each(|tag| add_tag(tag, &mut tags));

    let mut written = Written { path: PathBuf::new(), series: None, shared_tags: Vec::new(), suggestion: None };
    if let Some(name) = options.series.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        let next = next_part(&options.root, &config, name)?;
        for tag in &next.shared_tags {
            add_tag(tag, &mut tags);
        }
        written.series = Some((next.name, next.part));
        written.shared_tags = next.shared_tags;
        written.suggestion = next.suggestion;
    }

    let date = local_now(&tz);
    let text = front_matter(title, &date, &tags, written.series.as_ref(), options.talk);
    let file = options.root.join(CONTENT_DIR).join(POSTS_DIR).join(format!("{slug}.md"));
    let shown = load::display_path(&options.root, &file);
    write_file(&file, &text, false).map_err(|err| match err {
        Error::Write { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => {
            Error::Exists(shown.clone())
        }
        other => other,
    })?;
    written.path = shown;
    Ok(written)
}

/// The next part of a series: its name as the site spells it, its number, and its shared tags.
struct NextPart {
    name: String,
    part: u32,
    shared_tags: Vec<String>,
    suggestion: Option<String>,
}

/// Reads the whole site, drafts and scheduled posts included (they hold part numbers too).
fn next_part(root: &Path, config: &Config, name: &str) -> Result<NextPart, Error> {
    let content = load::load(root, &config.time_zone())?;
    let options = model::Options { now: Timestamp::now(), drafts: true, future: true, base: model::BaseUrl::default() };
    let site = Site::assemble(config, &content, &options)?;
    let Some(series) = site.series.iter().find(|s| s.name.to_lowercase() == name.to_lowercase()) else {
        let names: Vec<&str> = site.series.iter().map(|s| s.name.as_str()).collect();
        let suggestion = config::closest(name, &names).map(str::to_owned);
        return Ok(NextPart { name: name.to_owned(), part: 1, shared_tags: Vec::new(), suggestion });
    };
    let part = series.parts.iter().map(|p| p.number).max().unwrap_or(0) + 1;
    let mut parts = series.parts.iter().filter_map(|p| match p.entry {
        PartEntry::Post(id) => Some(site.post(id)),
        PartEntry::Coming { .. } => None,
    });
    // The series' own tag comes with `series:`; the rest must be on every part to be copied.
    let mut shared: Vec<String> = match parts.next() {
        Some(first) => first
            .tags
            .iter()
            .map(|&t| site.tag(t).name.clone())
            .filter(|tag| tag.to_lowercase() != series.name.to_lowercase())
            .collect(),
        None => Vec::new(),
    };
    for post in parts {
        shared.retain(|tag| post.tags.iter().any(|&t| site.tag(t).name.to_lowercase() == tag.to_lowercase()));
    }
    Ok(NextPart { name: series.name.clone(), part, shared_tags: shared, suggestion: None })
}

/// Now, in the site's time zone, as front matter writes it: `2025-02-13T10:00:00+01:00`.
fn local_now(tz: &TimeZone) -> String {
    Timestamp::now().to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// YAML front matter for a new post. Strings are written as JSON strings, which YAML reads
/// as double-quoted scalars, so any title survives (quotes, colons, `#`).
fn front_matter(title: &str, date: &str, tags: &[String], series: Option<&(String, u32)>, talk: bool) -> String {
    let quote = |text: &str| serde_json::to_string(text).expect("a string serializes");
    let mut text = String::from("---\n");
    let _ = writeln!(text, "title: {}", quote(title));
    let _ = writeln!(text, "date: {date}");
    let _ = writeln!(text, "tags: [{}]", tags.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", "));
    if let Some((name, part)) = series {
        let _ = writeln!(text, "series: {}\npart: {part}", quote(name));
    }
    if talk {
        let day = date.split('T').next().unwrap_or(date);
        let _ = write!(
            text,
            "talk:\n  title: {}\n  event: \"Event name\"\n  date: \"{day}\"\n  location: \"City, Country\"\n  \
             # The recording, embedded on the page (a YouTube or Vimeo URL):\n  \
             # video: https://www.youtube.com/watch?v=VIDEO_ID\n  \
             # The slides (a Speaker Deck URL, or any link):\n  \
             # slides: https://speakerdeck.com/you/your-talk\n",
            quote(title)
        );
    }
    text.push_str("---\n\n");
    text
}

/// Writes a file, creating its folders; with `replace` false, an existing file is an error
/// of kind `AlreadyExists`, checked by the file system itself so no race can overwrite one.
fn write_file(path: &Path, text: &str, replace: bool) -> Result<(), Error> {
    let failed = |source| Error::Write { path: path.to_owned(), source };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(replace)
        .truncate(replace)
        .create_new(!replace)
        .open(path)
        .map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> crate::load::FrontMatter {
        let split = crate::load::front_matter::split(text).unwrap();
        crate::load::front_matter::parse(Path::new("new.md"), &split, &TimeZone::UTC).unwrap()
    }

    #[test]
    fn front_matter_reads_back_whatever_the_title() {
        let title = "Colons: \"quotes\", # hashes & ünïcode";
        let series = ("28 days of elixir".to_owned(), 3);
        let tags = vec!["elixir".to_owned(), "a, b".to_owned()];
        let front = parse(&front_matter(title, "2025-02-13T10:00:00+01:00", &tags, Some(&series), true));
        assert_eq!(front.title, title);
        assert_eq!(front.date.unwrap().timestamp().to_string(), "2025-02-13T09:00:00Z");
        assert_eq!(front.tags, vec![crate::load::TagsField::List(tags)]);
        assert_eq!((front.series.as_deref(), front.part), (Some("28 days of elixir"), Some(3)));
        let talk = front.talk.unwrap();
        assert_eq!((talk.title.as_deref(), talk.date.as_deref()), (Some(title), Some("2025-02-13")));
        assert!(talk.video.is_none() && talk.slides.is_none(), "left commented out until filled in");
    }

    #[test]
    fn the_sample_post_and_site_toml_parse() {
        assert_eq!(parse(&sample_post("2025-02-13T10:00:00+00:00")).title, "Hello, world");
        let config = Config::parse(Path::new("site.toml"), &site_toml("Europe/Berlin")).unwrap();
        assert_eq!(config.timezone, "Europe/Berlin");
        assert!(config.base_url.is_none());
    }
}
