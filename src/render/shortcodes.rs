//! Shortcodes: calls written in a post's Markdown that expand to HTML.
//!
//! A call is `{{ name(arg=value, …) }}`, an identifier followed at once by `(`; Hugo's
//! `{{< youtube ID >}}` and `{{< vimeo ID >}}` are read too, for posts migrated from Hugo. Any
//! other text between braces (`{{ release.url }}`, `{% link x.md %}`, `{{< figure >}}`) is a
//! blogger writing about templates and stays text. `{{/* … */}}` writes the call out literally.
//!
//! Expansion happens around the Markdown renderer, once per document: first the Markdown is
//! scanned for calls outside code (pulldown-cmark itself says where code is, so a call inside a
//! code span or block is never touched), each call becomes an HTML comment token that Markdown
//! passes through untouched, and after rendering each token is replaced by the call's HTML.
//! Every call is rendered in two forms at once: the page's (a privacy placeholder for embeds)
//! and the feed's (a plain link), so feeds never re-render Markdown.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};
use serde::Serialize;
use tera::Context;

use super::Templates;
use super::embed::{self, Embed, Media, Provider};
use super::markdown::{escape, holds};

/// An argument's value as written: `"text"`, `'text'`, `` `text` ``, a number, or a bool.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

impl Arg {
    fn as_text(&self) -> Option<String> {
        match self {
            Arg::Text(text) => Some(text.clone()),
            Arg::Integer(n) => Some(n.to_string()),
            Arg::Float(_) | Arg::Bool(_) => None,
        }
    }
}

/// Something the scan found in the Markdown, at a byte range.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// `{{ name(arg=value) }}`, or Hugo's `{{< youtube ID >}}` read as `youtube(id=ID)`.
    Call { name: String, args: Vec<(String, Arg)> },
    /// `{{/* … */}}`: this text, as it is.
    Literal(String),
    /// A YouTube or Vimeo URL alone in its paragraph.
    BareUrl(Embed),
}

/// A problem with a call, at a byte offset into the Markdown.
pub type Problem = (usize, String);

/// Finds every shortcode, escape and bare video URL outside code, in order. Errors (a call
/// that starts but is malformed) carry the byte offset of the call.
pub fn scan(markdown: &str, options: Options) -> (Vec<(Range<usize>, Found)>, Vec<Problem>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    if !holds(markdown, "{{") && !may_hold_a_bare_url(markdown) {
        return (found, errors); // the common case: nothing to parse twice
    }
    let mut skip: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => skip.push(range),
            // A call commented out with `<!-- … -->` stays inert, as the writer meant.
            Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_)
                if markdown[range.clone()].trim_start().starts_with("<!--") =>
            {
                skip.push(range)
            }
            Event::Start(Tag::Paragraph) => {
                if let Some((range, embed)) = bare_url(markdown, range) {
                    skip.push(range.clone());
                    found.push((range, Found::BareUrl(embed)));
                }
            }
            _ => {}
        }
    }
    skip.sort_by_key(|r| r.start);

    let mut from = 0;
    let mut next_skip = 0;
    while let Some(at) = markdown[from..].find("{{").map(|i| i + from) {
        while next_skip < skip.len() && skip[next_skip].end <= at {
            next_skip += 1;
        }
        if let Some(code) = skip.get(next_skip).filter(|r| r.start <= at) {
            from = code.end;
            continue;
        }
        match parse_at(markdown, at) {
            Some(Ok((end, item))) => {
                found.push((at..end, item));
                from = end;
            }
            Some(Err(message)) => {
                errors.push((at, message));
                from = at + 2;
            }
            None => from = at + 2,
        }
    }
    found.sort_by_key(|(range, _)| range.start);
    (found, errors)
}

/// Whether some line could be a video URL alone, cheaply: a post that merely links a video in
/// a sentence should not pay for a second Markdown parse.
fn may_hold_a_bare_url(markdown: &str) -> bool {
    (holds(markdown, "youtu") || holds(markdown, "vimeo"))
        && markdown.lines().any(|line| {
            let line = line.trim().trim_start_matches(['>', ' ', '<']);
            line.starts_with("http") && !line.contains(' ') && (line.contains("youtu") || line.contains("vimeo"))
        })
}

