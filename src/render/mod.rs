//! Stage 3, render: every document's Markdown once, then every page through its template.
//!
//! Each post's template value is built once and shared (Tera 2 values are reference-counted),
//! so a list page holds handles to the same posts, never copies of the site.
//!
//! Files leave as soon as they are rendered, through an [`OutputSink`]: `build` streams them
//! into its staging folder, so a 10,000-post site is never held in memory whole; `check` (and
//! `serve`) keep them in a [`MemorySink`]. A post's page is rendered right after its Markdown,
//! in the same task, so its HTML is made once and kept only in its template value, which the
//! list pages and the feeds share.

pub mod cache;
pub mod document_cache;
pub mod embed;
pub mod feeds;
pub mod highlight;
pub mod markdown;
pub mod shortcodes;
pub mod sitemap;
pub mod talk;
pub mod templates;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::diagnostic::{Diagnostic, Location};
use crate::load::{Data, Source};
use crate::model::paginate::{Pager, paginate, window};
use crate::model::{PartEntry, Post, PostId, Site, Status, UrlPath};
use cache::CodeCache;
pub use document_cache::MarkdownCache;
use feeds::FeedPlan;
use markdown::{Heading, Rendered};
use shortcodes::{Form, Shortcodes};
use talk::Talk;
pub use templates::{Templates, ThemeSource};

/// One file of the finished site, relative to the output folder (`posts/x/index.html`).
#[derive(Debug)]
pub struct OutputFile {
    pub path: String,
    pub body: Body,
}

#[derive(Debug)]
pub enum Body {
    Text(String),
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

#[derive(Serialize)]
struct Link<'a> {
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct TagLink<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
    /// The tag's own Atom feed, when the site has feeds.
    feed: Option<String>,
}

#[derive(Serialize)]
struct SeriesNav<'a> {
    name: &'a str,
    url: String,
    part: u32,
    planned: u32,
    published: usize,
    previous: Option<Link<'a>>,
    next: Option<Link<'a>>,
    feed: Option<String>,
}

#[derive(Serialize)]
struct PostData<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    slug: &'a str,
    date: String,
    updated: Option<String>,
    summary: &'a str,
    content: &'a str,
    /// The content as feeds carry it (embeds and the talk card as plain links), when that
    /// differs from `content`; empty otherwise. Not for templates.
    feed_content: String,
    toc: &'a [Heading],
    word_count: usize,
    reading_time: usize,
    tags: Vec<TagLink<'a>>,
    series: Option<SeriesNav<'a>>,
    newer: Option<Link<'a>>,
    older: Option<Link<'a>>,
    draft: bool,
    scheduled: bool,
    talk: Option<&'a Talk>,
    /// Whether the page needs the theme's `embed.js`.
    has_embeds: bool,
    extra: &'a BTreeMap<String, Data>,
    source: &'a str,
}

#[derive(Serialize)]
struct PageData<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    summary: &'a str,
    content: &'a str,
    toc: &'a [Heading],
    has_embeds: bool,
    extra: &'a BTreeMap<String, Data>,
}

#[derive(Serialize)]
struct PaginatorData {
    posts: Vec<Value>,
    current: usize,
    count: usize,
    total_posts: usize,
    previous: Option<String>,
    next: Option<String>,
    first: String,
    last: String,
    pages: Vec<PageNumber>,
}

/// A page link of a list, or (`gap`) the place of the numbers left out.
#[derive(Serialize)]
struct PageNumber {
    number: usize,
    url: String,
    current: bool,
    /// Stands for numbers left out between the ones shown ("…").
    gap: bool,
}

/// How many page numbers a list page shows on each side of its own.
const PAGE_LINKS_AROUND: usize = 2;

#[derive(Serialize)]
struct SiteData<'a> {
    title: &'a str,
    description: &'a str,
    author: &'a str,
    language: &'a str,
    base_url: String,
    root: String,
    pages: Vec<Link<'a>>,
    extra: &'a toml::Table,
    feeds: FeedLinks,
    /// The generated code stylesheet, when code is highlighted.
    highlight_css: Option<String>,
}

