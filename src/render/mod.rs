//! Stage 3, render: every document's Markdown once, then every page through its template.
//!
//! [`SiteRenderer`] maps each file of the output to what makes it, and renders any one of them
//! on its own: `build` and `check` render them all, `serve` only the pages the browser asks
//! for. Each post's template value is built once and shared (Tera 2 values are
//! reference-counted), so a list page holds handles to the same posts, never copies of the site.
//!
//! Files leave as soon as they are rendered, through an [`OutputSink`]: `build` streams them
//! into its staging folder, so a 10,000-post site is never held in memory whole; `check` keeps
//! them in a [`MemorySink`]. A post's page is rendered right after its Markdown, in the same
//! task, so its HTML is made once and kept only in its template value, which the list pages
//! and the feeds share until the last of them is written.

pub mod cache;
pub mod document_cache;
pub mod embed;
pub mod feeds;
pub mod highlight;
pub mod markdown;
pub mod shortcodes;
mod site;
pub mod sitemap;
pub mod talk;
pub mod templates;
mod values;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::diagnostic::{Diagnostic, Location};
use crate::load::Source;
use crate::model::Site;
use cache::CodeCache;
pub use document_cache::MarkdownCache;
use markdown::Rendered;
use shortcodes::{Form, Shortcodes};
pub use site::{CodeCacheRef, SiteRenderer};
pub use templates::{Templates, ThemeSource};

/// One file of the finished site, relative to the output folder (`posts/x/index.html`).
#[derive(Debug)]
pub struct OutputFile {
    pub path: String,
    pub body: Body,
}

#[derive(Debug)]
pub enum Body {
    /// What the build made: a page, a feed, the sitemap. UTF-8, kept as bytes so that nothing
    /// checks it again on its way to the disk.
    Made(Vec<u8>),
    Static(&'static [u8]),
    Copy(PathBuf),
}

/// The rendered site: every file, and the counts the summary line reports.
#[derive(Debug, Default)]
pub struct RenderedSite {
    pub files: Vec<OutputFile>,
    pub pages: usize,
    pub posts: usize,
    pub tags: usize,
    pub series: usize,
    /// The Markdown file behind each post's and page's HTML, by output path, so `check` can
    /// name the file a broken link came from.
    pub origins: BTreeMap<String, PathBuf>,
}

/// Where rendered files go, as each is finished, from any rendering thread.
pub trait OutputSink: Sync {
    fn put(&self, file: OutputFile) -> Result<(), crate::write::Error>;
}

/// Keeps the files in memory, for `check` and `serve`.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<Vec<OutputFile>>,
}

impl MemorySink {
    /// The files, in path order.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.files.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl OutputSink for MemorySink {
    fn put(&self, file: OutputFile) -> Result<(), crate::write::Error> {
        self.files.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(file);
        Ok(())
    }
}

/// What the summary line of a build counts.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub pages: usize,
    pub posts: usize,
    pub tags: usize,
    pub series: usize,
    /// What the writer should fix though the site built (an image without alt text).
    pub warnings: Vec<Diagnostic>,
}

/// Where an `@/posts/x.md` link (or a document's own path) points in this build.
fn internal_link(site: &Site<'_>, content_path: &str) -> Option<String> {
    site.url_of_content(content_path).map(|url| site.base.href(url))
}

