//! Markdown to HTML, once per document: heading ids with anchor links, a table of contents,
//! the summary, and the word count, all from one pass of pulldown-cmark.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::config::MarkdownConfig;

/// What one document's Markdown renders to.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rendered {
    pub html: String,
    /// The text before `<!-- more -->`, else the first paragraph; HTML.
    pub summary: String,
    pub toc: Vec<Heading>,
    pub word_count: usize,
    /// Minutes, at 200 words a minute, at least 1.
    pub reading_time: usize,
    /// The HTML for feeds, when it differs from `html`: embeds there are plain links.
    #[serde(skip)]
    pub feed_html: Option<String>,
    /// Whether the page holds an embed placeholder, which needs the theme's `embed.js`.
    pub has_embeds: bool,
    /// Problems the writer should hear about that do not fail the build.
    #[serde(skip)]
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
}

impl Rendered {
    /// The document as feeds show it: the same HTML, with every embed a plain link.
    pub fn feed_html(&self) -> &str {
        self.feed_html.as_deref().unwrap_or(&self.html)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// An `@/path.md` link (or image) whose target is not in this build: what it named, and where
/// the link starts in the Markdown (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub target: String,
    pub offset: usize,
}

/// How a document's links are rewritten as it renders.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    /// `@/posts/x.md` to its target's href; `None` when there is no such document.
    pub internal: &'a dyn Fn(&str) -> Option<String>,
    /// The site's path prefix (`/blog`, or empty) and the document's own URL as an href
    /// (`/blog/posts/x/`). Root-relative links (`/img/a.png`) get the prefix, so a site under a
    /// path keeps working; relative ones (`photo.png`) are resolved against the document, so they
    /// also work in its summary on list pages.
    pub base: Option<(&'a str, &'a str)>,
}

impl Links<'_> {
    /// No rewriting at all, for text that is not part of a site.
    pub const NONE: Links<'static> = Links { internal: &|_| None, base: None };
}

const WORDS_PER_MINUTE: usize = 200;

pub fn parser_options(config: &MarkdownConfig) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if config.footnotes {
        options |= Options::ENABLE_FOOTNOTES;
    }
    if config.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// Renders a document. `code_block` turns a fenced block (its language and text) into HTML,
/// which is where highlighting plugs in; `links` resolves `@/posts/x.md` links, and a document
/// with any it cannot resolve fails with all of them.
pub fn render(
    markdown: &str,
    config: &MarkdownConfig,
    code_block: &dyn Fn(&str, &str) -> String,
    links: &Links<'_>,
) -> Result<Rendered, Vec<BrokenLink>> {
    let written = Cell::new(0);
    let mut document = Document {
        parser: Parser::new_ext(markdown, parser_options(config)).into_offset_iter(),
        code_block,
        links,
        written: &written,
        toc: Vec::new(),
        ids: IdSet::default(),
        words: String::with_capacity(markdown.len()),
        other_words: 0,
        depth: 0,
        first_paragraph: FirstParagraph::NotYet,
        more: None,
        html_block: None,
        heading_events: Vec::new(),
        broken: Vec::new(),
    };
    // The events stream from the parser through `Document` into the HTML writer, never
    // gathered: a post's events would take several times its Markdown's size in memory.
    let mut out = Tracked { html: String::with_capacity(markdown.len() * 3 / 2), written: &written };
    html::write_html_fmt(&mut out, &mut document).expect("writing to a String cannot fail");
    if !document.broken.is_empty() {
        return Err(document.broken);
    }
    let html = out.html;
    let summary = match (document.more, document.first_paragraph) {
        (Some(more), _) => &html[..more.at],
        (None, FirstParagraph::Written(range)) => &html[range],
        (None, FirstParagraph::Closing(start)) => &html[start..],
        (None, FirstParagraph::NotYet | FirstParagraph::Open(_)) => "",
    };
    let summary = match document.more {
        Some(More { within: true, .. }) => closed(summary.trim()),
        _ => summary.trim().to_owned(),
    };
    let word_count = count_ascii_words(document.words.as_bytes()) + document.other_words;
    Ok(Rendered {
        html,
        summary,
        toc: document.toc,
        word_count,
        reading_time: word_count.div_ceil(WORDS_PER_MINUTE).max(1),
        feed_html: None,
        has_embeds: false,
        warnings: Vec::new(),
    })
}

