//! The site as files to render: every path of the output mapped to what makes it (a route),
//! each file made on its own from the one model. `build` renders them all, in parallel, into
//! its staging folder; `serve` renders a page when the browser asks for it. Neither keeps a
//! list of "pages a change affects", so neither can show a stale page.
//!
//! A post's rendered Markdown and template value are made the first time a page needs them
//! and then shared by its own page, the list pages and the feeds.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use jiff::Timestamp;
use rayon::prelude::*;
use tera::{Context, Value};

use super::cache::CodeCache;
use super::feeds::{self, Feed, FeedPlan, FeedPosts};
use super::markdown::Rendered;
use super::shortcodes::Shortcodes;
use super::{
    Body, Counts, Errors, MarkdownCache, OutputFile, OutputSink, Templates, ThemeSource, highlight, internal_link,
    redirect_page, render_document_with, sitemap, talk, templates, values,
};
use crate::diagnostic::{Diagnostic, Location};
use crate::load::Source;
use crate::model::paginate::{Pager, paginate};
use crate::model::{Post, PostId, SeriesId, Site, TagId, UrlPath};

/// How many posts one task renders at most before the other cores can take the rest.
const POSTS_PER_TASK: usize = 8;

/// What makes one file of the site.
#[derive(Debug, Clone, PartialEq)]
enum Route {
    Post(PostId),
    /// A stand-alone page, by its index in [`Site::pages`].
    Page(usize),
    /// One page of a paginated list of posts.
    List {
        list: usize,
        page: usize,
    },
    Tags,
    SeriesList,
    Series(SeriesId),
    Talks,
    NotFound,
    /// A page that sends the reader on to another address.
    Redirect(UrlPath),
    Copy(PathBuf),
    Static(&'static [u8]),
    Feed(Feed),
    Sitemap,
    Robots,
    CodeStylesheet,
}

/// A paginated list of posts: the home page's, or a tag's.
struct List {
    template: &'static str,
    tag: Option<TagId>,
    pagers: Vec<Pager>,
}

/// A post's share of every page that shows it.
struct PostEntry {
    value: Value,
    /// When its talk was given, for the order of `/talks/`.
    starts: Option<Timestamp>,
    warnings: Vec<Diagnostic>,
    /// Its Atom entry, the same in every feed that carries it: made by the first of them, let
    /// go with the rest of the entry.
    atom_entry: OnceLock<Arc<str>>,
}

/// A post's entry, or the problems that kept it from being made.
type EntryResult = Result<Arc<PostEntry>, Vec<Diagnostic>>;

/// The build cache of highlighted code a renderer reads: its own (`build`, which saves it once
/// the documents are rendered), or one kept by its caller (`serve`, between rebuilds).
pub enum CodeCacheRef<'a> {
    Owned(CodeCache),
    Shared(&'a CodeCache),
}

/// A site ready to render, file by file or whole.
pub struct SiteRenderer<'a> {
    site: Site<'a>,
    /// The theme's templates, with this site's `site` value.
    templates: Templates,
    /// Rendered Markdown kept between `serve`'s rebuilds.
    markdown: Option<&'a MarkdownCache>,
    /// The code cache `serve` keeps; or `build`'s own, taken out and saved once the documents
    /// are rendered (a lock, not a borrow, so the renderer stays covariant for `serve`).
    shared_code: Option<&'a CodeCache>,
    owned_code: RwLock<Option<CodeCache>>,
    /// Each post's entry, made the first time a file needs it. `render_all` lets each go once
    /// the last file that shows the post is written, so a large site never holds every post's
    /// HTML at once; a file asked for later makes it again.
    posts: Vec<Mutex<Option<EntryResult>>>,
    /// Every post, newest first: the home page's list.
    newest_first: Vec<PostId>,
    lists: Vec<List>,
    /// Each tag's template value, by [`TagId`].
    tag_values: Vec<Value>,
    feeds: FeedPlan,
    routes: Vec<(String, Route)>,
    by_path: HashMap<String, usize>,
    /// How many of the routes are pages made from templates, for the summary line.
    pages: usize,
    root: PathBuf,
    /// How many post entries were made, to check that a build makes each once.
    #[cfg(test)]
    entries_made: AtomicUsize,
}

