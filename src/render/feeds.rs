//! Feeds: Atom and RSS for the site, and an Atom feed for each tag and each series.
//!
//! Feeds are read outside the site, by programs that know nothing of its base path, so every
//! address in them is absolute: the feed's own, each entry's, and every link and image inside
//! the posts. They exist only when `base_url` is set (without it there is no address to give).
//!
//! An entry is the same in every feed that carries it, so each post's Atom entry is written
//! once, however many tag and series feeds hold it. The output depends only on the posts, never
//! on the clock: an unchanged site builds byte-identical feeds.

use std::borrow::Cow;

use jiff::ZonedDateTime;
use jiff::fmt::temporal::DateTimePrinter;
use rayon::prelude::*;

use crate::model::{BaseUrl, PostId, Series, Site, Tag, UrlPath};

pub const ATOM: &str = "/atom.xml";
pub const RSS: &str = "/rss.xml";
const ATOM_FILE: &str = "atom.xml";

/// What a feed's `<updated>` says when it has no entries: fixed, so builds stay reproducible.
const NO_ENTRIES_UPDATED: &str = "1970-01-01T00:00:00+00:00";

/// The site's Atom feed, when this build writes one.
pub fn site_atom(site: &Site<'_>) -> Option<UrlPath> {
    atom_on(site).then(|| UrlPath::new(ATOM))
}

/// The site's RSS feed, when this build writes one.
pub fn site_rss(site: &Site<'_>) -> Option<UrlPath> {
    (site.base.is_set() && site.config.feeds.rss).then(|| UrlPath::new(RSS))
}

/// A tag's Atom feed, `/tags/<slug>/atom.xml`, when this build writes one.
pub fn tag_atom(site: &Site<'_>, tag: &Tag) -> Option<UrlPath> {
    atom_on(site).then(|| tag.url.join(ATOM_FILE))
}

/// A series' Atom feed, `/series/<slug>/atom.xml`, when this build writes one.
pub fn series_atom(site: &Site<'_>, series: &Series) -> Option<UrlPath> {
    atom_on(site).then(|| series.url.join(ATOM_FILE))
}

fn atom_on(site: &Site<'_>) -> bool {
    site.base.is_set() && site.config.feeds.atom
}

/// The site's feeds and the posts each one carries, worked out from the model.
#[derive(Default)]
pub struct FeedPlan {
    /// Each Atom feed: its URL, the page it stands for, its title, and its posts.
    atom: Vec<(UrlPath, UrlPath, String, Vec<PostId>)>,
    rss: Option<(UrlPath, Vec<PostId>)>,
}

/// Where a feed gets its posts from.
pub trait FeedPosts: Sync {
    /// The post's RSS `<item>`, as [`rss_item`] makes it.
    fn rss_item(&self, id: PostId) -> String;
    /// The post's Atom entry, as [`atom_entry`] makes it. It is the same in every Atom feed
    /// that carries the post, so a caller may make it once and share it.
    fn atom_entry(&self, id: PostId) -> std::sync::Arc<str>;
}

impl FeedPlan {
    /// The feeds of the site: none without a `base_url`.
    pub fn new(site: &Site<'_>) -> FeedPlan {
        if !site.base.is_set() {
            return FeedPlan::default();
        }
        // `limit = 0` means every post, for readers who want the whole archive.
        let limit = match site.config.feeds.limit {
            0 => usize::MAX,
            n => n,
        };
        let newest = |posts: &[PostId]| -> Vec<PostId> { posts.iter().copied().take(limit).collect() };
        let all: Vec<PostId> = (0..site.posts.len()).map(PostId).collect();

        let mut atom = Vec::new();
        if let Some(url) = site_atom(site) {
            atom.push((url, UrlPath::root(), site.config.title.clone(), newest(&all)));
        }
        for tag in &site.tags {
            if let Some(url) = tag_atom(site, tag) {
                let title = format!("{} · {}", site.config.title, tag.name);
                atom.push((url, tag.url.clone(), title, newest(&tag.posts)));
            }
        }
        for series in &site.series {
            if let Some(url) = series_atom(site, series) {
                // Newest first, as in every feed, whatever the part order; ids are newest first.
                let mut posts: Vec<PostId> = series
                    .parts
                    .iter()
                    .filter_map(|p| match p.entry {
                        crate::model::PartEntry::Post(id) => Some(id),
                        crate::model::PartEntry::Coming { .. } => None,
                    })
                    .collect();
                posts.sort();
                let title = format!("{} · {}", site.config.title, series.name);
                atom.push((url, series.url.clone(), title, newest(&posts)));
            }
        }
        let rss = site_rss(site).map(|url| (url, newest(&all)));
        FeedPlan { atom, rss }
    }

