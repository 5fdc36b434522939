//! The one integration-test binary: fixture sites built by the real `blog` binary in temp
//! folders, their pages parsed with scraper. See `harness.rs` for the `TestSite` builder.

mod browser;
mod harness;

mod build;
mod content;
mod embeds;
mod navigation;
mod output;