impl<'a> SiteRenderer<'a> {
    /// Plans every file of the site; renders none yet.
    pub fn new(
        site: Site<'a>,
        mut templates: Templates,
        theme: &ThemeSource,
        root: &Path,
        markdown: Option<&'a MarkdownCache>,
        code: Option<CodeCacheRef<'a>>,
    ) -> Result<SiteRenderer<'a>, Diagnostic> {
        templates.set_global("site", values::site_value(&site));
        let feeds = FeedPlan::new(&site);
        let per_page = site.config.paginate;
        let mut lists = vec![List {
            template: "index.html",
            tag: None,
            pagers: paginate(&UrlPath::root(), site.posts.len(), per_page),
        }];
        for (index, tag) in site.tags.iter().enumerate() {
            let pagers = paginate(&tag.url, tag.posts.len(), per_page);
            lists.push(List { template: "tag.html", tag: Some(TagId(index)), pagers });
        }
        // Room for all at once: growing the path index rehashes every path planned so far.
        let list_pages: usize = lists.iter().map(|list| list.pagers.len()).sum();
        let mut routes = Routes::default();
        // Besides posts, pages and list pages: each list's redirect and feed, each series' page
        // and feed, aliases, assets, and a few files of the site's own.
        let others = 2 * lists.len() + 2 * site.series.len() + site.aliases.len() + site.assets.len() + 16;
        routes.reserve(site.posts.len() + site.pages.len() + list_pages + others);

        for (index, post) in site.posts.iter().enumerate() {
            routes.add(post.url.output_file(), Route::Post(PostId(index)));
        }
        for (index, page) in site.pages.iter().enumerate() {
            routes.add(page.url.output_file(), Route::Page(index));
        }
        routes.add(UrlPath::new("/tags/").output_file(), Route::Tags);
        for (index, list) in lists.iter().enumerate() {
            for (page, pager) in list.pagers.iter().enumerate() {
                routes.add(pager.url.output_file(), Route::List { list: index, page });
            }
        }
        routes.add(UrlPath::new("/series/").output_file(), Route::SeriesList);
        for (index, series) in site.series.iter().enumerate() {
            routes.add(series.url.output_file(), Route::Series(SeriesId(index)));
        }
        routes.add(UrlPath::new("/talks/").output_file(), Route::Talks);
        routes.add(UrlPath::new("/404.html").output_file(), Route::NotFound);
        let pages = routes.list.len();

        for alias in &site.aliases {
            routes.add(alias.from.output_file(), Route::Redirect(alias.to.clone()));
        }
        // `/page/1/` of a list is the list itself.
        for list in &lists {
            let root = &list.pagers[0].url;
            routes.add(root.join("page/1").output_file(), Route::Redirect(root.clone()));
        }
        for asset in &site.assets {
            routes.add(asset.to.clone(), Route::Copy(asset.from.clone()));
        }
        static_files(theme, root, &mut routes)?;
        // A file of the same name in the site's static/ or content/ wins over a generated one,
        // as a blogger who writes their own robots.txt expects.
        for (url, feed) in feeds.feeds() {
            routes.add_unless_taken(url.output_file(), Route::Feed(feed));
        }
        if site.base.is_set() {
            routes.add_unless_taken(UrlPath::new(sitemap::SITEMAP).output_file(), Route::Sitemap);
        }
        routes.add_unless_taken("robots.txt".to_owned(), Route::Robots);
        if site.config.markdown.highlight {
            routes.add_unless_taken(highlight::STYLESHEET.to_owned(), Route::CodeStylesheet);
        }

