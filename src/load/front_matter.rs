//! Front matter: split a file into its metadata block and its Markdown, then read the block.
//!
//! Every YAML (and TOML) call of the project is in this module, so the parser can be swapped
//! without touching anything else: the rest of the code sees [`FrontMatter`] and [`Data`].

use std::collections::BTreeMap;
use std::path::Path;

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess, VariantAccess, Visitor};

use super::date;
use crate::diagnostic::{Diagnostic, Location, line_column};

/// Front-matter values handed to templates untouched (`extra`, unknown keys, `talk`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Data {
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(String),
    List(Vec<Data>),
    Map(BTreeMap<String, Data>),
}

impl Data {
    /// A scalar as the text a blogger wrote (`title: 2019` is the text "2019").
    pub fn as_text(&self) -> Option<String> {
        match self {
            Data::Bool(b) => Some(b.to_string()),
            Data::Integer(i) => Some(i.to_string()),
            Data::Float(f) => Some(f.to_string()),
            Data::Text(s) => Some(s.clone()),
            Data::List(_) | Data::Map(_) => None,
        }
    }

    /// [`Data::as_text`] for a value no longer needed: text is handed over, not copied.
    pub fn into_text(self) -> Option<String> {
        match self {
            Data::Text(s) => Some(s),
            other => other.as_text(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Data::List(_) => "a list",
            Data::Map(_) => "a map",
            _ => "a scalar",
        }
    }
}

/// `tags:` (or `categories:`) as written: a list, or one string whose splitting needs to know
/// the rest of the site (a declared series name stays whole), so it is left to the model.
#[derive(Debug, Clone, PartialEq)]
pub enum TagsField {
    List(Vec<String>),
    Text { text: String, line: usize },
}

/// A talk recap's `talk:` map.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TalkField {
    pub title: Option<String>,
    pub event: Option<String>,
    pub date: Option<String>,
    pub location: Option<String>,
    pub video: Option<String>,
    pub slides: Option<String>,
    /// Where `talk:` is, for errors about its video or slides.
    #[serde(skip)]
    pub line: usize,
}

/// A post's or page's metadata, typed and validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: String,
    pub date: Option<ZonedDateTime>,
    pub updated: Option<ZonedDateTime>,
    pub tags: Vec<TagsField>,
    pub series: Option<String>,
    pub part: Option<u32>,
    pub summary: Option<String>,
    pub draft: bool,
    pub slug: Option<String>,
    pub permalink: Option<String>,
    pub aliases: Vec<String>,
    pub talk: Option<TalkField>,
    pub extra: BTreeMap<String, Data>,
}

/// A file split at its front matter: the block's text and format, and the Markdown after it.
#[derive(Debug, PartialEq)]
pub struct Split<'a> {
    pub format: Format,
    pub block: &'a str,
    /// Line number (1-based) of the block's first line in the whole file.
    pub block_line: usize,
    pub body: &'a str,
    /// Line number of the body's first line.
    pub body_line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

/// Why a file could not be split: the caller adds the path.
#[derive(Debug, PartialEq)]
pub struct SplitError {
    pub line: usize,
    pub message: String,
}

/// Splits text (already free of a BOM and CRLF) at its front matter.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let first_line = text.lines().next().unwrap_or("");
    let (fence, format) = match first_line.trim_end() {
        "---" => ("---", Format::Yaml),
        "+++" => ("+++", Format::Toml),
        _ => {
            return Err(SplitError {
                line: 1,
                message: "no front matter: a post starts with a `---` line, then `title:` and `date:`, then another `---` line".into(),
            });
        }
    };
    let block_start = first_line.len() + 1;
    if block_start > text.len() {
        return Err(unclosed(fence));
    }
    let mut offset = block_start;
    for (line_number, line) in (2..).zip(text[block_start..].split_inclusive('\n')) {
        let content = line.trim_end();
        if content == fence || (format == Format::Yaml && content == "...") {
            let body_start = offset + line.len();
            return Ok(Split {
                format,
                block: &text[block_start..offset],
                block_line: 2,
                body: &text[body_start..],
                body_line: line_number + 1,
            });
        }
        offset += line.len();
    }
    Err(unclosed(fence))
}

fn unclosed(fence: &str) -> SplitError {
    SplitError {
        line: 1,
        message: format!("front matter opened with `{fence}` is never closed by another `{fence}` line"),
    }
}

