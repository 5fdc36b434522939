//! Tera templates: the theme (compiled in, or from `themes/<name>/`), overridden one by one by
//! the site's `templates/`, plus the filters Tera 2 leaves to us.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use tera::{Context, Kwargs, State, Tera, Value};

use crate::diagnostic::{Diagnostic, Location};

/// The default theme, compiled into the binary so a site without `themes/` builds.
pub mod default_theme {
    macro_rules! theme_files {
        ($($name:literal),* $(,)?) => {
            &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/", $name)))),*]
        };
    }
    /// Path inside the theme folder, and contents.
    pub const FILES: &[(&str, &[u8])] = theme_files![
        "templates/base.html",
        "templates/partials/post_list.html",
        "templates/partials/post_item.html",
        "templates/partials/pagination.html",
        "templates/index.html",
        "templates/post.html",
        "templates/page.html",
        "templates/tags.html",
        "templates/tag.html",
        "templates/series_list.html",
        "templates/series.html",
        "templates/talks.html",
        "templates/partials/talk_card.html",
        "templates/404.html",
        "static/style.css",
        "static/embed.js",
    ];
}

/// The partial behind `post.item`. Every theme has it: the default theme's, unless the theme or
/// the site overrides it.
pub const POST_ITEM: &str = "partials/post_item.html";

#[derive(Clone)]
pub struct Templates {
    tera: Tera,
    /// Where each template came from, for error messages.
    origins: BTreeMap<String, PathBuf>,
}

/// Where a theme's files come from: the theme folder on disk, or the compiled-in default.
pub enum ThemeSource {
    Folder(PathBuf),
    BuiltIn,
}

impl ThemeSource {
    pub fn find(root: &Path, theme: &str) -> Result<ThemeSource, Diagnostic> {
        let folder = root.join("themes").join(theme);
        if folder.is_dir() {
            Ok(ThemeSource::Folder(folder))
        } else if theme == "default" {
            Ok(ThemeSource::BuiltIn)
        } else {
            Err(Diagnostic::new(
                Location::of_key(
                    &root.join("site.toml"),
                    &std::fs::read_to_string(root.join("site.toml")).unwrap_or_default(),
                    "theme",
                ),
                format!("theme {theme:?} not found: there is no folder {}", folder.display()),
            ))
        }
    }
}

impl Templates {
    /// Loads the theme's templates, then the site's `templates/` over them.
    pub fn load(root: &Path, theme: &ThemeSource, tz: TimeZone) -> Result<Templates, Diagnostic> {
        let mut sources: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
        for (path, bytes) in default_theme::FILES {
            if let Some(name) = path.strip_prefix("templates/") {
                let text = String::from_utf8_lossy(bytes).into_owned();
                sources.insert(name.to_owned(), (text, PathBuf::from("themes/default").join(path)));
            }
        }
        if let ThemeSource::Folder(folder) = theme {
            read_templates(&folder.join("templates"), root, &mut sources)?;
        }
        read_templates(&root.join("templates"), root, &mut sources)?;

        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        register_filters(&mut tera, tz);
        let origins: BTreeMap<String, PathBuf> =
            sources.iter().map(|(name, (_, path))| (name.clone(), path.clone())).collect();
        tera.add_raw_templates(sources.iter().map(|(name, (text, _))| (name.as_str(), text.as_str())))
            .map_err(|err| template_error(&origins, &err))?;
        Ok(Templates { tera, origins })
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Names of the shortcodes the theme and the site define (`shortcodes/NAME.html`).
    pub fn shortcode_names(&self) -> impl Iterator<Item = &str> {
        self.origins.keys().filter_map(|name| name.strip_prefix("shortcodes/")?.strip_suffix(".html"))
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(name, context).map_err(|err| template_error(&self.origins, &err))
    }

    /// [`render`](Self::render) as bytes, for a page on its way to a file: Tera writes bytes,
    /// and making a `String` of them would check every byte of every page once more.
    pub fn render_bytes(&self, name: &str, context: &Context) -> Result<Vec<u8>, Diagnostic> {
        // Room for a typical page, so the buffer is not regrown a dozen times from empty.
        let mut page = Vec::with_capacity(16 * 1024);
        self.tera.render_to(name, context, &mut page).map_err(|err| template_error(&self.origins, &err))?;
        Ok(page)
    }

    /// A post's entry on list pages, through [`POST_ITEM`]: made once per post and reused by
    /// every list that shows it, so it sees `post` and `site` but nothing of the page it lands on.
    pub fn post_item(&self, post: &Value) -> Result<Value, Diagnostic> {
        let mut context = Context::new();
        context.insert_value("post", post.clone());
        Ok(Value::safe_string(&self.render(POST_ITEM, &context)?))
    }

    /// Template data every page shares (`site`), set once rather than copied into each page.
    pub fn set_global(&mut self, key: &'static str, value: Value) {
        self.tera.global_context().insert_value(key, value);
    }
}

fn read_templates(
    dir: &Path,
    root: &Path,
    sources: &mut BTreeMap<String, (String, PathBuf)>,
) -> Result<(), Diagnostic> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|err| Diagnostic::new(Location::file(dir), format!("cannot read templates: {err}")))?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let name = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = name.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let shown = crate::load::display_path(root, entry.path());
        let text = std::fs::read_to_string(entry.path())
            .map_err(|err| Diagnostic::new(Location::file(&shown), format!("cannot read template: {err}")))?;
        sources.insert(name, (text, shown));
    }
    Ok(())
}