    /// Every feed: its address, and which one it is, to [`FeedPlan::render`] it.
    pub fn feeds(&self) -> impl Iterator<Item = (&UrlPath, Feed)> {
        let atom = self.atom.iter().enumerate().map(|(index, (url, ..))| (url, Feed::Atom(index)));
        atom.chain(self.rss.iter().map(|(url, _)| (url, Feed::Rss)))
    }

    /// The posts a feed carries, newest first.
    pub fn posts(&self, feed: Feed) -> &[PostId] {
        match feed {
            Feed::Atom(index) => &self.atom[index].3,
            Feed::Rss => self.rss.as_ref().map_or(&[], |(_, posts)| posts),
        }
    }

    /// One feed, its posts from `posts`.
    pub fn render(&self, site: &Site<'_>, feed: Feed, posts: &dyn FeedPosts) -> String {
        match feed {
            Feed::Atom(index) => {
                let (url, page, title, ids) = &self.atom[index];
                atom_feed(site, url, page, title, ids, posts)
            }
            Feed::Rss => match &self.rss {
                Some((url, ids)) => rss_feed(site, url, ids, posts),
                None => String::new(),
            },
        }
    }
}

/// One feed of a [`FeedPlan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Atom(usize),
    Rss,
}

/// A post's date as RFC 3339, with the offset it was written in.
fn rfc3339(date: &ZonedDateTime) -> String {
    let mut out = String::with_capacity(25);
    push_rfc3339(&mut out, date);
    out
}

/// When a post last changed: its `updated`, else its date.
pub fn last_changed<'a>(site: &'a Site<'_>, id: PostId) -> &'a ZonedDateTime {
    let post = site.post(id);
    post.source.front.updated.as_ref().unwrap_or(&post.date)
}

/// The newest change among `posts`.
fn newest_change<'a>(site: &'a Site<'_>, posts: &[PostId]) -> Option<&'a ZonedDateTime> {
    posts.iter().map(|&id| last_changed(site, id)).max_by_key(|d| d.timestamp())
}

/// The post's content for a feed, as a CDATA section onto `out`, every address absolute.
/// Written straight onto `out`, and mended there in the rare case that it holds what a CDATA
/// section cannot.
fn push_entry_html(out: &mut String, links: Option<&AbsoluteLinks<'_>>, html: &str) {
    out.push_str("<![CDATA[");
    let start = out.len();
    match links {
        Some(links) => links.push(out, html),
        None => out.push_str(html),
    }
    let written = &out[start..];
    if may_hold_forbidden(written) || memchr::memmem::find(written.as_bytes(), b"]]>").is_some() {
        let markup = out.split_off(start);
        push_cdata_text(out, &markup);
    }
    out.push_str("]]>");
}

/// Markup as the inside of a CDATA section. There it needs no escaping, which saves both the
/// work and a fifth of the bytes over a whole post: only a `]]>` in it has to be split across
/// two sections, and the characters XML forbids dropped.
fn push_cdata_text(out: &mut String, markup: &str) {
    let allowed = if may_hold_forbidden(markup) {
        Cow::Owned(markup.chars().filter(|&c| !forbidden_in_xml(c)).collect())
    } else {
        Cow::Borrowed(markup)
    };
    let mut copied = 0;
    for end in memchr::memmem::find_iter(allowed.as_bytes(), "]]>") {
        out.push_str(&allowed[copied..end + 2]);
        out.push_str("]]><![CDATA[");
        copied = end + 2;
    }
    out.push_str(&allowed[copied..]);
}