/// Reads a split block into typed front matter. Errors carry the line in the whole file.
pub fn parse(path: &Path, split: &Split<'_>, tz: &TimeZone) -> Result<FrontMatter, Diagnostic> {
    let keys = top_level_keys(split.block, split.format);
    let at_line =
        |line_in_block: usize, column: usize| Location::at(path, split.block_line + line_in_block - 1, column);
    if let Some(duplicate) = find_duplicate(&keys) {
        return Err(Diagnostic::new(
            at_line(duplicate.line, duplicate.column),
            format!(
                "key `{}` is given twice (first on line {})",
                duplicate.key,
                split.block_line + duplicate.first_line - 1
            ),
        ));
    }
    let map = match split.format {
        Format::Yaml => parse_yaml(split.block)
            .map_err(|(line, column, message)| Diagnostic::new(at_line(line, column), message))?,
        Format::Toml => parse_toml(split.block)
            .map_err(|(line, column, message)| Diagnostic::new(at_line(line, column), message))?,
    };
    let key_location = |key: &str| match keys.iter().find(|k| k.key == key) {
        Some(k) => at_line(k.line, k.column),
        None => Location::at(path, split.block_line, 1),
    };
    let mut front = FrontMatter::default();
    let mut title = None;
    for (key, value) in map {
        let Some(value) = value else { continue }; // `tags:` with nothing after it is absent
        let error = |message: String| Diagnostic::new(key_location(&key), message);
        let text = |value: Data, what: &str| {
            let kind = value.kind();
            value.into_text().ok_or_else(|| error(format!("`{key}` must be {what}, not {kind}")))
        };
        match key.as_str() {
            "title" => title = Some(text(value, "text")?),
            "date" | "updated" => {
                let raw = text(value, "a date")?;
                let parsed = date::parse(&raw, tz).ok_or_else(|| {
                    error(format!(
                        "`{key}`: {raw:?} is not a date in a known format (try 2018-02-13, 2018-02-13 10:00 or 2018-02-13T10:00:00-05:00)"
                    ))
                })?;
                if key == "date" { front.date = Some(parsed) } else { front.updated = Some(parsed) }
            }
            "tags" | "categories" | "category" => {
                let line = key_location(&key).line.unwrap_or(split.block_line);
                front.tags.push(
                    tags_field(value, line)
                        .map_err(|kind| error(format!("`{key}` must be a list or a string, not {kind}")))?,
                );
            }
            "series" => front.series = Some(text(value, "text")?).filter(|s| !s.trim().is_empty()),
            "part" => {
                let part = match &value {
                    Data::Integer(n) => u32::try_from(*n).ok().filter(|n| *n >= 1),
                    Data::Text(s) => s.trim().parse().ok().filter(|n| *n >= 1),
                    _ => None,
                };
                front.part = Some(part.ok_or_else(|| error("`part` must be a whole number, 1 or more".into()))?);
            }
            "summary" | "description" => front.summary = Some(text(value, "text")?),
            "draft" => front.draft = bool_value(&value).ok_or_else(|| error("`draft` must be true or false".into()))?,
            "published" => {
                front.draft = !bool_value(&value).ok_or_else(|| error("`published` must be true or false".into()))?
            }
            "slug" => front.slug = Some(text(value, "text")?),
            "permalink" | "url" => front.permalink = Some(text(value, "a path")?),
            "aliases" | "redirect_from" => {
                front.aliases = match &value {
                    Data::List(items) => items.iter().filter_map(Data::as_text).collect(),
                    other => vec![other.as_text().ok_or_else(|| error("`aliases` must be a list of paths".into()))?],
                }
            }
            "talk" => {
                let Data::Map(fields) = &value else {
                    return Err(error(
                        "`talk` must be a map with title, event, date, location, video and slides".into(),
                    ));
                };
                front.talk = Some(talk_field(fields, key_location(&key).line.unwrap_or(1)).map_err(error)?);
            }
            "extra" => match value {
                Data::Map(fields) => front.extra.extend(fields),
                other => return Err(error(format!("`extra` must be a map, not {}", other.kind()))),
            },
            _ => {
                front.extra.insert(key, value);
            }
        }
    }
    front.title = match title {
        Some(title) if !title.trim().is_empty() => title,
        _ => return Err(Diagnostic::new(Location::at(path, 1, 1), "front matter has no `title`")),
    };
    Ok(front)
}

