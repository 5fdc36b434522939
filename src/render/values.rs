//! What templates get: each post, page, list and series as a template value, made from the
//! model and the rendered Markdown. Values hold references into the model where they can, and
//! Tera 2 values are reference-counted, so a list page shares its posts' values, never copies.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use tera::Value;

use super::feeds;
use super::highlight;
use super::markdown::{Heading, Rendered};
use super::talk::Talk;
use super::templates;
use crate::load::Data;
use crate::model::paginate::{Pager, window};
use crate::model::{Page, PartEntry, Post, PostId, Site, Status, UrlPath};

#[derive(Serialize)]
pub(super) struct Link<'a> {
    title: &'a str,
    url: String,
}

/// A post's newer or older neighbour by date.
#[derive(Serialize)]
pub(super) struct Neighbour<'a> {
    #[serde(flatten)]
    link: Link<'a>,
    /// Also this post's previous or next part in its series, which the series navigation
    /// links already: lets a theme link each post once without comparing URLs.
    linked_as_part: bool,
}

#[derive(Serialize)]
pub(super) struct TagLink<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
    /// The tag's own Atom feed, when the site has feeds.
    feed: Option<String>,
}

#[derive(Serialize)]
pub(super) struct SeriesNav<'a> {
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
pub(super) struct PostData<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    slug: &'a str,
    date: String,
    updated: Option<String>,
    #[serde(serialize_with = "safe_html")]
    summary: &'a str,
    /// The summary as plain text, for `<meta name="description">`.
    description: String,
    #[serde(serialize_with = "safe_html")]
    content: &'a str,
    /// The content as feeds carry it (embeds and the talk card as plain links), when that
    /// differs from `content`; empty otherwise. Not for templates.
    feed_content: String,
    toc: &'a [Heading],
    word_count: usize,
    reading_time: usize,
    /// Each the tag's one shared value (see [`tag_values`]).
    tags: Vec<Value>,
    series: Option<SeriesNav<'a>>,
    newer: Option<Neighbour<'a>>,
    older: Option<Neighbour<'a>>,
    draft: bool,
    scheduled: bool,
    talk: Option<&'a Talk>,
    /// Whether the page needs the theme's `embed.js`.
    has_embeds: bool,
    extra: &'a BTreeMap<String, Data>,
    source: &'a str,
    /// schema.org `BlogPosting`, safe inside `<script type="application/ld+json">`.
    #[serde(serialize_with = "safe_html")]
    json_ld: String,
}

#[derive(Serialize)]
pub(super) struct PageData<'a> {
    title: &'a str,
    url: String,
    permalink: String,
    #[serde(serialize_with = "safe_html")]
    summary: &'a str,
    /// The summary as plain text, for `<meta name="description">`.
    description: String,
    #[serde(serialize_with = "safe_html")]
    content: &'a str,
    toc: &'a [Heading],
    has_embeds: bool,
    extra: &'a BTreeMap<String, Data>,
}