/// The HTML as the writer writes it, and how long it is so far: what lets [`Document`] note
/// where the summary ends without marking it in the text (a mark would have to be cut out of
/// every page again, a copy of the whole page).
struct Tracked<'w> {
    html: String,
    written: &'w Cell<usize>,
}

impl fmt::Write for Tracked<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.html.push_str(text);
        self.written.set(self.html.len());
        Ok(())
    }
}

/// Where the first top-level paragraph is in the HTML: the summary, unless there is a
/// `<!-- more -->`. Its end is known once the writer has written its `</p>`, that is when the
/// next event is asked for.
/// Where `<!-- more -->` is in the HTML, and whether it stands inside an element still open
/// there (a paragraph, a list item), so that the summary cut at it must close what it cut through.
#[derive(Clone, Copy)]
struct More {
    at: usize,
    within: bool,
}

enum FirstParagraph {
    NotYet,
    Open(usize),
    Closing(usize),
    Written(Range<usize>),
}

/// The parser's events as the page needs them, gathering what else a document yields as they
/// pass: headings get ids and anchors (and go into the table of contents), fenced code goes
/// through the code block hook, words are counted, internal links are resolved (including
/// those inside headings), and the summary's end is noted.
struct Document<'a, 'h> {
    parser: pulldown_cmark::OffsetIter<'a>,
    code_block: &'h dyn Fn(&str, &str) -> String,
    links: &'h Links<'h>,
    /// How much HTML the writer has written: everything before the event asked for next.
    written: &'h Cell<usize>,
    toc: Vec<Heading>,
    ids: IdSet,
    /// The ASCII text whose words are counted, each piece followed by a space so that no two
    /// pieces join into one word: counted once at the end, as counting a few words at a time
    /// cost more than the counting itself.
    words: String,
    /// The words of the pieces that are not ASCII, counted as they come.
    other_words: usize,
    /// Open block containers (lists, quotes, tables, footnotes).
    depth: usize,
    first_paragraph: FirstParagraph,
    /// The first `<!-- more -->`.
    more: Option<More>,
    /// The HTML block being written, while no marker has been found: where it starts, its text.
    html_block: Option<(usize, String)>,
    /// The events of the heading being read, kept between headings for their room.
    heading_events: Vec<Event<'a>>,
    broken: Vec<BrokenLink>,
}

impl<'a> Document<'a, '_> {
    /// ASCII text waits in `words`, to be counted at once; other text (a curly apostrophe is
    /// enough) is counted now, so that one such piece does not send the whole document
    /// through the slower general rule.
    fn count_words_of(&mut self, text: &str) {
        if text.is_ascii() {
            self.words.push_str(text);
            self.words.push(' ');
        } else {
            self.other_words += count_words(text);
        }
    }

    fn next_resolved(&mut self) -> Option<Event<'a>> {
        let (mut event, range) = self.parser.next()?;
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &mut event {
            resolve_internal_link(dest_url, range.start, self.links, &mut self.broken);
        }
        Some(event)
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: &[CowStr<'a>],
        attrs: &Attributes<'a>,
    ) -> Event<'a> {
        // One buffer for the events of every heading of the document, not one each.
        let mut inner = std::mem::take(&mut self.heading_events);
        let mut text = String::new();
        while let Some(event) = self.next_resolved() {
            match &event {
                Event::End(TagEnd::Heading(_)) => break,
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                _ => {}
            }
            inner.push(event);
        }
        self.count_words_of(&text);
        let id = self.ids.claim(id.as_deref().map(str::to_owned).unwrap_or_else(|| slug::slugify(&text)));
        // Every page has several headings: written piece by piece, with no formatting machinery.
        let tag = heading_tag(level);
        // A slug has nothing to escape; only an id the writer gave (`{#...}`) may.
        let escaped_id = if is_plain_id(&id) { Cow::Borrowed(id.as_str()) } else { Cow::Owned(escape(&id)) };
        let mut open = String::with_capacity(128 + 2 * escaped_id.len() + 2 * text.len());
        for piece in ["<", tag, " id=\"", &escaped_id, "\""] {
            open.push_str(piece);
        }
        if !classes.is_empty() {
            open.push_str(" class=\"");
            push_escaped(&mut open, &classes.join(" "));
            open.push('"');
        }
        for (name, value) in attrs {
            open.push(' ');
            push_escaped(&mut open, name);
            open.push_str("=\"");
            push_escaped(&mut open, value.as_deref().unwrap_or(""));
            open.push('"');
        }
        open.push('>');
        if inner.iter().all(|event| matches!(event, Event::Text(_))) {
            // Plain words, as most headings are: escaped as the writer would, without one.
            pulldown_cmark_escape::escape_html_body_text(&mut open, &text).expect("writing to a String cannot fail");
        } else {
            html::push_html(&mut open, inner.drain(..));
        }
        inner.clear();
        self.heading_events = inner;
        for piece in
            ["<a class=\"anchor\" href=\"#", &escaped_id, "\" aria-label=\"Link to this section\">#</a></", tag, ">\n"]
        {
            open.push_str(piece);
        }
        self.toc.push(Heading { level: heading_number(level), id, title: text });
        Event::Html(CowStr::from(open))
    }

    fn code(&mut self, kind: &CodeBlockKind<'_>) -> Event<'a> {
        let language = match kind {
            CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or(""),
            CodeBlockKind::Indented => "",
        };
        let mut code = String::new();
        while let Some(event) = self.next_resolved() {
            match event {
                Event::End(TagEnd::CodeBlock) => break,
                Event::Text(t) => code.push_str(&t),
                _ => {}
            }
        }
        Event::Html(CowStr::from((self.code_block)(language, &code)))
    }
}