/// The site's feeds, as absolute URLs, for `<link rel="alternate">`.
#[derive(Serialize)]
struct FeedLinks {
    atom: Option<String>,
    rss: Option<String>,
}

/// Renders one document's Markdown, its shortcodes and bare video URLs included. Shared by
/// posts and pages, and by `serve` for the one file that changed.
///
/// Embeds come out in two forms from this one pass: `html` holds privacy placeholders, and
/// `feed_html()` plain links, for feeds. The summary always uses the links: it is a teaser
/// on list pages and in feeds, where a player has no place.
pub fn render_document(site: &Site<'_>, templates: &Templates, source: &Source) -> Result<Rendered, Vec<Diagnostic>> {
    render_document_with(site, templates, source, &|path| internal_link(site, path), None)
}

/// Where an `@/posts/x.md` link (or a document's own path) points in this build.
fn internal_link(site: &Site<'_>, content_path: &str) -> Option<String> {
    site.url_of_content(content_path).map(|url| site.base.href(url))
}

/// [`render_document`] with every URL of a document looked up through `internal`, so
/// [`MarkdownCache`] can see which ones a document used. What a document renders to depends on
/// its body and summary, the `[markdown]` config, the templates (shortcodes), the site's path
/// prefix and these URLs, and on nothing else: the cache relies on it. Highlighted code blocks
/// come from `code` where it has them (the same output either way).
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
    let expanded = shortcodes::expand(&source.body, options, &calls).map_err(|errors| {
        errors
            .into_iter()
            .map(|(offset, message)| Diagnostic::new(locate_in(&source.body, offset), message))
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
                        locate_in(&source.body, offset),
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

/// Renders the whole site into `sink`, each file as soon as it is finished. With a `cache`,
/// code blocks highlighted by an earlier build are taken from it, and once every post and page
/// is rendered the cache is saved with the blocks they used, and let go: it is not needed for
/// the lists, and a site's worth of highlighted code is memory the lists can use.
pub fn render_site_to(
    site: &Site<'_>,
    templates: &mut Templates,
    theme: &ThemeSource,
    root: &Path,
    markdown: Option<&MarkdownCache>,
    cache: Option<CodeCache>,
    sink: &dyn OutputSink,
) -> Result<Counts, crate::Error> {
    let base = &site.base;
    templates.set_global("site", site_value(site));
    let templates = &*templates;
    let feeds = FeedPlan::new(site);
    let cached = cache.as_ref();

    let document = |source: &Source| match markdown {
        Some(markdown) => markdown.render(site, templates, source, cached),
        None => render_document_with(site, templates, source, &|path| internal_link(site, path), cached),
    };
    let calls = Shortcodes { templates, prefix: base.prefix() };

    // Each post in one task: its Markdown and talk card, its template value, its page.
    let posts: Vec<Result<PostDone, crate::Error>> = site
        .posts
        .par_iter()
        .map(|post| {
            let (html, talk) = match (document(post.source), talk::talk(site, &calls, post)) {
                (Ok(html), Ok(talk)) => (html, talk),
                (html, talk) => {
                    return Err(crate::Error::Content(html.err().into_iter().chain(talk.err()).flatten().collect()));
                }
            };
            let value = Value::from_serializable(&post_data(site, post, &html, talk.as_ref()));
            let starts = talk.as_ref().and_then(|t| t.starts);
            let warnings = html.warnings;
            sink.put(render_page(templates, site, "post.html", &post.url, vec![("post", value.clone())])?)?;
            Ok(PostDone { value, warnings, starts })
        })
        .collect();
    let documents: Vec<Result<Vec<Diagnostic>, crate::Error>> = site
        .pages
        .par_iter()
        .map(|page| {
            let html = document(page.source)?;
            let data = PageData {
                title: &page.source.front.title,
                url: base.href(&page.url),
                permalink: base.absolute(&page.url),
                summary: &html.summary,
                content: &html.html,
                toc: shown_toc(site, &html),
                has_embeds: html.has_embeds,
                extra: &page.source.front.extra,
            };
            let value = Value::from_serializable(&data);
            sink.put(render_page(templates, site, "page.html", &page.url, vec![("page", value)])?)?;
            Ok(html.warnings)
        })
        .collect();
    let mut post_values = Vec::with_capacity(posts.len());
    let mut talk_starts = Vec::with_capacity(posts.len());
    let mut warnings = Vec::new();
    let mut errors = Errors::default();
    for result in posts {
        match result {
            Ok(PostDone { value, warnings: mut found, starts }) => {
                post_values.push(value);
                warnings.append(&mut found);
                talk_starts.push(starts);
            }
            Err(error) => errors.add(error),
        }
    }
    for result in documents {
        match result {
            Ok(mut found) => warnings.append(&mut found),
            Err(error) => errors.add(error),
        }
    }
    errors.check()?;
    warnings.sort();
    if let Some(cache) = cache {
        cache.save();
    }

    let mut jobs: Vec<Job> = Vec::new();
    let all: Vec<PostId> = (0..site.posts.len()).map(PostId).collect();
    list_jobs(site, &post_values, "index.html", &UrlPath::root(), &all, Value::none(), &mut jobs);

    let tag_links: Vec<TagLink<'_>> = site.tags.iter().map(|t| tag_link(site, t)).collect();
    jobs.push(Job::page("tags.html", &UrlPath::new("/tags/"), [("tags", Value::from_serializable(&tag_links))]));
    for (tag, link) in site.tags.iter().zip(&tag_links) {
        list_jobs(site, &post_values, "tag.html", &tag.url, &tag.posts, Value::from_serializable(link), &mut jobs);
    }

    let series_values: Vec<Value> = site.series.iter().map(|s| series_value(site, s)).collect();
    jobs.push(Job::page(
        "series_list.html",
        &UrlPath::new("/series/"),
        [("series_list", Value::from_serializable(&series_values))],
    ));
    for (series, value) in site.series.iter().zip(&series_values) {
        jobs.push(Job::page("series.html", &series.url, [("series", value.clone())]));
    }
    // Newest talk first: by when it was given, else by when its recap was posted.
    let mut talks: Vec<(jiff::Timestamp, PostId)> =
        site.talks().map(|(id, post)| (talk_starts[id.0].unwrap_or(post.date.timestamp()), id)).collect();
    talks.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let talks: Vec<Value> = talks.into_iter().map(|(_, id)| post_values[id.0].clone()).collect();
    jobs.push(Job::page("talks.html", &UrlPath::new("/talks/"), [("talks", Value::from_serializable(&talks))]));
    jobs.push(Job::page("404.html", &UrlPath::new("/404.html"), []));

    let pages = site.posts.len() + site.pages.len() + jobs.len();
    let rendered: Vec<Result<(), crate::Error>> = jobs
        .into_par_iter()
        .map(|job| Ok(sink.put(render_page(templates, site, job.template, &job.url, job.values)?)?))
        .collect();
    rendered.into_iter().filter_map(Result::err).for_each(|error| errors.add(error));
    errors.check()?;

    let mut files = Vec::with_capacity(site.aliases.len() + site.tags.len() + site.assets.len() + 16);
    for alias in &site.aliases {
        files.push(OutputFile {
            path: alias.from.output_file(),
            body: Body::Text(redirect_page(&base.absolute(&alias.to))),
        });
    }
    for list_root in std::iter::once(UrlPath::root()).chain(site.tags.iter().map(|t| t.url.clone())) {
        let first_page = list_root.join("page/1");
        files.push(OutputFile {
            path: first_page.output_file(),
            body: Body::Text(redirect_page(&base.absolute(&list_root))),
        });
    }
    for asset in &site.assets {
        files.push(OutputFile { path: asset.to.clone(), body: Body::Copy(asset.from.clone()) });
    }
    static_files(theme, root, &mut files).map_err(|e| vec![e])?;
    // A file of the same name in the site's static/ or content/ wins over a generated one, as
    // a blogger who writes their own robots.txt expects.
    let taken: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let unless_taken = UnlessTaken { taken: &taken, sink };
    let text =
        |id: PostId, key: &'static str| post_values[id.0].get_from_path(key).and_then(Value::as_str).unwrap_or("");
    // A post with embeds or a talk card has its feed form beside its page content.
    let content = |id: PostId| match text(id, "feed_content") {
        "" => text(id, "content"),
        feed => feed,
    };
    feeds.write(site, &|id| (content(id), text(id, "summary")), &unless_taken)?;
    drop(post_values);
    generated_files(site, root).map_err(|e| vec![e])?.into_iter().try_for_each(|file| unless_taken.put(file))?;
    files.into_par_iter().try_for_each(|file| sink.put(file))?;

    Ok(Counts { pages, posts: site.posts.len(), tags: site.tags.len(), series: site.series.len(), warnings })
}

/// What a post's task leaves for the list pages: its template value, the warnings its Markdown
/// gave, and when its talk was given (for the talks page's order).
struct PostDone {
    value: Value,
    warnings: Vec<Diagnostic>,
    starts: Option<jiff::Timestamp>,
}

/// Hands on the files whose path is not taken by a file of the site's own.
struct UnlessTaken<'a> {
    taken: &'a HashSet<String>,
    sink: &'a dyn OutputSink,
}

impl OutputSink for UnlessTaken<'_> {
    fn put(&self, file: OutputFile) -> Result<(), crate::write::Error> {
        if self.taken.contains(&file.path) { Ok(()) } else { self.sink.put(file) }
    }
}