#[derive(Serialize)]
pub(super) struct PaginatorData {
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
pub(super) struct PageNumber {
    number: usize,
    url: String,
    current: bool,
    /// Stands for numbers left out between the ones shown ("…").
    gap: bool,
}

/// How many page numbers a list page shows on each side of its own.
pub(super) const PAGE_LINKS_AROUND: usize = 2;

#[derive(Serialize)]
pub(super) struct SiteData<'a> {
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
pub(super) struct FeedLinks {
    atom: Option<String>,
    rss: Option<String>,
}

/// For `#[serde(serialize_with)]` on a field that holds HTML: hands it to templates as a safe
/// string, which they print as it is. As text it would need `| safe` in the template (which Zola
/// and Tera themes write, and which still works), and that copies the whole HTML again on every
/// page that prints it.
pub(super) fn safe_html<S: Serializer>(html: &impl AsRef<str>, serializer: S) -> Result<S::Ok, S::Error> {
    Value::safe_string(html.as_ref()).serialize(serializer)
}

/// [`safe_html`] for HTML that may be absent.
pub(super) fn safe_html_or_absent<S: Serializer>(html: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
    html.as_deref().map(Value::safe_string).serialize(serializer)
}

/// A page's template value (`page`).
pub(super) fn page_value(site: &Site<'_>, page: &Page<'_>, rendered: &Rendered) -> Value {
    let base = &site.base;
    Value::from_serializable(&PageData {
        title: &page.source.front.title,
        url: base.href(&page.url),
        permalink: base.absolute(&page.url),
        summary: &rendered.summary,
        description: templates::strip_tags(&rendered.summary),
        content: &rendered.html,
        toc: shown_toc(site, rendered),
        has_embeds: rendered.has_embeds,
        extra: &page.source.front.extra,
    })
}

pub(super) fn paginator(
    site: &Site<'_>,
    pagers: &[Pager],
    pager: &Pager,
    total_posts: usize,
    posts: Vec<Value>,
) -> PaginatorData {
    let base = &site.base;
    PaginatorData {
        posts,
        current: pager.number,
        count: pagers.len(),
        total_posts,
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
pub(super) fn shown_toc<'a>(site: &Site<'_>, html: &'a Rendered) -> &'a [Heading] {
    if site.config.markdown.toc { &html.toc } else { &[] }
}

pub(super) fn link<'a>(site: &'a Site<'_>, id: PostId) -> Link<'a> {
    let post = site.post(id);
    Link { title: post.title(), url: site.base.href(&post.url) }
}

/// Every tag's template value, by [`crate::model::TagId`]: made once and shared by every post
/// that carries the tag, its own pages and `/tags/` (Tera values are reference-counted), rather
/// than made again for each of the tag's posts.
pub(super) fn tag_values(site: &Site<'_>) -> Vec<Value> {
    let value = |tag: &crate::model::Tag| {
        Value::from_serializable(&TagLink {
            name: &tag.name,
            slug: tag.slug.as_str(),
            url: site.base.href(&tag.url),
            count: tag.posts.len(),
            feed: feeds::tag_atom(site, tag).map(|url| site.base.absolute(&url)),
        })
    };
    site.tags.iter().map(value).collect()
}

pub(super) fn post_data<'a>(
    site: &'a Site<'_>,
    post: &'a Post<'_>,
    html: &'a Rendered,
    talk: Option<&'a Talk>,
    tag_values: &[Value],
) -> PostData<'a> {
    let base = &site.base;
    let front = &post.source.front;
    let in_series = post.series.map(|sp| (sp, site.series(sp.series)));
    // The previous and next parts, which the series navigation links.
    let parts = in_series.map_or([None, None], |(sp, series)| {
        [sp.part.checked_sub(1).and_then(|number| series.part(number)), series.part(sp.part + 1)]
    });
    let neighbour = |id: PostId| Neighbour { link: link(site, id), linked_as_part: parts.contains(&Some(id)) };
    let series = in_series.map(|(sp, series)| SeriesNav {
        name: &series.name,
        url: base.href(&series.url),
        part: sp.part,
        planned: series.planned(),
        published: series.published_count(),
        previous: parts[0].map(|id| link(site, id)),
        next: parts[1].map(|id| link(site, id)),
        feed: feeds::series_atom(site, series).map(|url| base.absolute(&url)),
    });
    let feed_content = match (talk, &html.feed_html) {
        (Some(talk), _) => format!("{}\n{}", talk.feed_html, html.feed_html()),
        (None, Some(_)) => html.feed_html().to_owned(),
        (None, None) => String::new(),
    };
    let permalink = base.absolute(&post.url);
    let date = post.date.timestamp().to_string();
    let updated = front.updated.as_ref().map(|d| d.timestamp().to_string());
    let description = templates::strip_tags(&html.summary);
    let json_ld = blog_posting(site, post, &description, &permalink, &date, updated.as_deref());
    PostData {
        title: post.title(),
        url: base.href(&post.url),
        permalink,
        slug: post.slug.as_str(),
        date,
        updated,
        summary: &html.summary,
        description,
        content: &html.html,
        feed_content,
        toc: shown_toc(site, html),
        word_count: html.word_count,
        reading_time: html.reading_time,
        tags: post.tags.iter().map(|&tag| tag_values[tag.0].clone()).collect(),
        series,
        newer: post.newer.map(neighbour),
        older: post.older.map(neighbour),
        draft: post.status == Status::Draft,
        scheduled: post.status == Status::Scheduled,
        talk,
        has_embeds: html.has_embeds || talk.is_some_and(|t| t.has_embeds),
        extra: &front.extra,
        source: &post.source.content_path,
        json_ld,
    }
}

/// A post's schema.org `BlogPosting`, made here rather than by the template: built in Tera, with
/// a map literal and the `json` filter, it was a twentieth of a whole build's work.
fn blog_posting(
    site: &Site<'_>,
    post: &Post<'_>,
    description: &str,
    permalink: &str,
    date: &str,
    updated: Option<&str>,
) -> String {
    #[derive(Serialize)]
    struct Typed<'a> {
        #[serde(rename = "@type")]
        kind: &'static str,
        #[serde(rename = "name", skip_serializing_if = "Option::is_none")]
        name: Option<&'a str>,
        #[serde(rename = "@id", skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct BlogPosting<'a> {
        #[serde(rename = "@context")]
        context: &'static str,
        #[serde(rename = "@type")]
        kind: &'static str,
        headline: &'a str,
        description: &'a str,
        date_published: &'a str,
        date_modified: &'a str,
        author: Typed<'a>,
        keywords: String,
        url: &'a str,
        main_entity_of_page: Typed<'a>,
    }
    let config = site.config;
    let author = if config.author.is_empty() { &config.title } else { &config.author };
    let keywords: Vec<&str> = post.tags.iter().map(|&tag| site.tag(tag).name.as_str()).collect();
    let posting = BlogPosting {
        context: "https://schema.org",
        kind: "BlogPosting",
        headline: post.title(),
        description,
        date_published: date,
        date_modified: updated.unwrap_or(date),
        author: Typed { kind: "Person", name: Some(author), id: None },
        keywords: keywords.join(", "),
        url: permalink,
        main_entity_of_page: Typed { kind: "WebPage", name: None, id: Some(permalink) },
    };
    templates::json_for_script(&serde_json::to_string(&posting).unwrap_or_default())
}

pub(super) fn series_value(site: &Site<'_>, series: &crate::model::Series) -> Value {
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
    #[derive(Serialize)]
    struct SeriesData<'a> {
        name: &'a str,
        slug: &'a str,
        url: String,
        description: &'a str,
        total: Option<u32>,
        planned: u32,
        published: usize,
        parts: Vec<PartData<'a>>,
        feed: Option<String>,
    }
    Value::from_serializable(&SeriesData {
        name: &series.name,
        slug: series.slug.as_str(),
        url: site.base.href(&series.url),
        description: &series.description,
        total: series.total,
        planned: series.planned(),
        published: series.published_count(),
        parts,
        feed: feeds::series_atom(site, series).map(|url| site.base.absolute(&url)),
    })
}

pub(super) fn site_value(site: &Site<'_>) -> Value {
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