type Attributes<'a> = Vec<(CowStr<'a>, Option<CowStr<'a>>)>;

impl<'a> Iterator for Document<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let FirstParagraph::Closing(start) = self.first_paragraph {
            self.first_paragraph = FirstParagraph::Written(start..self.written.get());
        }
        let event = self.next_resolved()?;
        Some(match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => self.heading(level, id, &classes, &attrs),
            Event::Start(Tag::CodeBlock(kind)) => self.code(&kind),
            Event::Start(Tag::Paragraph) if self.depth == 0 => {
                if let FirstParagraph::NotYet = self.first_paragraph {
                    self.first_paragraph = FirstParagraph::Open(self.written.get());
                }
                event
            }
            Event::End(TagEnd::Paragraph) if self.depth == 0 => {
                if let FirstParagraph::Open(start) = self.first_paragraph {
                    self.first_paragraph = FirstParagraph::Closing(start);
                }
                event
            }
            // Raw HTML is written as it is, so a marker's place in it is its place in the page.
            // A block comes a line at a time, and a comment may take several.
            Event::Start(Tag::HtmlBlock) if self.more.is_none() => {
                self.html_block = Some((self.written.get(), String::new()));
                event
            }
            Event::Html(ref html) => {
                if let Some((_, text)) = &mut self.html_block {
                    text.push_str(html);
                }
                event
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((start, text)) = self.html_block.take() {
                    self.more = more_marker(&text).map(|at| More { at: start + at, within: self.depth > 0 });
                }
                event
            }
            Event::InlineHtml(ref html) if self.more.is_none() => {
                self.more = more_marker(html).map(|at| More { at: self.written.get() + at, within: true });
                event
            }
            Event::Start(
                Tag::List(_) | Tag::BlockQuote(_) | Tag::Table(_) | Tag::FootnoteDefinition(_) | Tag::Item,
            ) => {
                self.depth += 1;
                event
            }
            Event::End(
                TagEnd::List(_) | TagEnd::BlockQuote(_) | TagEnd::Table | TagEnd::FootnoteDefinition | TagEnd::Item,
            ) => {
                self.depth = self.depth.saturating_sub(1);
                event
            }
            Event::Text(ref text) => {
                self.count_words_of(text);
                event
            }
            other => other,
        })
    }
}

/// Rewrites a link's or image's `@/path.md#anchor` into the target's href, keeping the anchor.
/// Only links and images come here: every other event passes through untouched, not moved.
fn resolve_internal_link<'a>(
    dest_url: &mut CowStr<'a>,
    offset: usize,
    links: &Links<'_>,
    broken: &mut Vec<BrokenLink>,
) {
    let dest = std::mem::replace(dest_url, CowStr::Borrowed(""));
    let Some(target) = dest.strip_prefix("@/") else {
        *dest_url = rebase(dest, links.base);
        return;
    };
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    // `<@/posts/my post.md>` and `@/posts/my%20post.md` name the same file.
    let found = (links.internal)(path)
        .or_else(|| (links.internal)(&percent_encoding::percent_decode_str(path).decode_utf8_lossy()));
    *dest_url = match found {
        Some(href) => CowStr::from(match anchor {
            Some(anchor) => format!("{href}#{anchor}"),
            None => href,
        }),
        None => {
            broken.push(BrokenLink { target: dest.to_string(), offset });
            dest
        }
    };
}

