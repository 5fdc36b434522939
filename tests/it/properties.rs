//! Property tests: the parsers of user content never panic, whatever they are given.

use std::path::Path;

use blog::config::MarkdownConfig;
use blog::load::{date, front_matter};
use blog::model::Slug;
use blog::render::markdown;
use blog::render::shortcodes::{self, Shortcodes};
use blog::render::{Templates, ThemeSource};
use jiff::tz::TimeZone;
use proptest::prelude::*;

thread_local! {
    /// The built-in theme's templates: shortcodes render through them.
    static TEMPLATES: std::rc::Rc<Templates> =
        std::rc::Rc::new(Templates::load(Path::new("/nonexistent-site"), &ThemeSource::BuiltIn, TimeZone::UTC).unwrap());
}

fn front_matter_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("---".to_owned()),
        Just("+++".to_owned()),
        "[a-z]{1,6}: [ -~]{0,20}",
        "[a-z]{1,6} = [ -~]{0,20}",
        "  - [ -~]{0,10}",
        "title: [ -~]{0,20}",
        "date: [0-9: T+-]{0,25}",
        "tags: [ -~]{0,20}",
        "[\\PC]{0,30}",
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn front_matter_never_panics(text in front_matter_text()) {
        if let Ok(split) = front_matter::split(&text) {
            let _ = front_matter::parse(Path::new("p.md"), &split, &TimeZone::UTC);
        }
    }

    #[test]
    fn front_matter_errors_point_inside_the_file(text in front_matter_text()) {
        if let Ok(split) = front_matter::split(&text)
            && let Err(error) = front_matter::parse(Path::new("p.md"), &split, &TimeZone::UTC)
        {
            let lines = text.lines().count().max(1);
            prop_assert!(error.location.line.unwrap_or(1) <= lines + 1, "{error} in {lines} lines");
        }
    }

    #[test]
    fn markdown_with_shortcode_lookalikes_never_panics(text in "([\\PC\n]|\\{\\{|\\}\\}|\\{%|<!-- more -->|```|`|#|\\[|\\]|\\(|\\)){0,200}") {
        if let Ok(rendered) = markdown::render(&text, &MarkdownConfig::default(), &markdown::plain_code_block, &markdown::Links::NONE) {
            prop_assert!(rendered.reading_time >= 1);
        }
    }

    #[test]
    fn shortcode_expansion_never_panics_and_problems_point_inside_the_text(
        text in "([\\PC\n]|\\{\\{|\\}\\}|\\{\\{<|>\\}\\}|\\{\\{/\\*|\\*/\\}\\}|youtube\\(|vimeo\\(|speakerdeck\\(|id=\"|\"\\)|```|`|https://youtu\\.be/|https://vimeo\\.com/){0,80}"
    ) {
        let templates = TEMPLATES.with(|t| t.clone());
        let calls = Shortcodes { templates: &templates, prefix: "" };
        let options = markdown::parser_options(&MarkdownConfig::default());
        match shortcodes::expand(&text, options, &calls) {
            Ok(expanded) => {
                let html = markdown::render(&expanded.markdown, &MarkdownConfig::default(), &markdown::plain_code_block, &markdown::Links::NONE)
                    .map(|r| r.html)
                    .unwrap_or_default();
                let _ = expanded.substitute(&html, shortcodes::Form::Page);
            }
            Err(problems) => {
                for (offset, _) in problems {
                    prop_assert!(offset <= text.len());
                }
            }
        }
    }

    #[test]
    fn slugs_are_always_url_safe(text in "\\PC{0,40}") {
        let slug = Slug::from_text(&text);
        prop_assert!(slug.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        prop_assert!(!slug.as_str().starts_with('-') && !slug.as_str().ends_with('-'));
    }

    #[test]
    fn dates_never_panic(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]?[0-9: .+Z-]{0,20}|\\PC{0,30}") {
        let _ = date::parse(&text, &TimeZone::UTC);
        let _ = date::parse_as_of(&text, &TimeZone::UTC);
    }
}