/// Whether `text` may hold a character XML 1.0 forbids: a byte below 0x20 other than tab,
/// newline and carriage return, or 0xEF, which starts U+FFFE and U+FFFF (and other characters).
/// Written to run over whole chunks at once, as this looks at every byte of every feed entry.
fn may_hold_forbidden(text: &str) -> bool {
    let suspect = |byte: u8| (byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r')) | (byte == 0xEF);
    text.as_bytes().chunks(64).any(|chunk| chunk.iter().fold(false, |found, &byte| found | suspect(byte)))
}

/// The characters XML 1.0 does not allow at all, escaped or not.
fn forbidden_in_xml(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// A post's `<entry>`, for every Atom feed that carries it.
pub fn atom_entry(site: &Site<'_>, id: PostId, html: &str, summary: &str) -> String {
    let post = site.post(id);
    let page = site.base.absolute(&post.url);
    let permalink = escape(&page);
    let links = AbsoluteLinks::new(&page, &site.base);
    let mut out = String::with_capacity((html.len() + summary.len()) * 5 / 4 + 512);
    out.push_str("  <entry>\n");
    // Piece by piece, with no formatting machinery: an entry is made for every post in a feed.
    out.push_str("    <title type=\"text\">");
    push_escaped(&mut out, post.title());
    for piece in ["</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"", &permalink, "\"/>\n    <id>"] {
        out.push_str(piece);
    }
    out.push_str(&permalink);
    out.push_str("</id>\n    <published>");
    push_rfc3339(&mut out, &post.date);
    out.push_str("</published>\n    <updated>");
    push_rfc3339(&mut out, last_changed(site, id));
    out.push_str("</updated>\n");
    if !post.tags.is_empty() {
        let scheme = escape(&site.base.absolute(&UrlPath::new("/tags/")));
        for &tag in &post.tags {
            let tag = site.tag(tag);
            out.push_str("    <category term=\"");
            push_escaped(&mut out, tag.slug.as_str());
            out.push_str("\" label=\"");
            push_escaped(&mut out, &tag.name);
            for piece in ["\" scheme=\"", &scheme, "\"/>\n"] {
                out.push_str(piece);
            }
        }
    }
    if !summary.is_empty() {
        out.push_str("    <summary type=\"html\">");
        push_entry_html(&mut out, links.as_ref(), summary);
        out.push_str("</summary>\n");
    }
    out.push_str("    <content type=\"html\">");
    push_entry_html(&mut out, links.as_ref(), html);
    out.push_str("</content>\n");
    out.push_str("  </entry>\n");
    out
}

fn atom_feed(
    site: &Site<'_>,
    url: &UrlPath,
    page: &UrlPath,
    title: &str,
    ids: &[PostId],
    posts: &dyn FeedPosts,
) -> String {
    let config = site.config;
    let self_url = escape(&site.base.absolute(url));
    let updated = newest_change(site, ids).map_or_else(|| NO_ENTRIES_UPDATED.to_owned(), rfc3339);
    let author = if config.author.is_empty() { &config.title } else { &config.author };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n", escape(&config.language)));
    out.push_str(&format!("  <title type=\"text\">{}</title>\n", escape(title)));
    if !config.description.is_empty() {
        out.push_str(&format!("  <subtitle type=\"text\">{}</subtitle>\n", escape(&config.description)));
    }
    out.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{self_url}\"/>\n"));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&site.base.absolute(page))
    ));
    out.push_str(&format!("  <id>{self_url}</id>\n"));
    out.push_str(&format!("  <updated>{updated}</updated>\n"));
    out.push_str(&format!("  <author><name>{}</name></author>\n", escape(author)));
    out.push_str(&format!("  <generator version=\"{}\">blog</generator>\n", env!("CARGO_PKG_VERSION")));
    let entries: Vec<std::sync::Arc<str>> = ids.par_iter().map(|&id| posts.atom_entry(id)).collect();
    push_all(&mut out, &entries);
    out.push_str("</feed>\n");
    out
}