/// A template error as `path:line:col: message`, with Tera's own report (which shows the line)
/// kept below it.
fn template_error(origins: &BTreeMap<String, PathBuf>, err: &tera::Error) -> Diagnostic {
    let (name, span, message) = match err.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => (
            report.filename().to_owned(),
            Some((report.span().start_line, report.span().start_col + 1)),
            report.message().to_owned(),
        ),
        _ => {
            let text = err.to_string();
            match reported_location(&text) {
                Some((name, line, column)) => {
                    let first = text.lines().next().unwrap_or("").trim_start_matches("error: ").to_owned();
                    (name, Some((line, column)), first)
                }
                None => (String::new(), None, text),
            }
        }
    };
    let mut message = message;
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    let path =
        origins.get(&name).cloned().unwrap_or_else(|| PathBuf::from(if name.is_empty() { "templates" } else { &name }));
    let location = match span {
        Some((line, column)) => Location::at(&path, line, column),
        None => Location::file(&path),
    };
    Diagnostic::new(location, format!("template error: {message}"))
}

/// Tera gathers the errors of several templates into one message whose reports point at
/// `--> name:line:col`; the first such pointer locates it.
fn reported_location(text: &str) -> Option<(String, usize, usize)> {
    let pointer = text.lines().find_map(|line| line.trim_start().strip_prefix("--> "))?;
    let mut parts = pointer.rsplitn(3, ':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    Some((parts.next()?.to_owned(), line, column))
}

fn register_filters(tera: &mut Tera, tz: TimeZone) {
    tera.register_filter("date", move |value: &str, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let format: Option<String> = kwargs.get("format")?;
        format_date(value, format.as_deref().unwrap_or("%B %-d, %Y"), &tz).map_err(tera::Error::message)
    });
    tera.register_filter("json", |value: Value, _: Kwargs, _: &State| -> tera::TeraResult<Value> {
        let text = serde_json::to_string(&value).map_err(|e| tera::Error::message(e.to_string()))?;
        Ok(Value::safe_string(&json_for_script(&text)))
    });
    tera.register_filter("striptags", |value: &str, _: Kwargs, _: &State| strip_tags(value));
    tera.register_filter("slugify", |value: &str, _: Kwargs, _: &State| slug::slugify(value));
    tera.register_filter("urlencode", |value: &str, _: Kwargs, _: &State| {
        percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
    });
}

/// Formats an RFC 3339 timestamp (as the model hands dates to templates) in the site's zone.
pub fn format_date(value: &str, format: &str, tz: &TimeZone) -> Result<String, String> {
    let timestamp: jiff::Timestamp = value.parse().map_err(|e| format!("date filter: {value:?} is not a date: {e}"))?;
    let zoned = timestamp.to_zoned_datetime(tz.clone());
    jiff::fmt::strtime::format(format, &zoned).map_err(|e| format!("date filter: bad format {format:?}: {e}"))
}

