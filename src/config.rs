//! `site.toml`: the site's settings, read once at the start of a build.
//!
//! Every key SPEC lists is accepted here, even where a later stage gives it its meaning, and an
//! unknown key is an error that names it (with the closest known key when it looks like a typo),
//! because a silently ignored `paginte = 5` is worse than a failed build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Location};

pub const FILE_NAME: &str = "site.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_title")]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_permalink")]
    pub permalink: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_paginate")]
    pub paginate: usize,
    #[serde(default)]
    pub markdown: MarkdownConfig,
    #[serde(default)]
    pub feeds: FeedsConfig,
    #[serde(default)]
    pub series: Vec<SeriesConfig>,
    #[serde(default)]
    pub tag_slugs: BTreeMap<String, String>,
    #[serde(default)]
    pub extra: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    #[serde(default = "yes")]
    pub highlight: bool,
    #[serde(default = "default_highlight_theme")]
    pub highlight_theme: String,
    #[serde(default = "yes")]
    pub smart_punctuation: bool,
    #[serde(default = "yes")]
    pub footnotes: bool,
    #[serde(default = "yes")]
    pub toc: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedsConfig {
    #[serde(default = "yes")]
    pub atom: bool,
    #[serde(default = "yes")]
    pub rss: bool,
    #[serde(default = "default_feed_limit")]
    pub limit: usize,
}

/// One `[[series]]` entry: a run of posts read in order, marked by a tag of the same name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesConfig {
    pub name: String,
    #[serde(default)]
    pub total: Option<u32>,
    #[serde(default)]
    pub description: String,
}

fn yes() -> bool {
    true
}
fn default_title() -> String {
    "My blog".to_owned()
}
fn default_language() -> String {
    "en".to_owned()
}
fn default_timezone() -> String {
    "UTC".to_owned()
}
fn default_permalink() -> String {
    "/posts/:slug/".to_owned()
}
fn default_theme() -> String {
    "default".to_owned()
}
fn default_paginate() -> usize {
    10
}
fn default_highlight_theme() -> String {
    "default".to_owned()
}
fn default_feed_limit() -> usize {
    20
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        toml::from_str("").expect("empty [markdown] table deserializes")
    }
}

impl Default for FeedsConfig {
    fn default() -> Self {
        toml::from_str("").expect("empty [feeds] table deserializes")
    }
}

impl Default for Config {
    fn default() -> Self {
        toml::from_str("").expect("empty site.toml deserializes")
    }
}

impl Config {
    /// Reads `site.toml` from the site's root. A missing file is an error: it is what marks a
    /// folder as a site, and building a stray folder into `public/` would surprise.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = crate::load::display_path(root, &root.join(FILE_NAME));
        let text = std::fs::read_to_string(&path).map_err(|err| {
            Diagnostic::new(
                Location::file(&path),
                format!("cannot read {FILE_NAME}: {err} (is this a blog folder? `blog init` makes one)"),
            )
        })?;
        Config::parse(&path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, Diagnostic> {
        let config: Config = toml::from_str(text).map_err(|err| toml_error(path, text, &err))?;
        config.validate(path, text)?;
        Ok(config)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), Diagnostic> {
        let at_key = |key: &str| Location::of_key(path, text, key);
        if self.paginate == 0 {
            return Err(Diagnostic::new(at_key("paginate"), "paginate must be at least 1"));
        }
        if named_zone(&self.timezone).is_none() {
            return Err(Diagnostic::new(
                at_key("timezone"),
                format!("unknown timezone {:?} (use an IANA name such as \"Europe/Berlin\")", self.timezone),
            ));
        }
        if let Some(base_url) = &self.base_url {
            crate::model::url::BaseUrl::parse(base_url)
                .map_err(|message| Diagnostic::new(at_key("base_url"), message))?;
        }
        if let Err(message) = crate::render::highlight::check_theme(&self.markdown.highlight_theme) {
            return Err(Diagnostic::new(at_key("highlight_theme"), message));
        }
        if !self.permalink.starts_with('/') {
            return Err(Diagnostic::new(at_key("permalink"), "permalink must start with `/`"));
        }
        Ok(())
    }

    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        named_zone(&self.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// The `[[series]]` of that name, in any case.
    pub fn series_config(&self, name: &str) -> Option<&SeriesConfig> {
        self.series.iter().find(|s| same_name(&s.name, name))
    }

    pub fn path_in(root: &Path) -> PathBuf {
        root.join(FILE_NAME)
    }
}

/// The IANA zone of that name. The default, `UTC`, is known without the zone database, whose
/// first use lists the system's zone folders, one per continent, on every build.
fn named_zone(name: &str) -> Option<jiff::tz::TimeZone> {
    if name == "UTC" {
        return Some(jiff::tz::TimeZone::UTC);
    }
    jiff::tz::TimeZone::get(name).ok()
}

/// Whether two names of a tag or series are one, case aside: `Elixir` and `elixir`, `Año` and
/// `AÑO`. Most names are ASCII, and are compared without lower-casing a copy of each.
pub fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() { a.eq_ignore_ascii_case(b) } else { a.to_lowercase() == b.to_lowercase() }
}

/// The key a tag or series name is grouped under, by the same rule as [`same_name`]: lower case,
/// and borrowed as written when it already is (as most names are).
pub fn name_key(name: &str) -> std::borrow::Cow<'_, str> {
    if name.is_ascii() && !name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(name.to_lowercase())
    }
}