fn rss_feed(site: &Site<'_>, url: &UrlPath, ids: &[PostId], posts: &dyn FeedPosts) -> String {
    let config = site.config;
    let description = if config.description.is_empty() { &config.title } else { &config.description };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    out.push_str(&format!("  <title>{}</title>\n", escape(&config.title)));
    out.push_str(&format!("  <link>{}</link>\n", escape(&site.base.absolute(&UrlPath::root()))));
    out.push_str(&format!("  <description>{}</description>\n", escape(description)));
    out.push_str(&format!("  <language>{}</language>\n", escape(&config.language)));
    out.push_str(&format!(
        "  <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        escape(&site.base.absolute(url))
    ));
    if let Some(date) = newest_change(site, ids) {
        out.push_str(&format!("  <lastBuildDate>{}</lastBuildDate>\n", rfc2822(date)));
    }
    out.push_str("  <generator>blog</generator>\n");
    let items: Vec<String> = ids.par_iter().map(|&id| posts.rss_item(id)).collect();
    push_all(&mut out, &items);
    out.push_str("</channel>\n</rss>\n");
    out
}

/// Appends a feed's entries, with room made first for them and the closing tags: grown a push
/// at a time, a feed of twenty whole posts would be copied over again at each doubling.
fn push_all(out: &mut String, entries: &[impl AsRef<str>]) {
    const CLOSING_TAGS: usize = 32;
    out.reserve(entries.iter().map(|entry| entry.as_ref().len()).sum::<usize>() + CLOSING_TAGS);
    entries.iter().for_each(|entry| out.push_str(entry.as_ref()));
}

fn rfc2822(date: &ZonedDateTime) -> String {
    jiff::fmt::rfc2822::to_string(date).unwrap_or_else(|_| rfc3339(date))
}

/// A post's `<item>` for the RSS feed.
pub fn rss_item(site: &Site<'_>, id: PostId, html: &str) -> String {
    let post = site.post(id);
    let page = site.base.absolute(&post.url);
    let permalink = escape(&page);
    let mut item = String::with_capacity(html.len() * 5 / 4 + 512);
    item.push_str("  <item>\n");
    item.push_str(&format!("    <title>{}</title>\n", escape(post.title())));
    item.push_str(&format!("    <link>{permalink}</link>\n"));
    item.push_str(&format!("    <guid isPermaLink=\"true\">{permalink}</guid>\n"));
    item.push_str(&format!("    <pubDate>{}</pubDate>\n", rfc2822(&post.date)));
    for &tag in &post.tags {
        item.push_str(&format!("    <category>{}</category>\n", escape(&site.tag(tag).name)));
    }
    item.push_str("    <description>");
    push_entry_html(&mut item, AbsoluteLinks::new(&page, &site.base).as_ref(), html);
    item.push_str("</description>\n");
    item.push_str("  </item>\n");
    item
}

/// Escapes text for XML content or a quoted attribute (in double or single quotes), dropping
/// the characters XML 1.0 forbids outright (a stray form feed pasted into a post would
/// otherwise make the whole feed unreadable).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