/// Gives root-relative links the site's path prefix and resolves relative ones against the
/// document; leaves external links, in-page anchors and links already under the prefix alone.
fn rebase<'a>(dest: CowStr<'a>, base: Option<(&str, &str)>) -> CowStr<'a> {
    let Some((prefix, page)) = base else { return dest };
    let external = dest.starts_with("//")
        || dest.split_once(':').is_some_and(|(scheme, _)| !scheme.is_empty() && !scheme.contains(['/', '?', '#']));
    if external || dest.is_empty() || dest.starts_with('#') {
        return dest;
    }
    if dest.starts_with('/') {
        let already = !prefix.is_empty() && (dest.starts_with(&format!("{prefix}/")) || *dest == *prefix);
        return if already || prefix.is_empty() { dest } else { CowStr::from(format!("{prefix}{dest}")) };
    }
    let Ok(page) = url::Url::parse("http://site.invalid").and_then(|root| root.join(page)) else { return dest };
    match page.join(&dest) {
        Ok(joined) => {
            let mut href = joined.path().to_owned();
            if let Some(query) = joined.query() {
                href.push('?');
                href.push_str(query);
            }
            if let Some(fragment) = joined.fragment() {
                href.push('#');
                href.push_str(fragment);
            }
            CowStr::from(href)
        }
        Err(_) => dest,
    }
}

/// HTML cut off in the middle of elements, with those elements closed: a summary cut inside a
/// paragraph (`First <em>words <!-- more --> and</em> more`) would otherwise leave its `<p>`
/// and `<em>` open on every list page and feed that shows it. Rare, so it goes through a real
/// HTML parser rather than a tag scanner of our own.
fn closed(html: &str) -> String {
    scraper::Html::parse_fragment(html).root_element().inner_html()
}

/// Where `<!-- more -->` (or `<!--more-->`) is in a piece of raw HTML.
fn more_marker(html: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = html[from..].find("<!--") {
        let start = from + found;
        let rest = &html[start + 4..];
        let end = rest.find("-->")?;
        if rest[..end].trim() == "more" {
            return Some(start);
        }
        from = start + 4;
    }
    None
}