        Ok(SiteRenderer {
            posts: site.posts.iter().map(|_| Mutex::default()).collect(),
            newest_first: (0..site.posts.len()).map(PostId).collect(),
            tag_values: values::tag_values(&site),
            site,
            templates,
            markdown,
            shared_code: match &code {
                Some(CodeCacheRef::Shared(cache)) => Some(cache),
                _ => None,
            },
            owned_code: RwLock::new(match code {
                Some(CodeCacheRef::Owned(cache)) => Some(cache),
                _ => None,
            }),
            lists,
            feeds,
            routes: routes.list,
            by_path: routes.by_path,
            pages,
            root: root.to_owned(),
            #[cfg(test)]
            entries_made: AtomicUsize::new(0),
        })
    }

    pub fn site(&self) -> &Site<'a> {
        &self.site
    }

    /// What the summary line counts (without warnings: those come with rendering).
    pub fn counts(&self) -> Counts {
        Counts {
            pages: self.pages,
            posts: self.site.posts.len(),
            tags: self.site.tags.len(),
            series: self.site.series.len(),
            warnings: Vec::new(),
        }
    }

    /// Whether the site has a file at `path` (`posts/x/index.html`).
    pub fn contains(&self, path: &str) -> bool {
        self.by_path.contains_key(path)
    }

    /// The file at `path`, rendered now, or `None` when the site has no such file.
    pub fn render(&self, path: &str) -> Option<Result<OutputFile, crate::Error>> {
        let (path, route) = &self.routes[*self.by_path.get(path)?];
        Some(self.render_route(path, route))
    }

    /// Renders every file into `sink`, each post's page in the same task as its Markdown.
    /// Posts go newest first, and a list page, a feed or `/talks/` is rendered as soon as the
    /// last of its posts is, by the task that rendered it; once every file that shows a post is
    /// written, its entry is let go. So a 10,000-post site holds only the posts still to be
    /// shown, never all of their HTML at once. Every broken file is reported, not only the first.
    pub fn render_all(&self, sink: &dyn OutputSink) -> Result<Counts, crate::Error> {
        let failures = Mutex::new(Errors::default());
        let fail = |error| failures.lock().unwrap_or_else(PoisonError::into_inner).add(error);
        // Unless a file of the site's own took its place.
        let routed = |path: &str, route: &Route| self.by_path.get(path).is_some_and(|&i| self.routes[i].1 == *route);
        let put = |path: &str, route: &Route| {
            if routed(path, route) {
                self.render_route(path, route).and_then(|file| Ok(sink.put(file)?)).unwrap_or_else(fail);
            }
        };
        let showings = Showings::new(self);
        let posts = || -> Vec<Diagnostic> {
            // In small pieces: rayon otherwise leaves long runs of posts unsplit, and the last
            // of them kept one core busy for a tenth of the build while the other had nothing.
            // Each piece takes the next posts in order, not the ones rayon's split gave it: split
            // in halves, one core would start in the middle, and the list pages that mix its
            // posts with the first half's would hold both until the end.
            let next = AtomicUsize::new(0);
            let warnings: Vec<Vec<Diagnostic>> = (0..self.site.posts.len())
                .into_par_iter()
                .with_max_len(POSTS_PER_TASK)
                .map(|_| {
                    let id = PostId(next.fetch_add(1, Ordering::Relaxed));
                    let warnings = match self.post_entry(id) {
                        Ok(entry) => entry.warnings.clone(),
                        Err(error) => {
                            fail(error);
                            Vec::new()
                        }
                    };
                    put(&self.site.post(id).url.output_file(), &Route::Post(id));
                    for route in showings.ready_after(id) {
                        let (path, route) = &self.routes[route];
                        put(path, route);
                        for &shown in self.shown_posts(route).iter() {
                            showings.written(self, shown);
                        }
                    }
                    showings.written(self, id);
                    warnings
                })
                .collect();
            warnings.into_iter().flatten().collect()
        };
        let pages = || -> Vec<Diagnostic> {
            let warnings: Vec<Vec<Diagnostic>> = (0..self.site.pages.len())
                .into_par_iter()
                .map(|index| match self.page(index) {
                    Ok((file, warnings)) => {
                        if routed(&file.path, &Route::Page(index)) {
                            sink.put(file).unwrap_or_else(|error| fail(error.into()));
                        }
                        warnings
                    }
                    Err(error) => {
                        fail(error);
                        Vec::new()
                    }
                })
                .collect();
            warnings.into_iter().flatten().collect()
        };
        // The files that show no post (the sitemap, `/tags/`, the series pages, redirects,
        // static files) go alongside, so no core waits while the last posts are rendered.
        let others = || {
            let others = self.routes.par_iter().filter(|(_, route)| {
                !matches!(route, Route::Post(_) | Route::Page(_)) && self.shown_posts(route).is_empty()
            });
            others.for_each(|(path, route)| put(path, route));
        };
        let (mut warnings, (pages, ())) = rayon::join(posts, || rayon::join(pages, others));
        warnings.extend(pages);
        warnings.sort();
        if let Some(cache) = self.owned_code.write().unwrap_or_else(|e| e.into_inner()).take() {
            cache.save();
        }
        failures.into_inner().unwrap_or_else(PoisonError::into_inner).check()?;
        Ok(Counts { warnings, ..self.counts() })
    }

    /// Renders every document's Markdown and talk card, but no page: what `serve` does after
    /// each change, so an error in any file shows at once, while pages wait until asked for.
    /// Hands back the documents' warnings.
    pub fn check_documents(&self) -> Result<Vec<Diagnostic>, crate::Error> {
        let posts = self.site.posts.par_iter().map(|post| self.post_document(post).map(|(html, _)| html));
        let pages = self.site.pages.par_iter().map(|page| self.document(page.source));
        let results: Vec<Result<Vec<Diagnostic>, Vec<Diagnostic>>> =
            posts.chain(pages).map(|html| html.map(|html| html.warnings.clone())).collect();
        let mut errors = Errors::default();
        let mut warnings = Vec::new();
        for result in results {
            match result {
                Ok(mut found) => warnings.append(&mut found),
                Err(found) => errors.add(crate::Error::Content(found)),
            }
        }
        errors.check()?;
        warnings.sort();
        Ok(warnings)
    }

    /// A post's Markdown and talk card, with the problems of both.
    fn post_document(&self, post: &Post<'_>) -> Result<(Arc<Rendered>, Option<talk::Talk>), Vec<Diagnostic>> {
        let calls = Shortcodes { templates: &self.templates, prefix: self.site.base.prefix() };
        match (self.document(post.source), talk::talk(&self.site, &calls, post)) {
            (Ok(html), Ok(talk)) => Ok((html, talk)),
            (html, talk) => Err(html.err().into_iter().chain(talk.err()).flatten().collect()),
        }
    }

    /// A document's Markdown, rendered (or taken from the Markdown cache).
    fn document(&self, source: &Source) -> Result<Arc<Rendered>, Vec<Diagnostic>> {
        let owned = self.owned_code.read().unwrap_or_else(|e| e.into_inner());
        let code = self.shared_code.or(owned.as_ref());
        match self.markdown {
            Some(markdown) => markdown.render(&self.site, &self.templates, source, code),
            None => {
                render_document_with(&self.site, &self.templates, source, &|path| internal_link(&self.site, path), code)
                    .map(Arc::new)
            }
        }
    }

    /// A post's entry, made now if no file has needed it yet (or since it was let go). Whoever
    /// asks while it is being made waits for it, so it is made once.
    fn post_entry(&self, id: PostId) -> Result<Arc<PostEntry>, crate::Error> {
        let mut slot = self.posts[id.0].lock().unwrap_or_else(PoisonError::into_inner);
        let entry = slot.get_or_insert_with(|| {
            #[cfg(test)]
            self.entries_made.fetch_add(1, Ordering::Relaxed);
            let post = self.site.post(id);
            let (html, talk) = self.post_document(post)?;
            let data = values::post_data(&self.site, post, &html, talk.as_ref(), &self.tag_values);
            let value = self.with_item(Value::from_serializable(&data)).map_err(|error| vec![error])?;
            let warnings = html.warnings.clone();
            let starts = talk.and_then(|t| t.starts);
            Ok(Arc::new(PostEntry { value, starts, warnings, atom_entry: OnceLock::new() }))
        });
        entry.clone().map_err(crate::Error::Content)
    }

    /// A post's value with its `item`, the entry list pages show: rendered here, once, rather
    /// than by each list page (a post is on the home page and on each of its tags').
    fn with_item(&self, post: Value) -> Result<Value, Diagnostic> {
        let item = self.templates.post_item(&post)?;
        let mut fields = post.into_map().expect("a post's value is a map");
        fields.insert("item".into(), item);
        Ok(Value::from(fields))
    }

    /// Lets go of a post's entry; a failed one is kept, to be reported the same again.
    fn let_go(&self, id: PostId) {
        let mut slot = self.posts[id.0].lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(*slot, Some(Ok(_))) {
            *slot = None;
        }
    }

    fn page(&self, index: usize) -> Result<(OutputFile, Vec<Diagnostic>), crate::Error> {
        let page = &self.site.pages[index];
        let html = self.document(page.source)?;
        let value = values::page_value(&self.site, page, &html);
        let file = self.render_template("page.html", &page.url, vec![("page", value)])?;
        Ok((file, html.warnings.clone()))
    }

    fn render_route(&self, path: &str, route: &Route) -> Result<OutputFile, crate::Error> {
        let site = &self.site;
        let text = |body: String| Ok(OutputFile { path: path.to_owned(), body: Body::Made(body.into_bytes()) });
        match route {
            Route::Post(id) => {
                let value = self.post_entry(*id)?.value.clone();
                Ok(self.render_template("post.html", &site.post(*id).url, vec![("post", value)])?)
            }
            Route::Page(index) => Ok(self.page(*index)?.0),
            Route::List { list, page } => self.list_page(&self.lists[*list], *page),
            Route::Tags => {
                let value = Value::from(self.tag_values.clone());
                Ok(self.render_template("tags.html", &UrlPath::new("/tags/"), vec![("tags", value)])?)
            }
            Route::SeriesList => {
                let all: Vec<Value> = site.series.iter().map(|s| values::series_value(site, s)).collect();
                let value = Value::from_serializable(&all);
                Ok(self.render_template("series_list.html", &UrlPath::new("/series/"), vec![("series_list", value)])?)
            }
            Route::Series(id) => {
                let series = site.series(*id);
                let value = values::series_value(site, series);
                Ok(self.render_template("series.html", &series.url, vec![("series", value)])?)
            }
            Route::Talks => {
                // Newest talk first: by when it was given, else by when its recap was posted.
                let mut talks = Vec::new();
                for (id, post) in site.talks() {
                    let entry = self.post_entry(id)?;
                    talks.push((entry.starts.unwrap_or(post.date.timestamp()), id, entry.value.clone()));
                }
                talks.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                let talks: Vec<Value> = talks.into_iter().map(|(_, _, value)| value).collect();
                let value = Value::from_serializable(&talks);
                Ok(self.render_template("talks.html", &UrlPath::new("/talks/"), vec![("talks", value)])?)
            }
            Route::NotFound => Ok(self.render_template("404.html", &UrlPath::new("/404.html"), vec![])?),
            Route::Redirect(target) => text(redirect_page(&site.base.absolute(target))),
            Route::Copy(from) => Ok(OutputFile { path: path.to_owned(), body: Body::Copy(from.clone()) }),
            Route::Static(bytes) => Ok(OutputFile { path: path.to_owned(), body: Body::Static(bytes) }),
            Route::Feed(feed) => {
                // Made here, so a broken post fails its feeds with its own error.
                let entries = self.feeds.posts(*feed).iter().map(|&id| Ok((id, self.post_entry(id)?)));
                let entries = entries.collect::<Result<HashMap<_, _>, crate::Error>>()?;
                text(self.feeds.render(site, *feed, &FeedEntries { renderer: self, entries }))
            }
            Route::Sitemap => text(sitemap::sitemap(site)),
            Route::Robots => text(sitemap::robots(site)),
            Route::CodeStylesheet => {
                let css = highlight::stylesheet(&site.config.markdown.highlight_theme).map_err(|message| {
                    Diagnostic::new(Location::file(&crate::config::Config::path_in(&self.root)), message)
                })?;
                text(css)
            }
        }
    }

    /// Every post of a list, newest first.
    fn list_posts(&self, list: &List) -> &[PostId] {
        match list.tag {
            Some(tag) => &self.site.tag(tag).posts,
            None => &self.newest_first,
        }
    }

    /// The posts whose entries a file shows, other than a post's own page: a list page's, a
    /// feed's, the talks.
    fn shown_posts(&self, route: &Route) -> Cow<'_, [PostId]> {
        match route {
            Route::List { list, page } => {
                let list = &self.lists[*list];
                Cow::Borrowed(&self.list_posts(list)[list.pagers[*page].items.clone()])
            }
            Route::Feed(feed) => Cow::Borrowed(self.feeds.posts(*feed)),
            Route::Talks => Cow::Owned(self.site.talks().map(|(id, _)| id).collect()),
            _ => Cow::Borrowed(&[]),
        }
    }

    /// One page of a list; each page gets only its own slice of posts.
    fn list_page(&self, list: &List, number: usize) -> Result<OutputFile, crate::Error> {
        let site = &self.site;
        let posts = self.list_posts(list);
        let pager = &list.pagers[number];
        let mut shown = Vec::with_capacity(pager.items.len());
        for &id in &posts[pager.items.clone()] {
            shown.push(self.post_entry(id)?.value.clone());
        }
        let data = values::paginator(site, &list.pagers, pager, posts.len(), shown);
        let mut values = vec![("paginator", Value::from_serializable(&data))];
        if let Some(tag) = list.tag {
            values.push(("tag", self.tag_values[tag.0].clone()));
        }
        Ok(self.render_template(list.template, &pager.url, values)?)
    }

    /// One page through its template, with the variables every page has.
    fn render_template(
        &self,
        template: &str,
        url: &UrlPath,
        values: Vec<(&'static str, Value)>,
    ) -> Result<OutputFile, Diagnostic> {
        let base = &self.site.base;
        let mut context = Context::new();
        context.insert("current_url", &base.href(url));
        context.insert("current_path", url.as_str());
        context.insert("current_permalink", &base.absolute(url));
        for (key, value) in values {
            context.insert_value(key, value);
        }
        let html = self.templates.render_bytes(template, &context)?;
        Ok(OutputFile { path: url.output_file(), body: Body::Made(html) })
    }
}

