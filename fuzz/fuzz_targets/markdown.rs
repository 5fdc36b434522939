#![no_main]
//! Any text as a post body, shortcodes and their look-alikes included: expanding shortcodes,
//! rendering and making a feed entry's links absolute never panic, and every problem points
//! inside the text.

use std::sync::LazyLock;

use blog::model::BaseUrl;
use blog::render::shortcodes::{self, Shortcodes};
use blog::render::{Templates, ThemeSource};
use blog::render::{feeds, markdown};
use libfuzzer_sys::fuzz_target;

static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| {
    Templates::load(std::path::Path::new("/nonexistent-site"), &ThemeSource::BuiltIn, jiff::tz::TimeZone::UTC).unwrap()
});

static BASE: LazyLock<BaseUrl> = LazyLock::new(|| BaseUrl::parse("https://example.com/blog/").unwrap());

fuzz_target!(|text: &str| {
    let links = feeds::AbsoluteLinks::new("https://example.com/blog/posts/x/", &BASE).unwrap();
    let config = blog::config::MarkdownConfig::default();
    let calls = Shortcodes { templates: &TEMPLATES, prefix: "" };
    match shortcodes::expand(text, markdown::parser_options(&config), &calls) {
        Ok(expanded) => {
            if let Ok(rendered) =
                markdown::render(&expanded.markdown, &config, &markdown::plain_code_block, &markdown::Links::NONE)
            {
                let _ = expanded.substitute(&rendered.html, shortcodes::Form::Page);
                links.push(&mut String::new(), &rendered.html);
            }
            // Raw HTML of any shape reaches the feeds too, through Markdown's HTML blocks.
            links.push(&mut String::new(), text);
            let _ = feeds::escape(text);
        }
        Err(problems) => assert!(problems.iter().all(|(offset, _)| *offset <= text.len())),
    }
});