/// A paragraph that is one YouTube or Vimeo URL and nothing else. A URL of another shape, even
/// on those hosts, is a link the blogger meant as text.
fn bare_url(markdown: &str, paragraph: Range<usize>) -> Option<(Range<usize>, Embed)> {
    let text = &markdown[paragraph.clone()];
    let trimmed = text.trim();
    let url = trimmed.strip_prefix('<').and_then(|t| t.strip_suffix('>')).unwrap_or(trimmed);
    if !url.starts_with("http") || url.contains(char::is_whitespace) {
        return None;
    }
    match embed::media(url) {
        Ok(Media::Embed(embed)) if matches!(embed.provider, Provider::YouTube | Provider::Vimeo) => {
            let start = paragraph.start + (text.len() - text.trim_start().len());
            Some((start..start + trimmed.len(), embed))
        }
        _ => None,
    }
}

/// What starts at `at` (which holds `{{`): `None` when it is only text.
fn parse_at(text: &str, at: usize) -> Option<Result<(usize, Found), String>> {
    let rest = &text[at + 2..];
    if let Some(inner) = rest.strip_prefix("/*") {
        let end = inner.find("*/}}")?;
        let literal = format!("{{{{{}}}}}", &inner[..end]);
        return Some(Ok((at + 2 + 2 + end + 4, Found::Literal(literal))));
    }
    if let Some(inner) = rest.strip_prefix('<') {
        return hugo_call(inner).map(|r| r.map(|(len, found)| (at + 3 + len, found)));
    }
    let mut cursor = Cursor { text: rest, pos: 0 };
    cursor.skip_space();
    let name = cursor.identifier()?;
    if !cursor.eat("(") {
        return None; // `{{ release.url }}`, `{{ page.title | upper }}`: text
    }
    Some(call_arguments(&mut cursor, name).map(|(name, args)| (at + 2 + cursor.pos, Found::Call { name, args })))
}

fn call_arguments(cursor: &mut Cursor<'_>, name: &str) -> Result<(String, Vec<(String, Arg)>), String> {
    let malformed = |what: &str| format!("malformed shortcode call `{name}(…)`: {what}");
    let mut args: Vec<(String, Arg)> = Vec::new();
    loop {
        cursor.skip_space();
        if cursor.eat(")") {
            break;
        }
        let arg = cursor.identifier().ok_or_else(|| malformed("expected an argument name or `)`"))?;
        cursor.skip_space();
        if !cursor.eat("=") {
            return Err(malformed(&format!("expected `=` after `{arg}`")));
        }
        cursor.skip_space();
        let value = cursor.value().ok_or_else(|| {
            malformed(&format!("`{arg}` needs a value: \"text\", a number, true or false (quote text)"))
        })?;
        if args.iter().any(|(a, _)| a == arg) {
            return Err(malformed(&format!("`{arg}` is given twice")));
        }
        args.push((arg.to_owned(), value));
        cursor.skip_space();
        if cursor.eat(")") {
            break;
        }
        if !cursor.eat(",") {
            return Err(malformed("expected `,` or `)` after an argument"));
        }
    }
    cursor.skip_space();
    if !cursor.eat("}}") {
        return Err(malformed("expected `}}` after the `)`"));
    }
    Ok((name.to_owned(), args))
}

/// Hugo's `{{< youtube ID >}}` and `{{< vimeo ID >}}` (or `id="ID"`), given the text after
/// `{{<`; returns the length it used. Other Hugo shortcodes are text here.
fn hugo_call(inner: &str) -> Option<Result<(usize, Found), String>> {
    let end = inner.find(">}}")?;
    let body = &inner[..end];
    let mut words = hugo_words(body)?.into_iter();
    let name = words.next()?;
    if Provider::from_name(&name).is_none_or(|p| p == Provider::SpeakerDeck) {
        return None;
    }
    let mut args: Vec<(String, Arg)> = Vec::new();
    for (position, word) in words.enumerate() {
        let (key, value) = match word.split_once('=') {
            Some((key, value)) => (key.to_owned(), value.to_owned()),
            None if position == 0 => ("id".to_owned(), word),
            None => return Some(Err(format!("`{{{{< {name} >}}}}` takes an id, then optional key=\"value\" pairs"))),
        };
        // Hugo's other options (class, autoplay, loading) have no meaning for a placeholder.
        if matches!(key.as_str(), "id" | "title" | "start") && !args.iter().any(|(k, _)| *k == key) {
            args.push((key, Arg::Text(value)));
        }
    }
    Some(Ok((end + 3, Found::Call { name, args })))
}