/// The posts of one feed, rendered, for the feeds module to read.
struct FeedEntries<'r, 'a> {
    renderer: &'r SiteRenderer<'a>,
    entries: HashMap<PostId, Arc<PostEntry>>,
}

impl FeedEntries<'_, '_> {
    /// A post's HTML as feeds carry it (embeds and a talk card as links), and its summary.
    fn texts(entry: &PostEntry) -> (&str, &str) {
        let text = |key| entry.value.get_from_path(key).and_then(Value::as_str);
        let content = text("feed_content").filter(|feed| !feed.is_empty()).or_else(|| text("content"));
        (content.unwrap_or(""), text("summary").unwrap_or(""))
    }
}

impl FeedPosts for FeedEntries<'_, '_> {
    fn rss_item(&self, id: PostId) -> String {
        feeds::rss_item(&self.renderer.site, id, Self::texts(&self.entries[&id]).0)
    }

    fn atom_entry(&self, id: PostId) -> Arc<str> {
        let entry = &self.entries[&id];
        let make = || {
            let (content, summary) = Self::texts(entry);
            feeds::atom_entry(&self.renderer.site, id, content, summary).into()
        };
        Arc::clone(entry.atom_entry.get_or_init(make))
    }
}

/// Which files show each post besides its own page, and how far each is from being written:
/// what lets [`SiteRenderer::render_all`] write a list page or a feed as soon as its posts are
/// rendered, and let a post go as soon as the last file that shows it is written.
struct Showings {
    /// For each post, the routes (by index) that show it.
    shown_on: Vec<Vec<usize>>,
    /// For each route, how many of the posts it shows are still to be rendered.
    unrendered: Vec<AtomicUsize>,
    /// For each post, how many files that show it are still to be written, its own page included.
    unwritten: Vec<AtomicUsize>,
}