/// Renders one document's Markdown, its shortcodes and bare video URLs included, for posts and
/// pages alike.
///
/// Embeds come out in two forms from this one pass: `html` holds privacy placeholders, and
/// `feed_html()` plain links, for feeds. The summary always uses the links: it is a teaser
/// on list pages and in feeds, where a player has no place.
///
/// Every URL of a document is looked up through `internal`, so [`MarkdownCache`] can see which
/// ones a document used. What a document renders to depends on its body and summary, the
/// `[markdown]` config, the templates (shortcodes), the site's path prefix and these URLs, and
/// on nothing else: the cache relies on it. Highlighted code blocks come from `code` where it
/// has them (the same output either way).
fn render_document_with(
    site: &Site<'_>,
    templates: &Templates,
    source: &Source,
    internal: &dyn Fn(&str) -> Option<String>,
    code: Option<&CodeCache>,
) -> Result<Rendered, Vec<Diagnostic>> {
    let cache = code;
    let locate_in = |text: &str, offset: usize| {
        let (line, column) = crate::diagnostic::line_column(text, offset);
        Location::at(&source.path, source.body_line + line - 1, column)
    };
    let config = &site.config.markdown;
    let options = markdown::parser_options(config);
    let calls = Shortcodes { templates, prefix: site.base.prefix() };
    let expanded = shortcodes::expand(source.body(), options, &calls).map_err(|errors| {
        errors
            .into_iter()
            .map(|(offset, message)| Diagnostic::new(locate_in(source.body(), offset), message))
            .collect::<Vec<_>>()
    })?;
    let own_href = internal(&source.content_path);
    let links = markdown::Links { internal, base: own_href.as_deref().map(|href| (site.base.prefix(), href)) };
    let highlighter = config.highlight.then(highlight::Highlighter::shared);
    let code_block = |language: &str, code: &str| match (highlighter, cache) {
        (Some(highlighter), Some(cache)) if highlighter.knows(language) => {
            cache.get_or_insert(language, code, || highlighter.highlight(language, code))
        }
        (Some(highlighter), _) => highlighter.highlight(language, code),
        (None, _) => markdown::plain_code_block(language, code),
    };
    let mut rendered = markdown::render(&expanded.markdown, config, &code_block, &links).map_err(|broken| {
        broken
            .iter()
            .map(|link| broken_link(site, locate_in(&expanded.markdown, link.offset), link))
            .collect::<Vec<_>>()
    })?;
    if !expanded.is_empty() {
        let (html, lost) = expanded.substitute_checked(&rendered.html, Form::Page);
        if !lost.is_empty() {
            return Err(lost
                .into_iter()
                .map(|offset| {
                    Diagnostic::new(
                        locate_in(source.body(), offset),
                        "this shortcode cannot go here (inside a link or an HTML attribute); put it in its own paragraph",
                    )
                })
                .collect());
        }
        rendered.feed_html = Some(expanded.substitute(&rendered.html, Form::Feed));
        rendered.summary = expanded.substitute(&rendered.summary, Form::Feed);
        rendered.html = html;
        rendered.has_embeds = expanded.has_embeds();
    }
    if let Some(summary) = &source.front.summary {
        rendered.summary = format!("<p>{}</p>", markdown::escape(summary));
    }
    rendered.warnings = markdown::images_without_alt(&expanded.markdown, options)
        .into_iter()
        .map(|offset| {
            Diagnostic::new(
                locate_in(&expanded.markdown, offset),
                "image without alt text; say what it shows for readers who cannot see it: ![a heron on the ice](photo.jpg)",
            )
        })
        .collect();
    Ok(rendered)
}

/// `path:line:col: internal link @/posts/nope.md: no such post or page`, at the line in the file.
fn broken_link(site: &Site<'_>, location: Location, link: &markdown::BrokenLink) -> Diagnostic {
    let path = link.target.trim_start_matches("@/").split('#').next().unwrap_or("");
    let why = if site.leaves_out(path) {
        "is a draft or scheduled post, left out of this build"
    } else {
        "no such post or page"
    };
    Diagnostic::new(location, format!("internal link {}: {why}", link.target))
}

/// The Markdown file behind each post's and page's HTML, by output path.
pub fn origins(site: &Site<'_>) -> BTreeMap<String, PathBuf> {
    site.posts
        .iter()
        .map(|p| (&p.url, p.source))
        .chain(site.pages.iter().map(|p| (&p.url, p.source)))
        .map(|(url, source)| (url.output_file(), source.path.clone()))
        .collect()
}

/// A page that sends the reader (and search engines) on to `target`.
pub fn redirect_page(target: &str) -> String {
    let target = markdown::escape(target);
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Redirecting…</title>\
<link rel=\"canonical\" href=\"{target}\"><meta name=\"robots\" content=\"noindex\">\
<meta http-equiv=\"refresh\" content=\"0; url={target}\"></head>\
<body><p>This page has moved to <a href=\"{target}\">{target}</a>.</p></body></html>\n"
    )
}

/// The errors of a stage, gathered from every page before the build gives up: each broken
/// file is reported, and a broken template (which fails every page using it) once.
#[derive(Default)]
struct Errors {
    content: Vec<Diagnostic>,
    output: Option<crate::write::Error>,
}

impl Errors {
    fn add(&mut self, error: crate::Error) {
        match error {
            crate::Error::Content(diagnostics) => self.content.extend(diagnostics),
            crate::Error::Output(error) => {
                self.output.get_or_insert(error);
            }
            crate::Error::Usage(message) => unreachable!("rendering has no usage errors: {message}"),
        }
    }

    fn check(&mut self) -> Result<(), crate::Error> {
        if let Some(error) = self.output.take() {
            return Err(error.into());
        }
        if self.content.is_empty() {
            return Ok(());
        }
        let mut diagnostics = std::mem::take(&mut self.content);
        diagnostics.sort();
        diagnostics.dedup();
        Err(diagnostics.into())
    }
}
