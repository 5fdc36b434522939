//! Stage 2, model: the site as data. Posts in order, tags, series, pages, URLs. Pure: no I/O.
//!
//! The model borrows the loaded sources, so `serve` can keep them in memory, re-read one
//! changed file and assemble a fresh model in milliseconds.

pub mod paginate;
pub mod slug;
mod tags;
pub mod url;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::{Timestamp, ZonedDateTime};
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Location};
use crate::load::{Content, Source, SourceKind};
pub use slug::Slug;
pub use url::{BaseUrl, UrlPath};

/// What goes into this build: its one "now", and whether drafts and scheduled posts show.
#[derive(Debug, Clone)]
pub struct Options {
    pub now: Timestamp,
    pub drafts: bool,
    pub future: bool,
    pub base: BaseUrl,
}

/// Index of a post in [`Site::posts`] (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostId(pub usize);
/// Index of a tag in [`Site::tags`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagId(pub usize);
/// Index of a series in [`Site::series`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesId(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Published,
    /// Shown only with `--drafts` (and in `serve`).
    Draft,
    /// Dated after the build's "now": shown only with `--future` (and in `serve`).
    Scheduled,
}

#[derive(Debug)]
pub struct Post<'a> {
    pub source: &'a Source,
    pub date: ZonedDateTime,
    pub slug: Slug,
    pub url: UrlPath,
    pub status: Status,
    pub tags: Vec<TagId>,
    pub series: Option<SeriesPart>,
    /// The next post by date, and the previous one.
    pub newer: Option<PostId>,
    pub older: Option<PostId>,
}

impl Post<'_> {
    pub fn title(&self) -> &str {
        &self.source.front.title
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesPart {
    pub series: SeriesId,
    pub part: u32,
}

#[derive(Debug)]
pub struct Page<'a> {
    pub source: &'a Source,
    pub url: UrlPath,
}

#[derive(Debug)]
pub struct Tag {
    /// The most common spelling among its posts.
    pub name: String,
    pub slug: Slug,
    pub url: UrlPath,
    /// Newest first.
    pub posts: Vec<PostId>,
}

#[derive(Debug)]
pub struct Series {
    pub name: String,
    pub slug: Slug,
    pub url: UrlPath,
    pub description: String,
    pub total: Option<u32>,
    /// Written parts in part order, including scheduled ones this build leaves out.
    pub parts: Vec<Part>,
}

impl Series {
    /// "Part N of M": the larger of the planned total and the parts written.
    pub fn planned(&self) -> u32 {
        let written = self.parts.iter().map(|p| p.number).max().unwrap_or(0);
        self.total.unwrap_or(0).max(written)
    }

    /// The post that is part `number`, if it is written and in this build.
    pub fn part(&self, number: u32) -> Option<PostId> {
        self.parts.iter().find(|p| p.number == number).and_then(|p| match p.entry {
            PartEntry::Post(id) => Some(id),
            PartEntry::Coming { .. } => None,
        })
    }

    /// Part numbers planned but not written yet.
    pub fn upcoming(&self) -> Vec<u32> {
        (1..=self.planned()).filter(|n| !self.parts.iter().any(|p| p.number == *n)).collect()
    }

    pub fn published_count(&self) -> usize {
        self.parts.iter().filter(|p| matches!(p.entry, PartEntry::Post(_))).count()
    }
}

#[derive(Debug)]
pub struct Part {
    pub number: u32,
    pub entry: PartEntry,
}

#[derive(Debug)]
pub enum PartEntry {
    /// A post in this build.
    Post(PostId),
    /// Written, but dated after this build's "now": shown as "coming <date>", without a link.
    Coming { title: String, date: ZonedDateTime },
}

/// An old URL that redirects to a post or page.
#[derive(Debug)]
pub struct Alias {
    pub from: UrlPath,
    pub to: UrlPath,
    pub source: PathBuf,
}

/// A file copied into the output as it is: bundle images, files under `content/`.
#[derive(Debug)]
pub struct Asset {
    pub from: PathBuf,
    /// Relative to the output folder, `/`-separated.
    pub to: String,
}

