//! The one integration-test binary: fixture sites built by the real `blog` binary in temp
//! folders, their pages parsed with scraper. See `harness.rs` for the `TestSite` builder.

mod browser;
mod harness;

mod authoring;
mod build;
mod cache;
mod check;
mod content;
mod embeds;
mod hardening;
mod navigation;
mod output;
mod properties;
mod publishing;
mod sample;
#[cfg(feature = "serve")]
mod serve;
mod theme;
