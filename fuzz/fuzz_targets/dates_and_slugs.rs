#![no_main]
//! Dates and slugs from any text: a value or nothing, never a panic, and slugs stay URL-safe.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = blog::load::date::parse(text, &jiff::tz::TimeZone::UTC);
    let _ = blog::load::date::parse_as_of(text, &jiff::tz::TimeZone::UTC);
    let slug = blog::model::Slug::from_text(text);
    assert!(slug.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
});