/// Turns toml's error into `site.toml:line:col: message`, adding "did you mean" for unknown keys.
fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> Diagnostic {
    let location = match err.span() {
        Some(span) => Location::at_offset(path, text, span.start),
        None => Location::file(path),
    };
    let message = err.message().trim().to_owned();
    let message = match unknown_field(&message) {
        Some((field, expected)) => {
            let mut message = format!("unknown key `{field}`");
            if let Some(best) = closest(field, &expected) {
                message.push_str(&format!(", did you mean `{best}`?"));
            } else if !expected.is_empty() {
                message.push_str(&format!(" (known keys: {})", expected.join(", ")));
            }
            message
        }
        None => message,
    };
    Diagnostic::new(location, message)
}

/// Reads serde's standard "unknown field `x`, expected one of `a`, `b`" message.
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest.split('`').skip(1).step_by(2).collect();
    Some((field, expected))
}

/// The known key nearest to a misspelt one, when it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), *candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_group_under_their_lower_case_borrowed_when_already_lower() {
        for name in ["elixir", "Elixir", "28 days of Elixir", "Año", "AÑO", "straße", "ΣΟΦΊΑ"] {
            assert_eq!(name_key(name), name.to_lowercase(), "{name}");
            assert!(same_name(&name_key(name), name), "{name}");
        }
        assert!(matches!(name_key("28 days of elixir"), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(name_key("año"), std::borrow::Cow::Owned(_)));
    }

    use super::*;

    fn parse(text: &str) -> Result<Config, Diagnostic> {
        Config::parse(Path::new("site.toml"), text)
    }

    #[test]
    fn defaults_match_spec() {
        let config = parse("").unwrap();
        assert_eq!(config.language, "en");
        assert_eq!(config.timezone, "UTC");
        assert_eq!(config.permalink, "/posts/:slug/");
        assert_eq!(config.theme, "default");
        assert_eq!(config.paginate, 10);
        assert_eq!(config.feeds.limit, 20);
        assert!(config.feeds.atom && config.feeds.rss);
        assert!(config.base_url.is_none());
    }

    #[test]
    fn whole_schema_parses() {
        let config = parse(
            r#"
title = "T"
description = "D"
author = "A"
base_url = "https://user.github.io/blog/"
language = "de"
timezone = "Europe/Berlin"
permalink = "/:year/:month/:day/:slug/"
theme = "default"
paginate = 5
[markdown]
highlight = false
highlight_theme = "Nord"
smart_punctuation = false
footnotes = true
toc = false
[feeds]
atom = true
rss = false
limit = 5
[[series]]
name = "28 days of elixir"
total = 28
description = "One a day"
[tag_slugs]
"C++" = "cpp"
[extra]
twitter = "me"
"#,
        )
        .unwrap();
        assert_eq!(config.series[0].total, Some(28));
        assert_eq!(config.tag_slugs["C++"], "cpp");
        assert!(!config.markdown.highlight);
        assert_eq!(config.extra["twitter"].as_str(), Some("me"));
    }

    #[test]
    fn unknown_key_names_it_and_suggests() {
        let err = parse("title = \"x\"\npaginte = 3\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("site.toml:2:1: unknown key `paginte`"), "{text}");
        assert!(text.contains("did you mean `paginate`"), "{text}");
    }

    #[test]
    fn unknown_key_in_a_table_is_caught_too() {
        let err = parse("[feeds]\nlimt = 3\n").unwrap_err().to_string();
        assert!(err.contains("unknown key `limt`, did you mean `limit`"), "{err}");
    }

    #[test]
    fn unknown_highlight_theme_is_an_error() {
        let err = parse("[markdown]\nhighlight_theme = \"Nrod\"\n").unwrap_err().to_string();
        assert!(err.starts_with("site.toml:2:1: unknown highlight_theme \"Nrod\""), "{err}");
    }

    #[test]
    fn bad_timezone_is_an_error() {
        let err = parse("timezone = \"Mars/Olympus\"\n").unwrap_err().to_string();
        assert!(err.starts_with("site.toml:1:1: unknown timezone"), "{err}");
    }
}