#[derive(Debug)]
pub struct Site<'a> {
    pub config: &'a Config,
    pub base: BaseUrl,
    pub now: Timestamp,
    /// Newest first; ties broken by path so every build orders them the same way.
    pub posts: Vec<Post<'a>>,
    pub pages: Vec<Page<'a>>,
    /// By name, case-insensitively.
    pub tags: Vec<Tag>,
    /// By name, case-insensitively.
    pub series: Vec<Series>,
    pub aliases: Vec<Alias>,
    pub assets: Vec<Asset>,
    pub warnings: Vec<Diagnostic>,
    /// Every post's, page's and content file's URL by its path under `content/` (`posts/x.md`),
    /// built once so each `@/posts/x.md` link is one lookup.
    content_urls: HashMap<String, UrlPath>,
    /// Documents this build leaves out (drafts, scheduled posts), so a link to one can say so.
    left_out: HashSet<&'a str>,
}

impl<'a> Site<'a> {
    /// Assembles the model. Every problem found is returned together, not only the first.
    pub fn assemble(config: &'a Config, content: &'a Content, options: &Options) -> Result<Site<'a>, Vec<Diagnostic>> {
        let tz = config.time_zone();
        let mut errors = Vec::new();
        let mut warnings = Vec::new();

        // Posts: date, status, slug.
        // Per post, on every core: this and the slugs and URLs below are most of the model's
        // work, and nothing else runs while it is done.
        let dated: Vec<Result<Option<tags::Candidate<'a>>, Diagnostic>> = content
            .sources
            .par_iter()
            .filter(|s| s.kind == SourceKind::Post)
            .map(|source| {
                let Some(date) = source.front.date.as_ref().or(source.file_date.as_ref()) else {
                    return Err(Diagnostic::new(
                        Location::at(&source.path, 1, 1),
                        "post has no `date`: add `date: 2018-02-13` or name the file 2018-02-13-slug.md",
                    ));
                };
                let status = if source.front.draft {
                    Status::Draft
                } else if date.timestamp() > options.now {
                    Status::Scheduled
                } else {
                    Status::Published
                };
                let shown = status != Status::Draft || options.drafts;
                Ok(shown.then(|| (&**source, date.with_time_zone(tz.clone()), status)))
            })
            .collect();
        let mut candidates: Vec<tags::Candidate<'a>> = Vec::with_capacity(dated.len());
        for result in dated {
            match result {
                Ok(candidate) => candidates.extend(candidate),
                Err(error) => errors.push(error),
            }
        }
        // Chronological, ties by path; reversed below for newest first.
        candidates.sort_by(|a, b| {
            a.1.timestamp().cmp(&b.1.timestamp()).then_with(|| a.0.content_path.cmp(&b.0.content_path))
        });

        let resolved = tags::resolve(config, &candidates, &mut warnings);
        let series = tags::series_parts(config, &candidates, &resolved, &mut errors, &mut warnings);

        let mut post_of_candidate: Vec<Option<PostId>> = vec![None; candidates.len()];
        // Newest first; scheduled posts only when the build asks for them.
        let shown: Vec<usize> = (0..candidates.len())
            .rev()
            .filter(|&index| candidates[index].2 != Status::Scheduled || options.future)
            .collect();
        for (id, &index) in shown.iter().enumerate() {
            post_of_candidate[index] = Some(PostId(id));
        }
        let mut posts: Vec<Post<'a>> = shown
            .par_iter()
            .map(|&index| {
                let (source, date, status) = &candidates[index];
                let slug_text = source.front.slug.as_deref().unwrap_or(&source.file_slug);
                let slug = Slug::from_text(slug_text);
                let url = match &source.front.permalink {
                    Some(permalink) => UrlPath::new(permalink),
                    None => expand_permalink(&config.permalink, date, &slug),
                };
                Post {
                    source,
                    date: date.clone(),
                    slug,
                    url,
                    status: *status,
                    tags: Vec::new(),
                    series: None,
                    newer: None,
                    older: None,
                }
            })
            .collect();
        let count = posts.len();
        for (index, post) in posts.iter_mut().enumerate() {
            post.newer = index.checked_sub(1).map(PostId);
            post.older = (index + 1 < count).then_some(PostId(index + 1));
        }

        let tags = tags::group(config, &resolved, &post_of_candidate, &mut posts, &mut errors);
        let series = tags::attach_series(series, &candidates, &post_of_candidate, &mut posts);

        let pages: Vec<Page<'a>> = content
            .sources
            .iter()
            .filter(|s| s.kind == SourceKind::Page && (!s.front.draft || options.drafts))
            .map(|source| {
                let url = match &source.front.permalink {
                    Some(permalink) => UrlPath::new(permalink),
                    None => page_url(&source.content_path, source.front.slug.as_deref()),
                };
                Page { source, url }
            })
            .collect();

        let mut aliases = Vec::new();
        for (source, to) in posts.iter().map(|p| (p.source, &p.url)).chain(pages.iter().map(|p| (p.source, &p.url))) {
            for alias in &source.front.aliases {
                aliases.push(Alias { from: UrlPath::new(alias), to: to.clone(), source: source.path.clone() });
            }
        }