/// Words separated by spaces, with `"…"` kept together and its quotes dropped.
fn hugo_words(body: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in body.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if quoted {
        return None;
    }
    if !word.is_empty() {
        words.push(word);
    }
    Some(words)
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.pos += token.len();
        }
        found
    }

    fn identifier(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        let first = rest.chars().next()?;
        if !(first.is_ascii_alphabetic() || first == '_') {
            return None;
        }
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        self.pos += len;
        Some(&rest[..len])
    }

    fn value(&mut self) -> Option<Arg> {
        let rest = self.rest();
        let quote = rest.chars().next()?;
        if matches!(quote, '"' | '\'' | '`') {
            let mut text = String::new();
            let mut chars = rest.char_indices().skip(1);
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' if quote != '`' => match chars.next()?.1 {
                        'n' => text.push('\n'),
                        't' => text.push('\t'),
                        other => text.push(other),
                    },
                    c if c == quote => {
                        self.pos += i + 1;
                        return Some(Arg::Text(text));
                    }
                    c => text.push(c),
                }
            }
            return None;
        }
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))).unwrap_or(0);
        let word = &rest[..len];
        let value = match word {
            "true" => Arg::Bool(true),
            "false" => Arg::Bool(false),
            _ => match word.parse::<i64>() {
                Ok(n) => Arg::Integer(n),
                Err(_) => Arg::Float(word.parse::<f64>().ok().filter(|f| f.is_finite())?),
            },
        };
        self.pos += len;
        Some(value)
    }
}

/// One expansion, in the page's form and the feed's.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub page: String,
    pub feed: String,
    /// Whether the page form needs `embed.js`.
    pub embed: bool,
}

/// Renders calls: the built-in embeds, and the site's and theme's `shortcodes/NAME.html`.
pub struct Shortcodes<'a> {
    pub templates: &'a Templates,
    /// The site's base path (`/blog`), put before local poster paths.
    pub prefix: &'a str,
}

impl Shortcodes<'_> {
    /// Every name a call may use, sorted: for the error about an unknown one.
    pub fn known(&self) -> Vec<String> {
        let mut names: Vec<String> = Provider::ALL.iter().map(|p| p.name().to_owned()).collect();
        names.extend(self.templates.shortcode_names().map(str::to_owned));
        names.sort();
        names.dedup();
        names
    }

    fn call(&self, name: &str, args: &[(String, Arg)]) -> Result<Output, String> {
        if let Some(provider) = Provider::from_name(name) {
            return self.embed(&self.built_in(provider, args)?);
        }
        let template = format!("shortcodes/{name}.html");
        if !self.templates.has(&template) {
            return Err(format!(
                "unknown shortcode `{name}` (known: {}; add templates/shortcodes/{name}.html to define it)",
                self.known().join(", ")
            ));
        }
        let mut context = Context::new();
        for (key, value) in args {
            context.insert(key.clone(), value);
        }
        let html = self.templates.render(&template, &context).map_err(|d| format!("shortcode `{name}`: {d}"))?;
        Ok(Output { page: html.clone(), feed: html, embed: false })
    }

    /// `youtube(id=…, title=…, poster=…, start=…)` and its siblings, checked.
    fn built_in(&self, provider: Provider, args: &[(String, Arg)]) -> Result<Embed, String> {
        let name = provider.name();
        let text = |key: &str, value: &Arg| value.as_text().ok_or_else(|| format!("`{name}`: `{key}` must be text"));
        let mut id = None;
        let (mut title, mut poster, mut start) = (None, None, None);
        for (key, value) in args {
            match key.as_str() {
                "id" => id = Some(text(key, value)?),
                "title" => title = Some(text(key, value)?),
                "poster" => poster = Some(embed::local_path(&text(key, value)?, self.prefix)?),
                "start" => {
                    let written = text(key, value)?;
                    start = Some(
                        embed::start_time(&written)
                            .ok_or_else(|| format!("`{name}`: invalid start time {written:?} (try 90 or \"1m30s\")"))?,
                    )
                }
                other => return Err(format!("`{name}` takes id, title, poster and start, not `{other}`")),
            }
        }
        let id = id.ok_or_else(|| format!("`{name}` needs an id: {{{{ {name}(id=\"…\") }}}}"))?;
        let mut embed = Embed::new(provider, id.trim())?;
        embed.title = title;
        embed.poster = poster;
        embed.start = start;
        Ok(embed)
    }

    /// An embed's page and feed forms. A site or theme `shortcodes/<provider>.html` replaces
    /// the built-in placeholder, but only ever sees values that passed validation.
    pub fn embed(&self, embed: &Embed) -> Result<Output, String> {
        let placeholder = embed.placeholder_html();
        let template = format!("shortcodes/{}.html", embed.provider.name());
        let page = if self.templates.has(&template) {
            let mut context = Context::new();
            context.insert("provider", embed.provider.name());
            context.insert("id", &embed.id);
            context.insert("title", embed.title());
            context.insert("poster", &embed.poster);
            context.insert("start", &embed.start);
            context.insert("url", &embed.link());
            context.insert("player", &embed.player());
            context.insert("placeholder", &placeholder);
            self.templates
                .render(&template, &context)
                .map_err(|d| format!("shortcode `{}`: {d}", embed.provider.name()))?
        } else {
            placeholder
        };
        Ok(Output { page, feed: embed.link_html(), embed: true })
    }
}

/// Tokens stand in for calls while Markdown renders. A call alone on its line becomes an HTML
/// comment, which Markdown passes through as a block of its own (so a template's `<div>` is
/// not wrapped in a `<p>`); any other call becomes an empty inline element, since a comment at
/// the start of a line would turn the rest of that line into raw HTML.
/// Both share one mark, so substitution searches the HTML once.
const BLOCK_TOKEN: (&str, &str) = ("<!--", "-->");
const INLINE_TOKEN: (&str, &str) = ("<span data-blog=\"", "\"></span>");
const TOKEN_MARK: &str = "blog:shortcode:";

/// A document's Markdown with its calls replaced by tokens, and what each token stands for.
#[derive(Debug)]
pub struct Expanded<'a> {
    pub markdown: Cow<'a, str>,
    outputs: Vec<Output>,
    /// Where each call was, for an error when its token did not survive Markdown.
    offsets: Vec<usize>,
}

/// Which form to substitute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Page,
    Feed,
}

/// Scans and renders every call of a document. Errors carry byte offsets into `markdown`.
pub fn expand<'a>(
    markdown: &'a str,
    options: Options,
    shortcodes: &Shortcodes<'_>,
) -> Result<Expanded<'a>, Vec<Problem>> {
    let (found, mut errors) = scan(markdown, options);
    if found.is_empty() && errors.is_empty() {
        return Ok(Expanded { markdown: Cow::Borrowed(markdown), outputs: Vec::new(), offsets: Vec::new() });
    }
    let mut text = String::with_capacity(markdown.len());
    let mut outputs = Vec::with_capacity(found.len());
    let mut offsets = Vec::with_capacity(found.len());
    let mut copied = 0;
    for (range, item) in found {
        let literal = matches!(item, Found::Literal(_));
        let output = match item {
            Found::Call { name, args } => shortcodes.call(&name, &args),
            Found::Literal(literal) => {
                let html = escape(&literal);
                Ok(Output { page: html.clone(), feed: html, embed: false })
            }
            Found::BareUrl(embed) => shortcodes.embed(&embed),
        };
        match output {
            Ok(output) => {
                let (open, close) =
                    if !literal && alone_on_its_line(markdown, &range) { BLOCK_TOKEN } else { INLINE_TOKEN };
                text.push_str(&markdown[copied..range.start]);
                text.push_str(&format!("{open}{TOKEN_MARK}{}{close}", outputs.len()));
                copied = range.end;
                outputs.push(output);
                offsets.push(range.start);
            }
            Err(message) => errors.push((range.start, message)),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        return Err(errors);
    }
    text.push_str(&markdown[copied..]);
    Ok(Expanded { markdown: Cow::Owned(text), outputs, offsets })
}

/// Whether HTML that continues `out` with `before` is inside a tag (an attribute), where a
/// call's HTML would break the markup rather than show.
fn inside_tag(out: &str, before: &str) -> bool {
    let last = |text: &str| text.rfind(['<', '>']).map(|i| text.as_bytes()[i]);
    last(before).or_else(|| last(out)) == Some(b'<')
}

/// Whether only blanks share the lines a call spans.
fn alone_on_its_line(markdown: &str, range: &Range<usize>) -> bool {
    let line_start = markdown[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = markdown[range.end..].find('\n').map_or(markdown.len(), |i| range.end + i);
    markdown[line_start..range.start].trim().is_empty() && markdown[range.end..line_end].trim().is_empty()
}

impl Expanded<'_> {
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty()
    }

    pub fn has_embeds(&self) -> bool {
        self.outputs.iter().any(|o| o.embed)
    }

    /// Puts each call's HTML where its token is. Tokens in code were escaped by Markdown and
    /// do not match, which is right: only real calls made tokens.
    pub fn substitute(&self, html: &str, form: Form) -> String {
        self.substitute_counting(html, form).0
    }

    /// As [`Expanded::substitute`], and the offsets of calls whose token Markdown swallowed or
    /// left inside an HTML tag's attribute, which would otherwise vanish or break the page.
    pub fn substitute_checked(&self, html: &str, form: Form) -> (String, Vec<usize>) {
        let (out, used) = self.substitute_counting(html, form);
        let lost = self.offsets.iter().zip(&used).filter(|(_, used)| !**used).map(|(offset, _)| *offset).collect();
        (out, lost)
    }

    fn substitute_counting(&self, html: &str, form: Form) -> (String, Vec<bool>) {
        let mut used = vec![false; self.outputs.len()];
        if self.outputs.is_empty() {
            return (html.to_owned(), used);
        }
        let mut out = String::with_capacity(html.len() + self.outputs.iter().map(|o| o.page.len()).sum::<usize>());
        let mut rest = html;
        while let Some(mark) = rest.find(TOKEN_MARK) {
            let before = &rest[..mark];
            let after = &rest[mark + TOKEN_MARK.len()..];
            let digits = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
            let index = after[..digits].parse::<usize>().ok().filter(|i| *i < self.outputs.len());
            let token = [BLOCK_TOKEN, INLINE_TOKEN]
                .into_iter()
                .find(|(open, close)| before.ends_with(open) && after[digits..].starts_with(close));
            match (index, token) {
                (Some(index), Some((open, close))) if !inside_tag(&out, &before[..before.len() - open.len()]) => {
                    out.push_str(&before[..before.len() - open.len()]);
                    let output = &self.outputs[index];
                    out.push_str(if form == Form::Page { &output.page } else { &output.feed });
                    used[index] = true;
                    rest = &after[digits + close.len()..];
                }
                _ => {
                    out.push_str(&rest[..mark + TOKEN_MARK.len()]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        (out, used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(markdown: &str) -> Vec<Found> {
        let (found, errors) = scan(markdown, Options::empty());
        assert!(errors.is_empty(), "{errors:?}");
        found.into_iter().map(|(_, f)| f).collect()
    }

    fn call(name: &str, args: &[(&str, Arg)]) -> Found {
        Found::Call { name: name.into(), args: args.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect() }
    }

    #[test]
    fn call_form_with_every_kind_of_value() {
        assert_eq!(
            found("a {{ note(text=\"say \\\"hi\\\"\", n=3, x=-1.5, ok=true, s='q', r=`raw\\`) }} b"),
            vec![call(
                "note",
                &[
                    ("text", Arg::Text("say \"hi\"".into())),
                    ("n", Arg::Integer(3)),
                    ("x", Arg::Float(-1.5)),
                    ("ok", Arg::Bool(true)),
                    ("s", Arg::Text("q".into())),
                    ("r", Arg::Text("raw\\".into())),
                ]
            )]
        );
        assert_eq!(found("{{youtube()}}"), vec![call("youtube", &[])]);
        assert_eq!(found("{{ yt(\n  id=\"x\",\n) }}"), vec![call("yt", &[("id", Arg::Text("x".into()))])]);
    }

    #[test]
    fn templating_that_is_not_a_call_stays_text() {
        for text in [
            "{{ release.url }}",
            "{{ page.title | upper }}",
            "{% link x.md %}",
            "{{< figure src=\"x\" >}}",
            "{{ youtube (id=\"x\") }}",
            "{{{ x }}}",
            "{{",
            "{{/* never closed",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn calls_in_code_are_left_alone() {
        let markdown = "`{{ youtube(id=\"x\") }}`\n\n```\n{{ youtube(id=\"x\") }}\n```\n\n    {{ vimeo(id=\"1\") }}\n\n\
``` {{ a() }} ``` and {{ b() }}\n";
        assert_eq!(found(markdown), vec![call("b", &[])]);
    }

    #[test]
    fn calls_in_html_comments_are_left_alone() {
        assert_eq!(
            found("<!--\n{{ youtube(id=\"x\") }}\n-->\n\nText <!-- {{ a() }} --> {{ b() }}\n"),
            vec![call("b", &[])]
        );
    }

    #[test]
    fn escape_writes_the_call_itself() {
        assert_eq!(found("{{/* youtube(id=\"x\") */}}"), vec![Found::Literal("{{ youtube(id=\"x\") }}".into())]);
    }

    #[test]
    fn hugo_video_shortcodes() {
        let id = |s: &str| Arg::Text(s.into());
        assert_eq!(found("{{< youtube dQw4w9WgXcQ >}}"), vec![call("youtube", &[("id", id("dQw4w9WgXcQ"))])]);
        assert_eq!(
            found("{{<vimeo id=\"146022717\" title=\"A b\" class=\"x\">}}"),
            vec![call("vimeo", &[("id", id("146022717")), ("title", id("A b"))])]
        );
        assert_eq!(found("{{< speakerdeck abc >}} {{< tweet 1 >}}"), vec![]);
    }

    #[test]
    fn bare_urls_only_alone_in_a_paragraph() {
        let f = found(
            "Intro.\n\nhttps://youtu.be/dQw4w9WgXcQ?t=30\n\n<https://vimeo.com/76979871>\n\nSee https://youtu.be/dQw4w9WgXcQ here.\n\nhttps://youtube.com/channel/x\n",
        );
        assert_eq!(f.len(), 2);
        assert!(matches!(&f[0], Found::BareUrl(e) if e.id == "dQw4w9WgXcQ" && e.start == Some(30)));
        assert!(matches!(&f[1], Found::BareUrl(e) if e.provider == Provider::Vimeo));
    }

    /// The built-in theme's templates, as a site without its own would have.
    fn builtin_templates() -> Templates {
        let no_site = std::path::Path::new("/nonexistent-site");
        Templates::load(no_site, &super::super::ThemeSource::BuiltIn, jiff::tz::TimeZone::UTC).unwrap()
    }

    /// The expanded Markdown rendered as a post's would be, with the shortcodes still as tokens.
    fn render_expanded(expanded: &Expanded<'_>) -> String {
        use super::super::markdown;
        let config = crate::config::MarkdownConfig::default();
        markdown::render(&expanded.markdown, &config, &markdown::plain_code_block, &markdown::Links::NONE).unwrap().html
    }

    #[test]
    fn one_expansion_gives_the_page_a_placeholder_and_the_feed_a_link() {
        let templates = builtin_templates();
        let calls = Shortcodes { templates: &templates, prefix: "" };
        let markdown = "Intro.\n\n{{ youtube(id=\"dQw4w9WgXcQ\", title=\"Talk\") }}\n\nhttps://vimeo.com/76979871\n";
        let expanded = expand(markdown, Options::empty(), &calls).unwrap();
        assert!(expanded.has_embeds());
        let html = render_expanded(&expanded);
        let (page, lost) = expanded.substitute_checked(&html, Form::Page);
        assert!(lost.is_empty());
        assert_eq!(page.matches("<a class=\"embed embed-").count(), 2, "{page}");
        let feed = expanded.substitute(&html, Form::Feed);
        assert!(
            !feed.contains("data-embed") && !feed.contains("<iframe") && !feed.contains("blog:shortcode"),
            "{feed}"
        );
        assert!(feed.contains(
            "<a class=\"embed-link\" href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\">Talk</a> (YouTube)"
        ));
        assert!(
            feed.contains("<a class=\"embed-link\" href=\"https://vimeo.com/76979871\">Video on Vimeo</a> (Vimeo)")
        );
    }

    #[test]
    fn a_call_inside_an_attribute_is_reported() {
        let templates = builtin_templates();
        let calls = Shortcodes { templates: &templates, prefix: "" };
        let markdown = "<div title=\"{{ youtube(id=\"dQw4w9WgXcQ\") }}\">hi</div>\n\nFine {{ youtube(id=\"aqz-KE-bpKQ\") }} <b>here</b>.\n";
        let expanded = expand(markdown, Options::empty(), &calls).unwrap();
        let html = render_expanded(&expanded);
        assert_eq!(expanded.substitute_checked(&html, Form::Page).1, vec![12], "{html}");
    }

    #[test]
    fn malformed_calls_are_located_errors() {
        let (_, errors) = scan("ok\n{{ youtube(id=\"x\" }}\n{{ a(b) }}\n{{ c(d=\"x\", d=\"y\") }}", Options::empty());
        let offsets: Vec<usize> = errors.iter().map(|e| e.0).collect();
        assert_eq!(offsets, vec![3, 24, 35]);
        assert!(errors[0].1.contains("expected `,` or `)`"), "{errors:?}");
        assert!(errors[1].1.contains("expected `=` after `b`"), "{errors:?}");
        assert!(errors[2].1.contains("`d` is given twice"), "{errors:?}");
    }
}