/// One page through its template, with the variables every page has.
fn render_page(
    templates: &Templates,
    site: &Site<'_>,
    template: &str,
    url: &UrlPath,
    values: Vec<(&'static str, Value)>,
) -> Result<OutputFile, Diagnostic> {
    let mut context = Context::new();
    context.insert("current_url", &site.base.href(url));
    context.insert("current_path", url.as_str());
    context.insert("current_permalink", &site.base.absolute(url));
    for (key, value) in values {
        context.insert_value(key, value);
    }
    let html = templates.render(template, &context)?;
    Ok(OutputFile { path: url.output_file(), body: Body::Text(html) })
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

/// A page to render: which template, at which URL, with which values.
struct Job {
    template: &'static str,
    url: UrlPath,
    values: Vec<(&'static str, Value)>,
}

impl Job {
    fn page<const N: usize>(template: &'static str, url: &UrlPath, values: [(&'static str, Value); N]) -> Job {
        Job { template, url: url.clone(), values: values.into() }
    }
}

/// One job per page of a paginated list; each page gets only its own slice of posts.
fn list_jobs(
    site: &Site<'_>,
    post_values: &[Value],
    template: &'static str,
    root: &UrlPath,
    posts: &[PostId],
    extra: Value,
    jobs: &mut Vec<Job>,
) {
    let pagers = paginate(root, posts.len(), site.config.paginate);
    for pager in &pagers {
        let data = paginator(site, &pagers, pager, posts, post_values);
        let mut values = vec![("paginator", Value::from_serializable(&data))];
        if !extra.is_none() {
            values.push(("tag", extra.clone()));
        }
        jobs.push(Job { template, url: pager.url.clone(), values });
    }
}

fn paginator(
    site: &Site<'_>,
    pagers: &[Pager],
    pager: &Pager,
    posts: &[PostId],
    post_values: &[Value],
) -> PaginatorData {
    let base = &site.base;
    PaginatorData {
        posts: posts[pager.items.clone()].iter().map(|id| post_values[id.0].clone()).collect(),
        current: pager.number,
        count: pagers.len(),
        total_posts: posts.len(),
        previous: pager.number.checked_sub(2).map(|i| base.href(&pagers[i].url)),
        next: pagers.get(pager.number).map(|p| base.href(&p.url)),
        first: base.href(&pagers[0].url),
        last: base.href(&pagers[pagers.len() - 1].url),
        pages: window(pagers.len(), pager.number, PAGE_LINKS_AROUND)
            .into_iter()
            .map(|number| match number {
                Some(number) => PageNumber {
                    number,
                    url: base.href(&pagers[number - 1].url),
                    current: number == pager.number,
                    gap: false,
                },
                None => PageNumber { number: 0, url: String::new(), current: false, gap: true },
            })
            .collect(),
    }
}

/// The table of contents templates get: none when `[markdown] toc = false`. The headings stay
/// in the rendered document for everything else (anchors, link checks).
fn shown_toc<'a>(site: &Site<'_>, html: &'a Rendered) -> &'a [Heading] {
    if site.config.markdown.toc { &html.toc } else { &[] }
}

fn link<'a>(site: &'a Site<'_>, id: PostId) -> Link<'a> {
    let post = site.post(id);
    Link { title: post.title(), url: site.base.href(&post.url) }
}

fn tag_link<'a>(site: &Site<'_>, tag: &'a crate::model::Tag) -> TagLink<'a> {
    TagLink {
        name: &tag.name,
        slug: tag.slug.as_str(),
        url: site.base.href(&tag.url),
        count: tag.posts.len(),
        feed: feeds::tag_atom(site, tag).map(|url| site.base.absolute(&url)),
    }
}

fn post_data<'a>(site: &'a Site<'_>, post: &'a Post<'_>, html: &'a Rendered, talk: Option<&'a Talk>) -> PostData<'a> {
    let base = &site.base;
    let front = &post.source.front;
    let series = post.series.map(|sp| {
        let series = site.series(sp.series);
        let neighbour = |number: u32| {
            series.parts.iter().find(|p| p.number == number).and_then(|p| match p.entry {
                PartEntry::Post(id) => Some(link(site, id)),
                PartEntry::Coming { .. } => None,
            })
        };
        SeriesNav {
            name: &series.name,
            url: base.href(&series.url),
            part: sp.part,
            planned: series.planned(),
            published: series.published_count(),
            previous: sp.part.checked_sub(1).and_then(neighbour),
            next: neighbour(sp.part + 1),
            feed: feeds::series_atom(site, series).map(|url| base.absolute(&url)),
        }
    });
    let feed_content = match (talk, &html.feed_html) {
        (None, None) => String::new(),
        (talk, _) => match talk {
            Some(talk) => format!("{}\n{}", talk.feed_html, html.feed_html()),
            None => html.feed_html().to_owned(),
        },
    };
    PostData {
        title: post.title(),
        url: base.href(&post.url),
        permalink: base.absolute(&post.url),
        slug: post.slug.as_str(),
        date: post.date.timestamp().to_string(),
        updated: front.updated.as_ref().map(|d| d.timestamp().to_string()),
        summary: &html.summary,
        content: &html.html,
        feed_content,
        toc: shown_toc(site, html),
        word_count: html.word_count,
        reading_time: html.reading_time,
        tags: post.tags.iter().map(|&t| tag_link(site, site.tag(t))).collect(),
        series,
        newer: post.newer.map(|id| link(site, id)),
        older: post.older.map(|id| link(site, id)),
        draft: post.status == Status::Draft,
        scheduled: post.status == Status::Scheduled,
        talk,
        has_embeds: html.has_embeds || talk.is_some_and(|t| t.has_embeds),
        extra: &front.extra,
        source: &post.source.content_path,
    }
}

fn series_value(site: &Site<'_>, series: &crate::model::Series) -> Value {
    #[derive(Serialize)]
    struct PartData<'a> {
        number: u32,
        title: Option<&'a str>,
        url: Option<String>,
        date: Option<String>,
        status: &'static str,
    }
    let mut parts: Vec<PartData<'_>> = series
        .parts
        .iter()
        .map(|part| match &part.entry {
            PartEntry::Post(id) => {
                let post = site.post(*id);
                PartData {
                    number: part.number,
                    title: Some(post.title()),
                    url: Some(site.base.href(&post.url)),
                    date: Some(post.date.timestamp().to_string()),
                    status: "published",
                }
            }
            PartEntry::Coming { title, date } => PartData {
                number: part.number,
                title: Some(title),
                url: None,
                date: Some(date.timestamp().to_string()),
                status: "coming",
            },
        })
        .collect();
    parts.extend(series.upcoming().into_iter().map(|number| PartData {
        number,
        title: None,
        url: None,
        date: None,
        status: "upcoming",
    }));
    parts.sort_by_key(|p| p.number);
    Value::from_serializable(&serde_json::json!({
        "name": series.name,
        "slug": series.slug,
        "url": site.base.href(&series.url),
        "description": series.description,
        "total": series.total,
        "planned": series.planned(),
        "published": series.published_count(),
        "parts": parts,
        "feed": feeds::series_atom(site, series).map(|url| site.base.absolute(&url)),
    }))
}

