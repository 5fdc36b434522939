#![no_main]
//! Any text as a post body, shortcodes and their look-alikes included: expanding shortcodes and
//! rendering never panic, and every problem points inside the text.

use std::sync::LazyLock;

use blog::render::markdown;
use blog::render::shortcodes::{self, Shortcodes};
use blog::render::{Templates, ThemeSource};
use libfuzzer_sys::fuzz_target;

static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| {
    Templates::load(std::path::Path::new("/nonexistent-site"), &ThemeSource::BuiltIn, jiff::tz::TimeZone::UTC).unwrap()
});

fuzz_target!(|text: &str| {
    let config = blog::config::MarkdownConfig::default();
    let calls = Shortcodes { templates: &TEMPLATES, prefix: "" };
    match shortcodes::expand(text, markdown::parser_options(&config), &calls) {
        Ok(expanded) => {
            if let Ok(rendered) =
                markdown::render(&expanded.markdown, &config, &markdown::plain_code_block, &markdown::Links::NONE)
            {
                let _ = expanded.substitute(&rendered.html, shortcodes::Form::Page);
            }
        }
        Err(problems) => assert!(problems.iter().all(|(offset, _)| *offset <= text.len())),
    }
});
