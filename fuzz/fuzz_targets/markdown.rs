#![no_main]
//! Any text as a post body, shortcode look-alikes included: rendering never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let config = blog::config::MarkdownConfig::default();
    let _ = blog::render::markdown::render(text, &config, &blog::render::markdown::plain_code_block, &blog::render::markdown::Links::NONE);
});