impl Showings {
    fn new(renderer: &SiteRenderer<'_>) -> Showings {
        let mut shown_on = vec![Vec::new(); renderer.site.posts.len()];
        let unrendered = (renderer.routes.iter().enumerate())
            .map(|(index, (_, route))| {
                let shown = renderer.shown_posts(route);
                shown.iter().for_each(|id| shown_on[id.0].push(index));
                AtomicUsize::new(shown.len())
            })
            .collect();
        let unwritten = shown_on.iter().map(|routes| AtomicUsize::new(routes.len() + 1)).collect();
        Showings { shown_on, unrendered, unwritten }
    }

    /// Counts `id` as rendered; yields the routes showing it that now have all their posts
    /// rendered. Each route is yielded once, to whichever task rendered its last post.
    fn ready_after(&self, id: PostId) -> impl Iterator<Item = usize> + '_ {
        let last = |route: &usize| self.unrendered[*route].fetch_sub(1, Ordering::AcqRel) == 1;
        self.shown_on[id.0].iter().copied().filter(last)
    }

    /// Counts one more file that shows `id` as written; after the last, its entry is let go.
    fn written(&self, renderer: &SiteRenderer<'_>, id: PostId) {
        if self.unwritten[id.0].fetch_sub(1, Ordering::AcqRel) == 1 {
            renderer.let_go(id);
        }
    }
}

