#![no_main]
//! Any bytes as a post: splitting and reading front matter must give a value or a located
//! error, never a panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let path = std::path::Path::new("content/posts/fuzz.md");
    let _ = blog::load::parse_source(path, "posts/fuzz.md", text.to_owned(), Vec::new(), &jiff::tz::TimeZone::UTC);
});