/// Words: runs of non-space holding a letter or a digit (a lone `-` or `→` is no word).
fn count_words(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

/// [`count_words`] for ASCII text, which is most of every post. It classifies 64 bytes at a
/// time into bit masks and counts where words start: a word starting with a letter or a digit is
/// counted from the masks alone; the few that start otherwise (`(so`, `-`) are looked at one by
/// one.
fn count_ascii_words(bytes: &[u8]) -> usize {
    let counted_from = |start: usize| {
        let word = bytes[start..].iter().take_while(|&&b| !is_space(b));
        usize::from(word.copied().any(is_alphanumeric))
    };
    let mut count = 0;
    let mut space_before = true;
    let mut count_block = |block: &[u8; BLOCK], at: usize| {
        let classes = Classes::of(block);
        let starts = !classes.space & ((classes.space << 1) | u64::from(space_before));
        count += (starts & classes.alphanumeric).count_ones() as usize;
        let mut others = starts & !classes.alphanumeric;
        while others != 0 {
            count += counted_from(at + others.trailing_zeros() as usize);
            others &= others - 1;
        }
        space_before = classes.space >> (BLOCK - 1) == 1;
    };
    let mut blocks = bytes.chunks_exact(BLOCK);
    for (index, block) in blocks.by_ref().enumerate() {
        count_block(block.try_into().expect("a whole block"), index * BLOCK);
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // Padded with spaces, which start no word.
        let mut last = [b' '; BLOCK];
        last[..rest.len()].copy_from_slice(rest);
        count_block(&last, bytes.len() - rest.len());
    }
    count
}

/// What [`count_ascii_words`] classifies at a time.
const BLOCK: usize = 64;

fn is_space(b: u8) -> bool {
    (b == b' ') | (b.wrapping_sub(b'\t') <= b'\r' - b'\t')
}

fn is_alphanumeric(b: u8) -> bool {
    let lower = b | 0x20;
    (lower.wrapping_sub(b'a') <= b'z' - b'a') | (b.wrapping_sub(b'0') <= b'9' - b'0')
}

/// A block of bytes as bit masks, bit `i` for byte `i`: ASCII whitespace, and ASCII letters and
/// digits.
#[derive(Debug, PartialEq, Eq)]
struct Classes {
    space: u64,
    alphanumeric: u64,
}

impl Classes {
    #[cfg(target_arch = "x86_64")]
    fn of(block: &[u8; BLOCK]) -> Classes {
        // SAFETY: SSE2 is part of every x86_64 target.
        unsafe { Classes::of_sse2(block) }
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn of(block: &[u8; BLOCK]) -> Classes {
        Classes::one_by_one(block)
    }

    /// Sixteen bytes at a time: comparisons give a byte of ones per match, and a movemask
    /// gathers their top bits.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "sse2")]
    fn of_sse2(block: &[u8; BLOCK]) -> Classes {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
            _mm_sub_epi8,
        };
        let splat = |b: u8| _mm_set1_epi8(b as i8);
        // Bytes `from..=from + span`, compared unsigned: `x - from` is at most `span`.
        let within = |x: __m128i, from: u8, span: u8| {
            let offset = _mm_sub_epi8(x, splat(from));
            _mm_cmpeq_epi8(_mm_min_epu8(offset, splat(span)), offset)
        };
        let mut classes = Classes { space: 0, alphanumeric: 0 };
        for (index, lane) in block.chunks_exact(16).enumerate() {
            // SAFETY: `lane` is 16 bytes, which an unaligned load reads.
            let x = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
            let space = _mm_or_si128(_mm_cmpeq_epi8(x, splat(b' ')), within(x, b'\t', b'\r' - b'\t'));
            let letter = within(_mm_or_si128(x, splat(0x20)), b'a', b'z' - b'a');
            let alphanumeric = _mm_or_si128(letter, within(x, b'0', b'9' - b'0'));
            let bits = |mask: __m128i| u64::from(_mm_movemask_epi8(mask) as u16) << (16 * index);
            classes.space |= bits(space);
            classes.alphanumeric |= bits(alphanumeric);
        }
        classes
    }

    #[cfg(any(test, not(target_arch = "x86_64")))]
    fn one_by_one(block: &[u8; BLOCK]) -> Classes {
        let mut classes = Classes { space: 0, alphanumeric: 0 };
        for (i, &b) in block.iter().enumerate() {
            classes.space |= u64::from(is_space(b)) << i;
            classes.alphanumeric |= u64::from(is_alphanumeric(b)) << i;
        }
        classes
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// The element of a heading level: `h2`.
fn heading_tag(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

/// Heading ids unique within a page: a second "Setup" becomes `setup-1`. A tree rather than a
/// hash set: a page has a handful of headings, and a few string comparisons cost less than
/// hashing each id with SipHash (a third of a percent of a whole build).
#[derive(Default)]
struct IdSet {
    used: std::collections::BTreeSet<String>,
}

impl IdSet {
    fn claim(&mut self, wanted: String) -> String {
        let base = if wanted.is_empty() { "section".to_owned() } else { wanted };
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut n = 1;
        loop {
            let id = format!("{base}-{n}");
            if self.used.insert(id.clone()) {
                return id;
            }
            n += 1;
        }
    }
}

/// Whether an id is made of letters, digits, `-` and `_` only, as every slug is: such an id
/// needs no escaping in HTML and no encoding in a URL's fragment.
pub(crate) fn is_plain_id(id: &str) -> bool {
    id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// HTML-escapes text for an attribute or element body.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// [`escape`], onto the end of `out`.
fn push_escaped(out: &mut String, text: &str) {
    pulldown_cmark_escape::escape_html(out, text).expect("writing to a String cannot fail");
}

/// `str::contains`, a few times faster over a whole post: the checks that decide whether a
/// post needs a second look run on every post, and nearly always find nothing.
pub(crate) fn holds(text: &str, needle: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some()
}

/// Byte offsets of the images written without alt text (`![](photo.png)`): a reader who
/// cannot see one gets nothing in its place, so the build warns. Only documents that have an
/// image pay for this second, cheap parse.
pub fn images_without_alt(markdown: &str, options: Options) -> Vec<usize> {
    if !holds(markdown, "![") {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut image: Option<(usize, bool)> = None; // where it starts, whether it has alt text yet
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { .. }) => image = Some((range.start, false)),
            Event::Text(text) | Event::Code(text) if !text.trim().is_empty() => {
                if let Some((_, has_alt)) = &mut image {
                    *has_alt = true;
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((start, false)) = image.take() {
                    found.push(start);
                }
            }
            _ => {}
        }
    }
    found
}

/// A code block without highlighting: escaped, with its language as a class.
///
/// Code blocks are focusable (`tabindex="0"`, as the highlighted ones are) because a long line
/// scrolls inside its block, and a reader without a mouse must be able to scroll it too.
pub fn plain_code_block(language: &str, code: &str) -> String {
    let mut block = String::with_capacity(code.len() * 9 / 8 + language.len() + 64);
    block.push_str("<pre tabindex=\"0\"><code");
    if !language.is_empty() {
        block.push_str(" class=\"language-");
        push_escaped(&mut block, language);
        block.push('"');
    }
    block.push('>');
    push_escaped(&mut block, code);
    block.push_str("</code></pre>\n");
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Rendered {
        render(text, &MarkdownConfig::default(), &plain_code_block, &Links::NONE).unwrap()
    }

    #[test]
    fn headings_get_unique_ids_anchors_and_a_toc() {
        let r = md("## Setup\n\ntext\n\n## Setup\n\n### Deep `code`\n");
        assert!(r.html.contains("<h2 id=\"setup\">Setup<a class=\"anchor\" href=\"#setup\""), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"setup-1\">"), "{}", r.html);
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[2], Heading { level: 3, id: "deep-code".into(), title: "Deep code".into() });
    }

    #[test]
    fn words_are_counted_alike_in_ascii_and_beyond() {
        let ascii = |text: &str| count_ascii_words(text.as_bytes());
        for text in ["", " one  two\tthree\n", "a - b -- c", "x\u{b}y", "1 2 3 -"] {
            assert_eq!(ascii(text), count_words(text), "{text:?}");
        }
        assert_eq!(ascii("a - b -- c"), 3);
        assert_eq!(count_words("naïve café — ok"), 3);
        // A piece beyond ASCII is counted apart from the rest, and both add up.
        assert_eq!(md("It’s a naïve café — ok.\n\nPlain words here.\n").word_count, 8);
        // Long texts, whose words cross the chunks counted at a time, in every mix of spaces,
        // letters, digits and punctuation (a fixed pseudo-random sequence).
        let alphabet = [' ', '\t', '\n', '\u{b}', '\u{c}', '\r', 'a', 'Z', '7', '-', '(', '_', '\'', '.'];
        let mut state = 0x2545_f491_u32;
        for length in (0..700).step_by(7) {
            let text: String = (0..length)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    alphabet[state as usize % alphabet.len()]
                })
                .collect();
            assert_eq!(ascii(&text), count_words(&text), "{text:?}");
        }
        let long = |word: &str, n: usize| word.repeat(n);
        assert_eq!(ascii(&format!("{} {}a {}", long("-", 300), long("(", 200), long("x", 300))), 2);
        assert_eq!(ascii(&format!("{}a{}", long("-", 500), long(" ", 127))), 1);
    }

    #[test]
    fn blocks_are_classified_alike_sixteen_bytes_at_a_time_and_one_by_one() {
        // Every byte value, in every position of a block.
        for first in (0..=255u8).step_by(BLOCK) {
            let block: [u8; BLOCK] = std::array::from_fn(|i| first.wrapping_add(i as u8));
            assert_eq!(Classes::of(&block), Classes::one_by_one(&block), "bytes from {first}");
            let reversed: [u8; BLOCK] = std::array::from_fn(|i| block[BLOCK - 1 - i]);
            assert_eq!(Classes::of(&reversed), Classes::one_by_one(&reversed), "bytes down to {first}");
        }
        let words = *b"one  two\tthree\n(so) - x\x0b\x0cy\rz_9 \xc3\xa9t\xc3\xa9 end of a 64-byte block, yes";
        assert_eq!(Classes::of(&words), Classes::one_by_one(&words));
    }

    #[test]
    fn a_plain_heading_is_escaped_as_the_markdown_writer_escapes_text() {
        // Several text events (entities split them), with characters that need escaping.
        let heading = "Fish &amp; &quot;chips&quot; > 3 <";
        let html = md(&format!("## {heading}\n")).html;
        let options = parser_options(&MarkdownConfig::default());
        let inner: Vec<Event<'_>> = Parser::new_ext(heading, options).filter(|e| matches!(e, Event::Text(_))).collect();
        assert!(inner.len() > 1, "{inner:?}");
        let mut written = String::new();
        html::push_html(&mut written, inner.into_iter());
        // A quote stays as it is in text, where an attribute would need `&quot;`.
        assert_eq!(written, "Fish &amp; \"chips\" &gt; 3 &lt;");
        assert_eq!(
            html,
            format!(
                "<h2 id=\"fish-chips-3\">{written}<a class=\"anchor\" href=\"#fish-chips-3\" \
                 aria-label=\"Link to this section\">#</a></h2>\n"
            )
        );
    }

    #[test]
    fn explicit_heading_ids_are_kept() {
        assert!(md("# Title {#custom}\n").html.contains("<h1 id=\"custom\">"));
        // An id the writer gave is escaped unless it is as plain as a slug, in the heading and
        // in its anchor alike.
        let html = md("# Title {#a&b}\n").html;
        assert!(html.contains("<h1 id=\"a&amp;b\">"), "{html}");
        assert!(html.contains("href=\"#a&amp;b\""), "{html}");
    }

    #[test]
    fn heading_classes_and_attributes_go_onto_the_heading() {
        let html = md("### A <b> & `c` {#top .one .two data-n=1}\n").html;
        assert_eq!(
            html,
            "<h3 id=\"top\" class=\"one two\" data-n=\"1\">A <b> &amp; <code>c</code>\
             <a class=\"anchor\" href=\"#top\" aria-label=\"Link to this section\">#</a></h3>\n"
        );
    }

    #[test]
    fn summary_is_text_before_more_marker() {
        let r = md("First.\n\nSecond.\n\n<!-- more -->\n\nThird.\n");
        assert_eq!(r.summary, "<p>First.</p>\n<p>Second.</p>");
        let r = md("First.\n\n<!--more-->\n\nThird.\n");
        assert_eq!(r.summary, "<p>First.</p>");
        let r = md("First.\n\n<div>x</div>\n<!--\n  more\n-->\n\nThird.\n");
        assert_eq!(r.summary, "<p>First.</p>\n<div>x</div>");
        let r = md("First, <!-- more --> inline.\n\nSecond.\n");
        assert_eq!(r.summary, "<p>First,</p>");
    }

    #[test]
    fn a_summary_cut_inside_elements_closes_them() {
        let r = md("First *words <!-- more --> and* the rest.\n\nSecond.\n");
        assert_eq!(r.summary, "<p>First <em>words</em></p>");
        let r = md("- one\n- two <!-- more --> three\n- four\n");
        assert_eq!(r.summary, "<ul>\n<li>one</li>\n<li>two</li></ul>");
        // A marker between blocks cuts nothing open: the summary is the HTML before it, as
        // the writer wrote it, not as a parser would write it back.
        let r = md("A <span class=x>b</span>.\n\n<!-- more -->\n\nLater.\n");
        assert_eq!(r.summary, "<p>A <span class=x>b</span>.</p>");
    }

    #[test]
    fn summary_falls_back_to_the_first_top_level_paragraph() {
        let r = md("## Intro\n\n> quoted\n\nThe *first* one.\n\nSecond.\n");
        assert_eq!(r.summary, "<p>The <em>first</em> one.</p>");
        assert_eq!(md("Only one.").summary, "<p>Only one.</p>");
        assert_eq!(md("> quoted\n").summary, "");
    }

    #[test]
    fn more_marker_inside_code_is_not_a_marker() {
        let r = md("Intro.\n\n```html\n<!-- more -->\n```\n\nEnd.\n");
        assert_eq!(r.summary, "<p>Intro.</p>");
    }

    #[test]
    fn extensions_are_on() {
        let r =
            md("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n\nNote[^1]\n\n[^1]: foot\n\n\"quoted\"\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("checkbox"));
        assert!(r.html.contains("footnote"));
        assert!(r.html.contains("“quoted”"));
    }

    #[test]
    fn smart_punctuation_can_be_turned_off() {
        let config = MarkdownConfig { smart_punctuation: false, ..MarkdownConfig::default() };
        assert!(render("\"q\"", &config, &plain_code_block, &Links::NONE).unwrap().html.contains("<p>\"q\"</p>"));
    }

    #[test]
    fn images_without_alt_text_are_found_where_they_start() {
        let markdown = "![Frost on a bridge](a.png) and ![](b.png)\n\n[![ ](c.png)](x) `![](code.png)`\n";
        let starts: Vec<&str> =
            images_without_alt(markdown, Options::empty()).iter().map(|&at| &markdown[at..at + 8]).collect();
        assert_eq!(starts, ["![](b.pn", "![ ](c.p"]);
        assert!(images_without_alt("no images here", Options::empty()).is_empty());
    }

    #[test]
    fn code_blocks_go_through_the_hook_and_words_are_counted() {
        let hook = |lang: &str, code: &str| format!("[{lang}:{code}]");
        let r =
            render("one two three\n\n```elixir\nIO.puts(1)\n```\n", &MarkdownConfig::default(), &hook, &Links::NONE)
                .unwrap();
        assert!(r.html.contains("[elixir:IO.puts(1)\n]"));
        assert_eq!(r.word_count, 3);
        assert_eq!(r.reading_time, 1);
        let words = |md: &str| render(md, &MarkdownConfig::default(), &hook, &Links::NONE).unwrap().word_count;
        assert_eq!(words("one*two*three"), 3, "each piece of text is counted on its own");
        assert_eq!(words("## Café au lait\n\nnaïve → done"), 5, "headings count; an arrow is no word");
        assert_eq!(words("one *two* three\n\nit’s four, *naïve* five"), 7, "ASCII and other pieces, mixed");
    }

    #[test]
    fn internal_links_resolve_with_their_anchor_everywhere_and_broken_ones_are_all_reported() {
        let internal = |path: &str| (path == "posts/a b.md").then(|| "/blog/posts/a-b/".to_owned());
        let links = Links { internal: &internal, base: None };
        let config = MarkdownConfig::default();
        let r = render(
            "## See [a](@/posts/a%20b.md#setup)\n\n![i](<@/posts/a b.md>)\n",
            &config,
            &plain_code_block,
            &links,
        )
        .unwrap();
        assert!(r.html.contains("<a href=\"/blog/posts/a-b/#setup\">a</a>"), "{}", r.html);
        assert!(r.html.contains("<img src=\"/blog/posts/a-b/\""), "{}", r.html);
        let text = "x [ok](@/posts/a%20b.md)\n\n[one](@/posts/nope.md) and [two][r]\n\n[r]: @/nope.md#x\n";
        let broken = render(text, &config, &plain_code_block, &links).unwrap_err();
        let found: Vec<(&str, usize)> = broken.iter().map(|b| (b.target.as_str(), b.offset)).collect();
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(found, vec![("@/posts/nope.md", at("[one]")), ("@/nope.md#x", at("[two]"))]);
    }

    #[test]
    fn links_carry_the_path_prefix_and_relative_ones_resolve_against_the_document() {
        let links = Links { internal: &|_| None, base: Some(("/blog", "/blog/posts/trip/")) };
        let text = "[a](/img/a.png) [b](photo.png) [c](../other/#x) [d](https://e.com/x) [e](#top) \
                    [f](/blog/already/) [g](mailto:me@e.com) [h](//cdn.e.com/x.js) ![i](maps/m.png?v=1)";
        let html = render(text, &MarkdownConfig::default(), &plain_code_block, &links).unwrap().html;
        for expected in [
            "href=\"/blog/img/a.png\"",
            "href=\"/blog/posts/trip/photo.png\"",
            "href=\"/blog/posts/other/#x\"",
            "href=\"https://e.com/x\"",
            "href=\"#top\"",
            "href=\"/blog/already/\"",
            "href=\"mailto:me@e.com\"",
            "href=\"//cdn.e.com/x.js\"",
            "src=\"/blog/posts/trip/maps/m.png?v=1\"",
        ] {
            assert!(html.contains(expected), "{expected} in {html}");
        }
    }
}