fn site_value(site: &Site<'_>) -> Value {
    let config = site.config;
    let data = SiteData {
        title: &config.title,
        description: &config.description,
        author: &config.author,
        language: &config.language,
        base_url: site.base.absolute(&UrlPath::root()),
        root: site.base.href(&UrlPath::root()),
        pages: site.pages.iter().map(|p| Link { title: &p.source.front.title, url: site.base.href(&p.url) }).collect(),
        extra: &config.extra,
        feeds: FeedLinks {
            atom: feeds::site_atom(site).map(|url| site.base.absolute(&url)),
            rss: feeds::site_rss(site).map(|url| site.base.absolute(&url)),
        },
        highlight_css: config.markdown.highlight.then(|| site.base.href(&UrlPath::new(highlight::STYLESHEET))),
    };
    Value::from_serializable(&data)
}

/// The files made from the whole site rather than from one template, besides the feeds:
/// sitemap, robots.txt, and the code stylesheet.
fn generated_files(site: &Site<'_>, root: &Path) -> Result<Vec<OutputFile>, Diagnostic> {
    let mut files = Vec::new();
    if site.base.is_set() {
        files.push(OutputFile {
            path: UrlPath::new(sitemap::SITEMAP).output_file(),
            body: Body::Text(sitemap::sitemap(site)),
        });
    }
    files.push(OutputFile { path: "robots.txt".to_owned(), body: Body::Text(sitemap::robots(site)) });
    if site.config.markdown.highlight {
        let css = highlight::stylesheet(&site.config.markdown.highlight_theme).map_err(|message| {
            Diagnostic::new(crate::diagnostic::Location::file(&crate::config::Config::path_in(root)), message)
        })?;
        files.push(OutputFile { path: highlight::STYLESHEET.to_owned(), body: Body::Text(css) });
    }
    Ok(files)
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

/// The theme's `static/`, then the site's `static/` over it.
fn static_files(theme: &ThemeSource, root: &Path, files: &mut Vec<OutputFile>) -> Result<(), Diagnostic> {
    let mut chosen: BTreeMap<String, Body> = BTreeMap::new();
    match theme {
        ThemeSource::BuiltIn => {
            for (path, bytes) in templates::default_theme::FILES {
                if let Some(name) = path.strip_prefix("static/") {
                    chosen.insert(name.to_owned(), Body::Static(bytes));
                }
            }
        }
        ThemeSource::Folder(folder) => {
            // The built-in templates' embeds need this script; a theme that does not ship its
            // own still gets it, as it gets any built-in template it does not override.
            for (path, bytes) in templates::default_theme::FILES {
                if *path == "static/embed.js" {
                    chosen.insert("embed.js".to_owned(), Body::Static(bytes));
                }
            }
            copy_tree(&folder.join("static"), &mut chosen)?
        }
    }
    copy_tree(&root.join("static"), &mut chosen)?;
    files.extend(chosen.into_iter().map(|(path, body)| OutputFile { path, body }));
    Ok(())
}

fn copy_tree(dir: &Path, chosen: &mut BTreeMap<String, Body>) -> Result<(), Diagnostic> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|err| {
            let path = err.path().unwrap_or(dir).to_owned();
            Diagnostic::new(crate::diagnostic::Location::file(&path), format!("cannot read static file: {err}"))
        })?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            chosen.insert(rel, Body::Copy(entry.into_path()));
        }
    }
    Ok(())
}