/// The site's files by path, in the order they were planned.
#[derive(Default)]
struct Routes {
    list: Vec<(String, Route)>,
    by_path: HashMap<String, usize>,
}

impl Routes {
    /// Plans `route` at `path`, over whatever was planned there before.
    fn add(&mut self, path: String, route: Route) {
        match self.by_path.entry(path) {
            Entry::Occupied(planned) => self.list[*planned.get()].1 = route,
            Entry::Vacant(free) => {
                self.list.push((free.key().clone(), route));
                free.insert(self.list.len() - 1);
            }
        }
    }

    /// Makes room for `more` routes at once: a site has one for each post and list page.
    fn reserve(&mut self, more: usize) {
        self.list.reserve(more);
        self.by_path.reserve(more);
    }

    fn add_unless_taken(&mut self, path: String, route: Route) {
        if !self.by_path.contains_key(&path) {
            self.add(path, route);
        }
    }
}

/// The theme's `static/`, then the site's `static/` over it.
fn static_files(theme: &ThemeSource, root: &Path, routes: &mut Routes) -> Result<(), Diagnostic> {
    let mut chosen: BTreeMap<String, Route> = BTreeMap::new();
    match theme {
        ThemeSource::BuiltIn => {
            for (path, bytes) in templates::default_theme::FILES {
                if let Some(name) = path.strip_prefix("static/") {
                    chosen.insert(name.to_owned(), Route::Static(bytes));
                }
            }
        }
        ThemeSource::Folder(folder) => {
            // The built-in templates' embeds need this script; a theme that does not ship its
            // own still gets it, as it gets any built-in template it does not override.
            for (path, bytes) in templates::default_theme::FILES {
                if *path == "static/embed.js" {
                    chosen.insert("embed.js".to_owned(), Route::Static(bytes));
                }
            }
            copy_tree(&folder.join("static"), &mut chosen)?
        }
    }
    copy_tree(&root.join("static"), &mut chosen)?;
    for (path, route) in chosen {
        routes.add(path, route);
    }
    Ok(())
}