        let mut assets: Vec<Asset> =
            content.assets.iter().map(|a| Asset { from: a.path.clone(), to: a.content_path.clone() }).collect();
        for (source, url) in posts.iter().map(|p| (p.source, &p.url)).chain(pages.iter().map(|p| (p.source, &p.url))) {
            // Beside the page: in its folder for `/posts/x/`, next to the file for `/x.html`.
            let dir = url.as_str().rsplit_once('/').map_or("", |(dir, _)| dir).trim_start_matches('/');
            for asset in &source.assets {
                let to = if dir.is_empty() { asset.name.clone() } else { format!("{dir}/{}", asset.name) };
                assets.push(Asset { from: asset.path.clone(), to });
            }
        }

        let mut site = Site {
            config,
            base: options.base.clone(),
            now: options.now,
            posts,
            pages,
            tags,
            series,
            aliases,
            assets,
            warnings: Vec::new(),
            content_urls: HashMap::new(),
            left_out: HashSet::new(),
        };
        // Side by side: each goes through every post, and nothing else is left to run.
        let (content_urls, ()) =
            rayon::join(|| content_urls(content, &site.posts, &site.pages), || site.check_urls(&mut errors));
        site.left_out = (content.sources.iter())
            .map(|s| s.content_path.as_str())
            .filter(|p| !content_urls.contains_key(*p))
            .collect();
        site.content_urls = content_urls;
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            return Err(errors);
        }
        warnings.sort();
        warnings.dedup();
        Ok(Site { warnings, ..site })
    }

    pub fn post(&self, id: PostId) -> &Post<'a> {
        &self.posts[id.0]
    }

    pub fn tag(&self, id: TagId) -> &Tag {
        &self.tags[id.0]
    }

    pub fn series(&self, id: SeriesId) -> &Series {
        &self.series[id.0]
    }

    /// The URL of a post, page or file given by its path under `content/` (`posts/x.md`,
    /// `posts/trip/map.png`), as `@/` links name them.
    pub fn url_of_content(&self, content_path: &str) -> Option<&UrlPath> {
        self.content_urls.get(content_path)
    }

    /// Whether a document exists but this build leaves it out (a draft, a scheduled post).
    pub fn leaves_out(&self, content_path: &str) -> bool {
        self.left_out.contains(content_path)
    }

    /// Posts with a `talk:` map, newest first.
    pub fn talks(&self) -> impl Iterator<Item = (PostId, &Post<'a>)> {
        self.posts.iter().enumerate().filter(|(_, p)| p.source.front.talk.is_some()).map(|(i, p)| (PostId(i), p))
    }

    /// Two things on one URL is an error naming both files; so is a path that escapes the
    /// output folder.
    fn check_urls(&self, errors: &mut Vec<Diagnostic>) {
        let generated = self.generated_urls();
        // By URL: ten thousand posts each looked up among hundreds of tag pages.
        let mut reserved: HashMap<&UrlPath, &str> = HashMap::with_capacity(generated.len());
        for (url, page) in &generated {
            reserved.entry(url).or_insert(page);
        }
        let claims = self
            .posts
            .iter()
            .map(|p| (&p.url, p.source.path.as_path(), "post"))
            .chain(self.pages.iter().map(|p| (&p.url, p.source.path.as_path(), "page")))
            .chain(self.aliases.iter().map(|a| (&a.from, a.source.as_path(), "alias")));
        let mut taken: HashMap<&UrlPath, &Path> = HashMap::with_capacity(self.posts.len() + self.pages.len());
        for (url, path, what) in claims {
            if !url.is_safe() {
                errors.push(Diagnostic::new(Location::file(path), format!("{what} URL {url} leaves the site")));
            } else if let Some(page) = reserved.get(url) {
                errors.push(Diagnostic::new(Location::file(path), format!("{what} URL {url} is taken by the {page}")));
            } else if let Some(first) = taken.insert(url, path) {
                errors.push(Diagnostic::new(
                    Location::file(path),
                    format!(
                        "{what} URL {url} is also the URL of {}; give one of them another `slug` or `permalink`",
                        first.display()
                    ),
                ));
            }
        }
    }

    /// URLs the list pages use, which no post, page or alias may take.
    fn generated_urls(&self) -> Vec<(UrlPath, &'static str)> {
        let mut urls = vec![
            (UrlPath::root(), "home page"),
            (UrlPath::new("/tags/"), "tag index"),
            (UrlPath::new("/series/"), "series index"),
            (UrlPath::new("/talks/"), "talk list"),
            (UrlPath::new("/404.html"), "404 page"),
        ];
        urls.extend(self.tags.iter().map(|t| (t.url.clone(), "tag page")));
        urls.extend(self.series.iter().map(|s| (s.url.clone(), "series page")));
        urls
    }
}

