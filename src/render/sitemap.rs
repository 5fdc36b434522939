//! `/sitemap.xml` and `/robots.txt`: what search engines should index, and where to find it.
//!
//! The sitemap lists the pages a reader can land on: posts, stand-alone pages, the home page
//! and its numbered pages, the tag and series pages, the talk list. Redirects (aliases,
//! `/page/1/`) and the 404 page are not pages to index, so they are left out. A page's
//! `lastmod` is when its newest content last changed, which keeps the file identical between
//! builds of an unchanged site.

use jiff::ZonedDateTime;

use super::feeds::{last_changed, push_escaped, push_rfc3339};
use crate::model::paginate::paginate;
use crate::model::{PartEntry, PostId, Site, UrlPath};

pub const SITEMAP: &str = "/sitemap.xml";

/// Every indexable page with its last change, in a stable order.
pub fn pages<'a>(site: &'a Site<'_>) -> Vec<(UrlPath, Option<&'a ZonedDateTime>)> {
    let newest = |posts: &mut dyn Iterator<Item = PostId>| -> Option<&'a ZonedDateTime> {
        posts.map(|id| last_changed(site, id)).max_by_key(|d| d.timestamp())
    };
    let mut pages = Vec::new();
    let list = |root: &UrlPath, posts: &[PostId], pages: &mut Vec<(UrlPath, Option<&'a ZonedDateTime>)>| {
        for pager in paginate(root, posts.len(), site.config.paginate) {
            let lastmod = newest(&mut posts[pager.items.clone()].iter().copied());
            pages.push((pager.url, lastmod));
        }
    };
    let all: Vec<PostId> = (0..site.posts.len()).map(PostId).collect();
    list(&UrlPath::root(), &all, &mut pages);
    for (index, post) in site.posts.iter().enumerate() {
        pages.push((post.url.clone(), Some(last_changed(site, PostId(index)))));
    }
    for page in &site.pages {
        let front = &page.source.front;
        pages.push((page.url.clone(), front.updated.as_ref().or(front.date.as_ref())));
    }
    let tagged = newest(&mut site.tags.iter().flat_map(|t| t.posts.iter().copied()));
    pages.push((UrlPath::new("/tags/"), tagged));
    for tag in &site.tags {
        list(&tag.url, &tag.posts, &mut pages);
    }
    let series_posts = |series: &crate::model::Series| -> Vec<PostId> {
        series
            .parts
            .iter()
            .filter_map(|p| match p.entry {
                PartEntry::Post(id) => Some(id),
                PartEntry::Coming { .. } => None,
            })
            .collect()
    };
    let in_any_series = newest(&mut site.series.iter().flat_map(series_posts));
    pages.push((UrlPath::new("/series/"), in_any_series));
    for series in &site.series {
        pages.push((series.url.clone(), newest(&mut series_posts(series).into_iter())));
    }
    pages.push((UrlPath::new("/talks/"), newest(&mut site.talks().map(|(id, _)| id))));
    pages
}

pub fn sitemap(site: &Site<'_>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let pages = pages(site);
    out.reserve(pages.len() * 128);
    for (url, lastmod) in pages {
        out.push_str("  <url>\n    <loc>");
        push_escaped(&mut out, &site.base.absolute(&url));
        out.push_str("</loc>\n");
        if let Some(date) = lastmod {
            out.push_str("    <lastmod>");
            push_rfc3339(&mut out, date);
            out.push_str("</lastmod>\n");
        }
        out.push_str("  </url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// Lets every crawler in and points it at the sitemap (when there is one: without `base_url`
/// there is no absolute address to give).
pub fn robots(site: &Site<'_>) -> String {
    let mut out = String::from("User-agent: *\nAllow: /\n");
    if site.base.is_set() {
        out.push_str(&format!("\nSitemap: {}\n", site.base.absolute(&UrlPath::new(SITEMAP))));
    }
    out
}