/// [`escape`], onto the end of `out`.
pub fn push_escaped(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    // Every character that needs work is ASCII, or U+FFFE and U+FFFF, whose UTF-8 starts with
    // 0xEF: a scan of plain bytes finds them all, and runs of ordinary text are copied whole.
    let suspect = |b: &u8| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0xEF) || *b < 0x20;
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = bytes[from..].iter().position(suspect) {
        let at = from + found;
        let (replacement, len) = match bytes[at] {
            b'&' => (Some("&amp;"), 1),
            b'<' => (Some("&lt;"), 1),
            b'>' => (Some("&gt;"), 1),
            b'"' => (Some("&quot;"), 1),
            b'\'' => (Some("&apos;"), 1),
            b'\t' | b'\n' | b'\r' => (None, 1),
            0xEF => {
                let c = text[at..].chars().next().unwrap_or_default();
                (forbidden_in_xml(c).then_some(""), c.len_utf8())
            }
            _ => (Some(""), 1), // a control character XML forbids
        };
        if let Some(replacement) = replacement {
            out.push_str(&text[copied..at]);
            out.push_str(replacement);
            copied = at + len;
        }
        from = at + len;
    }
    out.push_str(&text[copied..]);
}

/// A date as RFC 3339, with the offset it was written in (`2018-02-13T10:00:00-05:00`), as
/// `strftime("%Y-%m-%dT%H:%M:%S%:z")` writes it, through jiff's RFC 3339 printer: `strftime`
/// reads its format string on each call, and every post's dates go into several feeds and the
/// sitemap. The printer writes years before 0 and offsets with seconds in other forms, so those
/// (never seen in a blog) still go through `strftime`.
pub fn push_rfc3339(out: &mut String, date: &ZonedDateTime) {
    static PRINTER: DateTimePrinter = DateTimePrinter::new().precision(Some(0));
    if date.year() < 0 || date.offset().seconds() % 60 != 0 {
        out.push_str(&date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string());
        return;
    }
    PRINTER
        .print_timestamp_with_offset(&date.timestamp(), date.offset(), out)
        .expect("writing to a String cannot fail");
}

/// Makes the addresses in a post's HTML absolute, as a feed needs: `/x` becomes the site's
/// origin and base path plus `/x`, and `photo.png` or `#notes` are resolved against the post's
/// page. Addresses that already carry a scheme (`https:`, `mailto:`) are left as written.
///
/// A root-relative address that already starts with the site's base path (`/blog/x` on a site
/// at `https://host/blog/`) is taken as written for the site, not given the path twice.
pub struct AbsoluteLinks<'a> {
    page: url::Url,
    base: &'a BaseUrl,
    /// The site's address without its last `/`: `https://host/blog`.
    site_root: String,
}