/// Content path -> URL for every document in this build and every file copied from `content/`.
fn content_urls(content: &Content, posts: &[Post<'_>], pages: &[Page<'_>]) -> HashMap<String, UrlPath> {
    let mut urls: HashMap<String, UrlPath> = HashMap::with_capacity(content.assets.len() + posts.len() + pages.len());
    urls.extend(content.assets.iter().map(|a| (a.content_path.clone(), UrlPath::new(&a.content_path))));
    for (source, url) in posts.iter().map(|p| (p.source, &p.url)).chain(pages.iter().map(|p| (p.source, &p.url))) {
        urls.insert(source.content_path.clone(), url.clone());
        // Bundle files sit beside the page, wherever its URL puts it.
        let folder = source.content_path.rsplit_once('/').map_or("", |(folder, _)| folder);
        let url_folder = url.as_str().rsplit_once('/').map_or("", |(dir, _)| dir);
        for asset in &source.assets {
            let key = if folder.is_empty() { asset.name.clone() } else { format!("{folder}/{}", asset.name) };
            urls.insert(key, UrlPath::new(&format!("{url_folder}/{}", asset.name)));
        }
    }
    urls
}

/// `/:year/:month/:day/:slug/` with the date read in the site's time zone.
pub fn expand_permalink(pattern: &str, date: &ZonedDateTime, slug: &Slug) -> UrlPath {
    use std::fmt::Write;
    // One pass, as this runs for every post before any can be rendered.
    let mut path = String::with_capacity(pattern.len() + slug.as_str().len());
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        path.push_str(&rest[..at]);
        rest = &rest[at..];
        let (token, after) = [":year", ":month", ":day", ":slug"]
            .into_iter()
            .find_map(|token| Some((token, rest.strip_prefix(token)?)))
            .unwrap_or((":", &rest[1..]));
        match token {
            ":year" => write!(path, "{:04}", date.year()),
            ":month" => write!(path, "{:02}", date.month()),
            ":day" => write!(path, "{:02}", date.day()),
            ":slug" => path.write_str(slug.as_str()),
            _ => path.write_char(':'),
        }
        .expect("writing to a String cannot fail");
        rest = after;
    }
    path.push_str(rest);
    UrlPath::new(&path)
}

/// `about.md` -> `/about/`; `projects/x.md` -> `/projects/x/`; `about/index.md` -> `/about/`.
fn page_url(content_path: &str, slug: Option<&str>) -> UrlPath {
    let path = Path::new(content_path);
    let parent = path.parent().and_then(|p| p.to_str()).unwrap_or("");
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let (parent, stem) = if stem == "index" {
        let grand = Path::new(parent).parent().and_then(|p| p.to_str()).unwrap_or("");
        let name = Path::new(parent).file_name().and_then(|n| n.to_str()).unwrap_or("");
        (grand, name)
    } else {
        (parent, stem)
    };
    let last = Slug::from_text(slug.unwrap_or(stem));
    let dirs: Vec<String> =
        parent.split('/').filter(|s| !s.is_empty()).map(|s| Slug::from_text(s).to_string()).collect();
    UrlPath::new(&format!("{}/{}", dirs.join("/"), last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permalink_tokens_use_the_local_date() {
        let date: ZonedDateTime = "2018-02-13T23:30:00-05:00[America/New_York]".parse().unwrap();
        let url = expand_permalink("/:year/:month/:day/:slug/", &date, &Slug::from_text("hi"));
        assert_eq!(url.as_str(), "/2018/02/13/hi/");
        let url = expand_permalink("/blog:/:year-:month/:days/:other/:slug.html", &date, &Slug::from_text("hi"));
        assert_eq!(url.as_str(), "/blog:/2018-02/13s/:other/hi.html", "what is not a token stays as written");
    }

    #[test]
    fn page_urls() {
        assert_eq!(page_url("about.md", None).as_str(), "/about/");
        assert_eq!(page_url("about/index.md", None).as_str(), "/about/");
        assert_eq!(page_url("Projects/My Thing.md", None).as_str(), "/projects/my-thing/");
        assert_eq!(page_url("about.md", Some("me")).as_str(), "/me/");
    }
}