/// Text without its HTML tags, for descriptions made from rendered summaries. Entities are
/// decoded into the characters they stand for: the result is plain text, which templates escape
/// again where they print it (an `&amp;` kept as is would show as `&amp;amp;` in a meta tag).
pub fn strip_tags(html: &str) -> String {
    // The text between tags a run at a time, not a character at a time: every post's summary
    // comes through here for its description. A `<` with no `>` after it hides the rest.
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = rest[open..].find('>').map_or("", |close| &rest[open + close + 1..]);
    }
    text.push_str(rest);
    let mut out = String::with_capacity(text.len());
    for word in decode_entities(&text).split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Decodes the character references rendered Markdown holds (`&amp;`, `&#39;`, `&#x2014;`, a
/// few common names); an unknown one stays as written.
fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let decoded = rest.get(1..).and_then(|after| {
            let end = after.find(';').filter(|&end| end <= 10)?;
            let name = &after[..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, end + 2))
        });
        match decoded {
            Some((c, length)) => {
                out.push(c);
                rest = &rest[length..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// JSON that is safe inside `<script>`: `<`, `>` and `&` become escapes, so a title holding
/// `</script>` cannot end the element.
pub fn json_for_script(json: &str) -> String {
    // One pass, as every post's JSON-LD comes through here.
    let mut safe = String::with_capacity(json.len() + 16);
    let mut copied = 0;
    for at in memchr::memchr3_iter(b'<', b'>', b'&', json.as_bytes()) {
        safe.push_str(&json[copied..at]);
        safe.push_str(match json.as_bytes()[at] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        copied = at + 1;
    }
    safe.push_str(&json[copied..]);
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_cannot_close_a_script() {
        assert_eq!(json_for_script(r#"{"t":"</script><b>&"}"#), r#"{"t":"\u003c/script\u003e\u003cb\u003e\u0026"}"#);
        assert_eq!(json_for_script(r#"{"t":"plain é"}"#), r#"{"t":"plain é"}"#);
    }

    #[test]
    fn stripped_tags_leave_plain_text() {
        assert_eq!(
            strip_tags("<p>Tom &amp; <em>Jerry</em> &lt;3 &#39;x&#x27; &copy; &</p>\n<p>b</p>"),
            "Tom & Jerry <3 'x' &copy; & b"
        );
    }

    proptest::proptest! {
        #[test]
        fn stripping_tags_keeps_what_a_char_by_char_reading_keeps(html in "([a-z &;#0-9<>/\n]|&amp;|&lt;|&#39;|<p>|</p>|<a href=\"x\">|\u{a0}|é){0,60}") {
            let mut text = String::new();
            let mut in_tag = false;
            for c in html.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' if in_tag => in_tag = false,
                    _ if !in_tag => text.push(c),
                    _ => {}
                }
            }
            let plain = decode_entities(&text).split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(strip_tags(&html), plain);
        }
    }

    #[test]
    fn dates_format_in_the_site_zone() {
        let tz = TimeZone::get("America/New_York").unwrap();
        assert_eq!(format_date("2018-02-14T02:00:00Z", "%Y-%m-%d", &tz).unwrap(), "2018-02-13");
        assert_eq!(format_date("2018-02-14T02:00:00Z", "%B %-d, %Y", &TimeZone::UTC).unwrap(), "February 14, 2018");
        assert!(format_date("nope", "%Y", &tz).is_err());
    }

    #[test]
    fn filters_work_in_templates() {
        let mut tera = Tera::new();
        register_filters(&mut tera, TimeZone::UTC);
        tera.add_raw_template(
            "t.html",
            "{{ t | slugify }} {{ t | urlencode }} {{ d | date(format=\"%Y\") }} {{ o | json }}",
        )
        .unwrap();
        let mut context = Context::new();
        context.insert("t", "28 days of elixir");
        context.insert("d", "2018-02-13T10:00:00Z");
        context.insert("o", &serde_json::json!({"title": "</script>"}));
        let out = tera.render("t.html", &context).unwrap();
        assert_eq!(out, "28-days-of-elixir 28%20days%20of%20elixir 2018 {\"title\":\"\\u003c/script\\u003e\"}");
    }
}