fn bool_value(value: &Data) -> Option<bool> {
    match value {
        Data::Bool(b) => Some(*b),
        Data::Text(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("yes") => Some(true),
        Data::Text(s) if s.eq_ignore_ascii_case("false") || s.eq_ignore_ascii_case("no") => Some(false),
        _ => None,
    }
}

fn tags_field(value: Data, line: usize) -> Result<TagsField, &'static str> {
    match value {
        Data::List(items) => {
            let mut tags = Vec::with_capacity(items.len());
            for item in items {
                let kind = item.kind();
                let tag = item.into_text().ok_or(kind)?;
                // Most tags come trimmed: kept as they are, not copied.
                let tag = if tag.trim().len() == tag.len() { tag } else { tag.trim().to_owned() };
                if !tag.is_empty() {
                    tags.push(tag);
                }
            }
            Ok(TagsField::List(tags))
        }
        Data::Map(_) => Err("a map"),
        scalar => Ok(TagsField::Text { text: scalar.into_text().unwrap_or_default(), line }),
    }
}

fn talk_field(fields: &BTreeMap<String, Data>, line: usize) -> Result<TalkField, String> {
    let mut talk = TalkField { line, ..TalkField::default() };
    for (key, value) in fields {
        let text = value.as_text().ok_or_else(|| format!("`talk.{key}` must be text, not {}", value.kind()))?;
        let slot = match key.as_str() {
            "title" => &mut talk.title,
            "event" => &mut talk.event,
            "date" => &mut talk.date,
            "location" => &mut talk.location,
            "video" => &mut talk.video,
            "slides" => &mut talk.slides,
            other => {
                let known = ["title", "event", "date", "location", "video", "slides"];
                return Err(match crate::config::closest(other, &known) {
                    Some(best) => format!("unknown key `talk.{other}`, did you mean `{best}`?"),
                    None => format!("unknown key `talk.{other}` (known: {})", known.join(", ")),
                });
            }
        };
        *slot = Some(text).filter(|t| !t.trim().is_empty());
    }
    Ok(talk)
}

/// A top-level key and where it is in the block (1-based line and column).
#[derive(Debug)]
struct KeyAt<'a> {
    key: &'a str,
    line: usize,
    column: usize,
}

struct Duplicate<'a> {
    key: &'a str,
    line: usize,
    column: usize,
    first_line: usize,
}

/// The block's top-level keys, found by their lines: YAML parsers report a duplicate at the
/// mapping's start, and the writer needs the duplicate's own line.
fn top_level_keys(block: &str, format: Format) -> Vec<KeyAt<'_>> {
    let mut keys = Vec::new();
    let mut in_toml_table = false;
    for (index, line) in block.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) || line.trim().is_empty() {
            continue;
        }
        let key = match format {
            Format::Yaml => line
                .split_once(':')
                .filter(|(_, rest)| rest.is_empty() || rest.starts_with([' ', '\t']))
                .map(|(key, _)| key),
            Format::Toml => {
                if line.starts_with('[') {
                    in_toml_table = true;
                }
                if in_toml_table { None } else { line.split_once('=').map(|(key, _)| key) }
            }
        };
        if let Some(key) = key {
            let key = key.trim().trim_matches(['"', '\'']);
            if !key.is_empty() {
                keys.push(KeyAt { key, line: index + 1, column: 1 });
            }
        }
    }
    keys
}

fn find_duplicate<'a>(keys: &[KeyAt<'a>]) -> Option<Duplicate<'a>> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for key in keys {
        if let Some(first_line) = seen.insert(key.key, key.line) {
            return Some(Duplicate { key: key.key, line: key.line, column: key.column, first_line });
        }
    }
    None
}

type ParseError = (usize, usize, String);
type Fields = Vec<(String, Option<Data>)>;