fn copy_tree(dir: &Path, chosen: &mut BTreeMap<String, Route>) -> Result<(), Diagnostic> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|err| {
            let path = err.path().unwrap_or(dir).to_owned();
            Diagnostic::new(Location::file(&path), format!("cannot read static file: {err}"))
        })?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            chosen.insert(rel, Route::Copy(entry.into_path()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::MemorySink;

    #[test]
    fn a_whole_build_makes_each_post_once_and_lets_go_of_it_once_the_files_showing_it_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let config = "title = \"T\"\nbase_url = \"https://example.com/\"\npaginate = 2\n";
        std::fs::write(root.join("site.toml"), config).unwrap();
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        for day in 1..=9 {
            let tags = if day % 2 == 0 { "[even, all]" } else { "[odd, all]" };
            let post = format!("---\ntitle: Post {day}\ntags: {tags}\n---\nText of post {day}.\n");
            std::fs::write(root.join(format!("content/posts/2024-01-0{day}-post-{day}.md")), post).unwrap();
        }
        let options = crate::BuildOptions { root: root.to_owned(), ..Default::default() };
        let (config, model_options, _) = crate::prepare(&options).unwrap();
        let content = crate::load::load(root, &config.time_zone()).unwrap();
        let theme = crate::Theme::load(root, &config).unwrap();
        let site = Site::assemble(&config, &content, &model_options).unwrap();
        let renderer = SiteRenderer::new(site, theme.templates, &theme.source, root, None, None).unwrap();
        let sink = MemorySink::default();
        renderer.render_all(&sink).unwrap();

        assert_eq!(renderer.entries_made.load(Ordering::Relaxed), 9, "each post's entry is made once");
        let held: Vec<usize> = (0..9).filter(|&i| renderer.posts[i].lock().unwrap().is_some()).collect();
        assert!(held.is_empty(), "posts still held after the build: {held:?}");
        let files: Vec<String> = sink.into_files().into_iter().map(|file| file.path).collect();
        for shown in ["index.html", "page/5/index.html", "tags/all/page/3/index.html", "tags/even/atom.xml", "atom.xml"]
        {
            assert!(files.iter().any(|path| path == shown), "{shown} is missing from {files:?}");
        }
    }
}