impl<'a> AbsoluteLinks<'a> {
    /// For the page at `page` (an absolute URL); none if it is not one.
    pub fn new(page: &str, base: &'a BaseUrl) -> Option<AbsoluteLinks<'a>> {
        let page = url::Url::parse(page).ok()?;
        let mut site_root = base.absolute(&UrlPath::root());
        site_root.truncate(site_root.trim_end_matches('/').len());
        Some(AbsoluteLinks { page, base, site_root })
    }

    /// `html` with its addresses made absolute, onto the end of `out`.
    pub fn push(&self, out: &mut String, html: &str) {
        rewrite_link_attributes(out, html, |name, value| match name {
            _ if ["href", "src", "poster"].iter().any(|link| name.eq_ignore_ascii_case(link)) => {
                self.resolve(value).map(|v| escape(&v))
            }
            _ if name.eq_ignore_ascii_case("srcset") => {
                let candidates: Vec<String> = value
                    .split(',')
                    .map(|candidate| {
                        let candidate = candidate.trim();
                        let (address, descriptor) =
                            candidate.split_once(char::is_whitespace).unwrap_or((candidate, ""));
                        let address = self.resolve(address).map_or_else(|| address.to_owned(), |v| escape(&v));
                        if descriptor.is_empty() { address } else { format!("{address} {}", descriptor.trim()) }
                    })
                    .collect();
                Some(candidates.join(", "))
            }
            _ => None,
        });
    }

    /// An attribute's address made absolute; none when it is to be left as written.
    fn resolve(&self, value: &str) -> Option<String> {
        let value = unescape(value.trim());
        if value.is_empty() || has_scheme(&value) {
            return None;
        }
        if value.starts_with('/') && !value.starts_with("//") {
            let prefix = self.base.prefix();
            let already_prefixed = !prefix.is_empty()
                && value.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']));
            let root = if already_prefixed {
                self.site_root.strip_suffix(prefix).unwrap_or(&self.site_root)
            } else {
                &self.site_root
            };
            return Some([root, &value].concat());
        }
        // An in-page anchor (a heading's `#setup`, on every heading) is the page plus itself,
        // when it holds nothing the URL parser would have to encode.
        if let Some(id) = value.strip_prefix('#')
            && self.page.fragment().is_none()
            && super::markdown::is_plain_id(id)
        {
            return Some([self.page.as_str(), "#", id].concat());
        }
        self.page.join(&value).ok().map(String::from)
    }
}

/// `https:`, `mailto:`, `data:`: RFC 3986's scheme, a letter then letters, digits, `+-.`.
fn has_scheme(address: &str) -> bool {
    let Some((scheme, _)) = address.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The entities Markdown renderers put into attribute values.
fn unescape(value: &str) -> Cow<'_, str> {
    if !value.contains('&') {
        return Cow::Borrowed(value);
    }
    Cow::Owned(
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// Walks the tags of an HTML fragment and replaces the attribute values `rewrite` returns a new
/// (already escaped) value for, given the attribute's name as written (in any case); everything
/// else is copied byte for byte. Comments and the insides of `<script>` and `<style>` are
/// skipped, as a browser would.
fn rewrite_link_attributes(out: &mut String, html: &str, rewrite: impl Fn(&str, &str) -> Option<String>) {
    let bytes = html.as_bytes();
    out.reserve(html.len() + html.len() / 16);
    let mut copied = 0; // html[..copied] is already in `out`
    let mut i = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + found;
        if html[start..].starts_with("<!--") {
            i = html[start..].find("-->").map_or(html.len(), |end| start + end + 3);
            continue;
        }
        let name_start = start + 1;
        if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = name_start;
            continue;
        }
        let mut j = name_start;
        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' && bytes[j] != b'/' {
            j += 1;
        }
        let tag = &html[name_start..j];
        // Attributes, until the tag's `>`.
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                j += 1;
                break;
            }
            let attr_start = j;
            while j < bytes.len() && !bytes[j].is_ascii_whitespace() && !matches!(bytes[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            let attr = &html[attr_start..j];
            let mut k = j;
            while k < bytes.len() && bytes[k].is_ascii_whitespace() {
                k += 1;
            }
            if bytes.get(k) != Some(&b'=') {
                continue; // an attribute without a value
            }
            k += 1;
            while k < bytes.len() && bytes[k].is_ascii_whitespace() {
                k += 1;
            }
            let (value_start, value_end, next) = match bytes.get(k) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = memchr::memchr(quote, &bytes[k + 1..]).map_or(html.len(), |e| k + 1 + e);
                    (k + 1, end, (end + 1).min(html.len()))
                }
                _ => {
                    let mut end = k;
                    while end < bytes.len() && !bytes[end].is_ascii_whitespace() && bytes[end] != b'>' {
                        end += 1;
                    }
                    (k, end, end)
                }
            };
            if let Some(new_value) = rewrite(attr, &html[value_start..value_end]) {
                out.push_str(&html[copied..value_start]);
                out.push_str(&new_value);
                copied = value_end;
            }
            j = next;
        }
        i = j.min(html.len());
        if tag.eq_ignore_ascii_case("script") || tag.eq_ignore_ascii_case("style") {
            let close = format!("</{}", tag.to_ascii_lowercase());
            i = html[i..].to_ascii_lowercase().find(&close).map_or(html.len(), |e| i + e);
        }
    }
    out.push_str(&html[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn absolute(html: &str) -> String {
        let base = BaseUrl::parse("https://example.com/blog/").unwrap();
        let mut out = String::new();
        AbsoluteLinks::new("https://example.com/blog/posts/x/", &base).unwrap().push(&mut out, html);
        out
    }

    #[test]
    fn root_relative_links_get_origin_and_base_path() {
        assert_eq!(
            absolute(r#"<a href="/posts/y/">y</a><img src="/img/a.png" alt="">"#),
            r#"<a href="https://example.com/blog/posts/y/">y</a><img src="https://example.com/blog/img/a.png" alt="">"#
        );
        // Already carrying the base path: not doubled.
        assert_eq!(absolute(r#"<a href="/blog/posts/y/">"#), r#"<a href="https://example.com/blog/posts/y/">"#);
        assert_eq!(absolute(r#"<a href="/blogroll/">"#), r#"<a href="https://example.com/blog/blogroll/">"#);
    }

    #[test]
    fn relative_links_resolve_against_the_post() {
        assert_eq!(absolute(r#"<img src="photo.png">"#), r#"<img src="https://example.com/blog/posts/x/photo.png">"#);
        assert_eq!(absolute(r#"<a href="../y/">"#), r#"<a href="https://example.com/blog/posts/y/">"#);
        assert_eq!(absolute("<a href='#notes'>"), "<a href='https://example.com/blog/posts/x/#notes'>");
        // Anchors the quick path takes and those it leaves to the URL parser come out alike.
        for anchor in ["#set-up_2", "#with space", "#caf\u{e9}", "#a\"b", "#", "#x#y"] {
            let joined = url::Url::parse("https://example.com/blog/posts/x/").unwrap().join(anchor).unwrap();
            let html = format!("<a href='{}'>", escape(anchor));
            assert_eq!(absolute(&html), format!("<a href='{}'>", escape(joined.as_str())), "{anchor}");
        }
        assert_eq!(absolute("<a href=a.html>"), "<a href=https://example.com/blog/posts/x/a.html>");
        assert_eq!(
            absolute(r#"<a href="q?a=1&amp;b=2">"#),
            r#"<a href="https://example.com/blog/posts/x/q?a=1&amp;b=2">"#
        );
        assert_eq!(
            absolute(r#"<img srcset="a.png 1x, /b.png 2x">"#),
            r#"<img srcset="https://example.com/blog/posts/x/a.png 1x, https://example.com/blog/b.png 2x">"#
        );
    }

    #[test]
    fn tag_and_attribute_names_match_in_any_case() {
        assert_eq!(absolute(r#"<IMG Src="photo.png">"#), r#"<IMG Src="https://example.com/blog/posts/x/photo.png">"#);
        let script = "<SCRIPT>var s = '<a href=\"/x\">';</Script><A HREF=\"/z\">";
        assert_eq!(
            absolute(script),
            "<SCRIPT>var s = '<a href=\"/x\">';</Script><A HREF=\"https://example.com/blog/z\">"
        );
    }

    #[test]
    fn absolute_links_code_and_comments_stay() {
        let html = r#"<a href="https://other.org/x">o</a> <a href="mailto:me@x.org">m</a> <a href="//cdn.org/x">c</a>"#;
        assert_eq!(absolute(html), html.replace("//cdn.org/x", "https://cdn.org/x"));
        let code = "<pre><code>&lt;a href=\"/x\"&gt;</code></pre><!-- <a href=\"/y\"> --><p title=\"a > b\">";
        assert_eq!(absolute(code), code);
        let script = "<script>var s = '<a href=\"/x\">';</script><a href=\"/z\">";
        assert_eq!(
            absolute(script),
            "<script>var s = '<a href=\"/x\">';</script><a href=\"https://example.com/blog/z\">"
        );
    }

    #[test]
    fn escaping_handles_markup_and_forbidden_characters() {
        assert_eq!(escape("One & <Two> \"3\" '4'"), "One &amp; &lt;Two&gt; &quot;3&quot; &apos;4&apos;");
        assert_eq!(escape("form\u{c}feed\ttab"), "formfeed\ttab");
        assert_eq!(escape("é\u{FFFE}x\u{FFFF}ü\u{FFFD}&"), "éxü\u{FFFD}&amp;", "only U+FFFE and U+FFFF go");
    }

    /// What an XML reader finds in `markup` once it is a CDATA section.
    fn read_back(markup: &str) -> String {
        let mut cdata = String::new();
        push_entry_html(&mut cdata, None, markup);
        let xml = format!("<content>{cdata}</content>");
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"));
        doc.root_element().children().filter_map(|n| n.text()).collect()
    }

    #[test]
    fn markup_goes_into_cdata_whole_and_reads_back_as_it_was() {
        let markup = "<p class=\"a\">Tom &amp; Jerry's <code>x &lt; y</code></p>";
        let mut out = String::new();
        push_entry_html(&mut out, None, markup);
        assert_eq!(out, format!("<![CDATA[{markup}]]>"), "nothing escaped");
        assert_eq!(read_back(markup), markup);
        assert_eq!(read_back("<div>a]]>b]]>]]></div>"), "<div>a]]>b]]>]]></div>", "the end marker is split");
        assert_eq!(
            read_back("form\u{c}feed\ttab é\u{FFFE}x\u{FFFF}\u{FFFD}\u{FF01}"),
            "formfeed\ttab éx\u{FFFD}\u{FF01}"
        );
    }

    #[test]
    fn links_are_made_absolute_in_the_same_section_that_splits_its_end_marker() {
        let base = BaseUrl::parse("https://example.com/blog/").unwrap();
        let links = AbsoluteLinks::new("https://example.com/blog/posts/x/", &base).unwrap();
        let mut out = String::new();
        push_entry_html(&mut out, Some(&links), "<a href=\"/y/\">a]]>b</a>\u{c}");
        assert_eq!(out, "<![CDATA[<a href=\"https://example.com/blog/y/\">a]]]]><![CDATA[>b</a>]]>");
    }

    proptest::proptest! {
        #[test]
        fn escaping_matches_the_plain_rule_on_any_text(text in "(\\PC|[\u{0}-\u{1f}]|[&<>\"']|\u{FFFE}|\u{FFFF}|\u{FFFD}|\u{F000}){0,40}") {
            let plain: String = text.chars().filter(|&c| !forbidden_in_xml(c)).map(|c| match c {
                '&' => "&amp;".to_owned(),
                '<' => "&lt;".to_owned(),
                '>' => "&gt;".to_owned(),
                '"' => "&quot;".to_owned(),
                '\'' => "&apos;".to_owned(),
                c => c.to_string(),
            }).collect();
            proptest::prop_assert_eq!(escape(&text), plain);
        }

        #[test]
        fn dates_read_as_strftime_writes_them(seconds in -377_000_000_000i64..253_000_000_000, nanos in 0i32..1_000_000_000, offset in -93_599i32..93_599) {
            let offset = if offset % 7 == 0 { offset / 60 * 60 } else { offset };
            let zone = jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_seconds(offset).unwrap());
            let date = jiff::Timestamp::new(seconds, nanos).unwrap().to_zoned_datetime(zone);
            proptest::prop_assert_eq!(rfc3339(&date), date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string());
        }

        #[test]
        fn any_text_survives_cdata_but_the_characters_xml_forbids(text in "(\\PC|[\u{0}-\u{1f}]|]|>|\u{FFFE}|\u{FFFF}){0,40}") {
            let allowed: String = text.chars().filter(|&c| !forbidden_in_xml(c)).collect();
            proptest::prop_assert_eq!(read_back(&text).replace("\r\n", "\n").replace('\r', "\n"), allowed.replace("\r\n", "\n").replace('\r', "\n"));
        }
    }

    #[test]
    fn odd_markup_does_not_panic() {
        for html in
            ["<", "<a", "<a href", "<a href=", "<a href=\"/x", "<!--", "<script>", "<a b=c d='e", "é<ü href=/x>"]
        {
            let _ = absolute(html);
        }
    }
}