fn parse_yaml(block: &str) -> Result<Fields, ParseError> {
    if block.trim().is_empty() {
        return Ok(Vec::new());
    }
    let top: YamlNode = serde_yaml::from_str(block).map_err(|err| {
        let (line, column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
        let message = err.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        (line, column, format!("invalid YAML: {message}"))
    })?;
    match top {
        YamlNode::Map(fields) => Ok(fields),
        YamlNode::Value(None) => Ok(Vec::new()),
        YamlNode::Value(Some(_)) => Err((1, 1, "front matter must be a map of `key: value` lines".into())),
    }
}

/// One YAML node, read straight into [`Data`]: going through `serde_yaml::Value` first would
/// build (and hash) a second tree of every block.
enum YamlNode {
    /// A map's keys in the order written; a key with nothing after it (`tags:`) has `None`.
    Map(Fields),
    /// Anything else; `None` for null and blank text, which count as absent.
    Value(Option<Data>),
}

impl YamlNode {
    fn into_data(self) -> Option<Data> {
        match self {
            YamlNode::Map(fields) => Some(Data::Map(fields.into_iter().filter_map(|(k, v)| Some((k, v?))).collect())),
            YamlNode::Value(data) => data,
        }
    }

    /// A map key as text: `2019:` is the key "2019".
    fn into_key(self) -> String {
        self.into_data().and_then(Data::into_text).unwrap_or_default()
    }
}

/// Reads a map's entries, refusing a key given twice as `serde_yaml::Value` would.
fn yaml_entries<'de, A: MapAccess<'de>>(mut map: A) -> Result<Fields, A::Error> {
    let mut fields: Fields = Vec::with_capacity(map.size_hint().unwrap_or(8));
    // Past a few keys, a set, so a block of many keys still reads in linear time.
    let mut large: Option<std::collections::HashSet<String>> = None;
    while let Some(key) = map.next_key::<YamlNode>()? {
        let key = key.into_key();
        let given_twice = if fields.len() < 16 {
            fields.iter().any(|(seen, _)| *seen == key)
        } else {
            let seen = large.get_or_insert_with(|| fields.iter().map(|(seen, _)| seen.clone()).collect());
            !seen.insert(key.clone())
        };
        if given_twice {
            return Err(serde::de::Error::custom(format_args!("duplicate entry with key {key:?}")));
        }
        let value = map.next_value::<YamlNode>()?;
        fields.push((key, value.into_data()));
    }
    Ok(fields)
}

impl<'de> Deserialize<'de> for YamlNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = YamlNode;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_bool<E>(self, b: bool) -> Result<YamlNode, E> {
                Ok(YamlNode::Value(Some(Data::Bool(b))))
            }
            fn visit_i64<E>(self, i: i64) -> Result<YamlNode, E> {
                Ok(YamlNode::Value(Some(Data::Integer(i))))
            }
            fn visit_u64<E>(self, u: u64) -> Result<YamlNode, E> {
                Ok(YamlNode::Value(Some(i64::try_from(u).map_or(Data::Float(u as f64), Data::Integer))))
            }
            fn visit_f64<E>(self, f: f64) -> Result<YamlNode, E> {
                Ok(YamlNode::Value(Some(Data::Float(f))))
            }
            fn visit_str<E>(self, s: &str) -> Result<YamlNode, E> {
                Ok(YamlNode::Value((!s.trim().is_empty()).then(|| Data::Text(s.to_owned()))))
            }
            fn visit_string<E>(self, s: String) -> Result<YamlNode, E> {
                Ok(YamlNode::Value((!s.trim().is_empty()).then_some(Data::Text(s))))
            }
            fn visit_unit<E>(self) -> Result<YamlNode, E> {
                Ok(YamlNode::Value(None))
            }
            fn visit_none<E>(self) -> Result<YamlNode, E> {
                Ok(YamlNode::Value(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<YamlNode, D::Error> {
                YamlNode::deserialize(deserializer)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlNode, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4));
                while let Some(item) = seq.next_element::<YamlNode>()? {
                    items.extend(item.into_data());
                }
                Ok(YamlNode::Value(Some(Data::List(items))))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<YamlNode, A::Error> {
                yaml_entries(map).map(YamlNode::Map)
            }
            /// A tagged node (`!secret x`) is read as its value.
            fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<YamlNode, A::Error> {
                let (IgnoredAny, contents) = data.variant()?;
                contents.newtype_variant()
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

fn parse_toml(block: &str) -> Result<Fields, ParseError> {
    let table: toml::Table = toml::from_str(block).map_err(|err| {
        let (line, column) = err.span().map_or((1, 1), |span| line_column(block, span.start));
        (line, column, format!("invalid TOML: {}", err.message().trim()))
    })?;
    Ok(table.into_iter().map(|(key, value)| (key, toml_data(value))).collect())
}

fn toml_data(value: toml::Value) -> Option<Data> {
    use toml::Value;
    Some(match value {
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => Data::Text(s),
        Value::Integer(i) => Data::Integer(i),
        Value::Float(f) => Data::Float(f),
        Value::Boolean(b) => Data::Bool(b),
        Value::Datetime(d) => Data::Text(d.to_string()),
        Value::Array(items) => Data::List(items.into_iter().filter_map(toml_data).collect()),
        Value::Table(table) => Data::Map(table.into_iter().filter_map(|(k, v)| Some((k, toml_data(v)?))).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(text: &str) -> Result<FrontMatter, String> {
        let split = split(text).map_err(|e| format!("{}: {}", e.line, e.message))?;
        parse(Path::new("p.md"), &split, &TimeZone::UTC).map_err(|d| d.to_string())
    }

    #[test]
    fn splits_yaml_and_toml_blocks() {
        let s = split("---\ntitle: A\n---\nbody\n").unwrap();
        assert_eq!((s.format, s.block, s.body, s.body_line), (Format::Yaml, "title: A\n", "body\n", 4));
        let s = split("+++\ntitle = \"A\"\n+++\n\nbody").unwrap();
        assert_eq!((s.format, s.block, s.body, s.body_line), (Format::Toml, "title = \"A\"\n", "\nbody", 4));
        let s = split("---   \ntitle: A\n---").unwrap();
        assert_eq!(s.body, "");
    }

    #[test]
    fn a_separator_inside_the_body_is_body() {
        let s = split("---\ntitle: A\n---\ntext\n---\nmore\n").unwrap();
        assert_eq!(s.body, "text\n---\nmore\n");
    }

    #[test]
    fn missing_or_unclosed_front_matter_says_so() {
        assert!(split("# Just markdown\n").unwrap_err().message.contains("no front matter"));
        assert!(split("").unwrap_err().message.contains("no front matter"));
        assert!(split("---\ntitle: A\n").unwrap_err().message.contains("never closed"));
        assert!(split("---").unwrap_err().message.contains("never closed"));
    }

    #[test]
    fn duplicate_key_is_reported_at_its_own_line() {
        let err = front("---\ntitle: A\ndate: 2018-02-13\ntags: [a]\ntitle: B\n---\n").unwrap_err();
        assert_eq!(err, "p.md:5:1: key `title` is given twice (first on line 2)");
    }

    #[test]
    fn title_shapes() {
        assert_eq!(front("---\ntitle: 2019\n---\n").unwrap().title, "2019");
        let err = front("---\ndate: 2018-02-13\ntitle: [a, b]\n---\n").unwrap_err();
        assert_eq!(err, "p.md:3:1: `title` must be text, not a list");
        let err = front("---\ntitle:\n  a: b\n---\n").unwrap_err();
        assert!(err.contains("not a map"), "{err}");
        assert!(front("---\ndate: 2018-02-13\n---\n").unwrap_err().contains("no `title`"));
    }

    #[test]
    fn bad_date_names_the_key_and_line() {
        let err = front("---\ntitle: A\n\ndate: last tuesday\n---\n").unwrap_err();
        assert!(err.starts_with("p.md:4:1: `date`: \"last tuesday\" is not a date"), "{err}");
    }

    #[test]
    fn yaml_syntax_errors_count_lines_in_the_whole_file() {
        let err = front("---\ntitle: A\ntags: [a, b\n---\n").unwrap_err();
        assert!(err.starts_with("p.md:"), "{err}");
        let line: usize = err.split(':').nth(1).unwrap().parse().unwrap();
        assert!(line >= 3, "{err}");
    }

    #[test]
    fn empty_values_are_absent_and_unknown_keys_go_to_extra() {
        let f = front("---\ntitle: A\ntags:\nlayout: post\ncomments: true\nextra:\n  mood: happy\n---\n").unwrap();
        assert!(f.tags.is_empty());
        assert_eq!(f.extra["layout"], Data::Text("post".into()));
        assert_eq!(f.extra["comments"], Data::Bool(true));
        assert_eq!(f.extra["mood"], Data::Text("happy".into()));
    }

    #[test]
    fn tags_and_categories_in_every_shape() {
        let f = front("---\ntitle: A\ntags: [a, b c]\ncategories:\n  - d\n---\n").unwrap();
        assert_eq!(f.tags, vec![TagsField::List(vec!["a".into(), "b c".into()]), TagsField::List(vec!["d".into()])]);
        let f = front("---\ntitle: A\n\ntags: elixir otp\n---\n").unwrap();
        assert_eq!(f.tags, vec![TagsField::Text { text: "elixir otp".into(), line: 4 }]);
    }

    #[test]
    fn drafts_published_slug_permalink_aliases() {
        let f = front("---\ntitle: A\npublished: false\nslug: x\nurl: /old/x/\naliases: [/a/, /b/]\n---\n").unwrap();
        assert!(f.draft);
        assert_eq!(f.slug.as_deref(), Some("x"));
        assert_eq!(f.permalink.as_deref(), Some("/old/x/"));
        assert_eq!(f.aliases, vec!["/a/", "/b/"]);
        assert!(front("---\ntitle: A\ndraft: true\n---\n").unwrap().draft);
    }

    #[test]
    fn block_scalars_comments_and_colons_in_keys() {
        let f = front("---\n# a comment\ntitle: >-\n  Folded\n  title\nsummary: |\n  line one\n  title: not a key\n\"odd:key\": 1\n---\n").unwrap();
        assert_eq!(f.title, "Folded title");
        assert!(f.summary.unwrap().contains("title: not a key"));
        assert_eq!(f.extra["odd:key"], Data::Integer(1));
    }

    #[test]
    fn yaml_values_of_every_kind_read_straight_into_data() {
        let f = front(
            "---\ntitle: A\nsecret: !vault x\nbig: 18446744073709551615\nratio: 0.5\n2019: year\nnone: ~\nlist: [1, ~, '', b]\nnested:\n  k: [true, {a: 1}]\n  blank: ' '\n---\n",
        )
        .unwrap();
        assert_eq!(f.extra["secret"], Data::Text("x".into()), "a tagged value is read as its value");
        assert_eq!(f.extra["big"], Data::Float(18446744073709551615.0));
        assert_eq!(f.extra["ratio"], Data::Float(0.5));
        assert_eq!(f.extra["2019"], Data::Text("year".into()));
        assert!(!f.extra.contains_key("none"));
        assert_eq!(f.extra["list"], Data::List(vec![Data::Integer(1), Data::Text("b".into())]));
        let inner = BTreeMap::from([("a".to_owned(), Data::Integer(1))]);
        let nested = BTreeMap::from([("k".to_owned(), Data::List(vec![Data::Bool(true), Data::Map(inner)]))]);
        assert_eq!(f.extra["nested"], Data::Map(nested));
        let err = front("---\ntitle: A\nextra:\n  a: 1\n  b: 2\n  a: 3\n---\n").unwrap_err();
        assert!(err.contains("duplicate entry with key \"a\""), "{err}");
        let many: String = (0..40).map(|i| format!("  k{i}: {i}\n")).collect();
        let err = front(&format!("---\ntitle: A\nextra:\n{many}  k7: again\n---\n")).unwrap_err();
        assert!(err.contains("duplicate entry with key \"k7\""), "{err}");
        assert!(front("---\n- a\n- b\n---\n").unwrap_err().contains("must be a map"));
        assert!(front("---\n~\n---\n").unwrap_err().contains("no `title`"));
    }
    #[test]
    fn toml_front_matter() {
        let f = front("+++\ntitle = \"A\"\ndate = 2018-02-13T10:00:00-05:00\ntags = [\"x\"]\n[extra]\nk = 1\n+++\n")
            .unwrap();
        assert_eq!(f.date.unwrap().timestamp().to_string(), "2018-02-13T15:00:00Z");
        assert_eq!(f.extra["k"], Data::Integer(1));
        let err = front("+++\ntitle = \"A\"\ntitle = \"B\"\n+++\n").unwrap_err();
        assert!(err.starts_with("p.md:3:1:"), "{err}");
    }

    #[test]
    fn talk_map() {
        let f = front("---\ntitle: A\ntalk:\n  title: T\n  event: E\n  video: https://youtu.be/x\n---\n").unwrap();
        let talk = f.talk.unwrap();
        assert_eq!((talk.title.as_deref(), talk.event.as_deref(), talk.line), (Some("T"), Some("E"), 3));
        assert!(front("---\ntitle: A\ntalk:\n  vidoe: x\n---\n").unwrap_err().contains("did you mean `video`"));
    }
}
