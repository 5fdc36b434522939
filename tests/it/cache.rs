//! The build cache in `.blog-cache/`: highlighted code kept between builds by content hash.
//!
//! Where a test needs to know what the cache holds, it asks the library's own cache type with
//! the key the build uses (`blog::code_cache`), so these tests follow the cache's format.

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::TestSite;

const CODE: &str = "defmodule Hello do\n  def hi, do: :world\nend\n";
const OTHER_CODE: &str = "fn main() {\n    println!(\"hi\");\n}\n";

fn code_site() -> TestSite {
    let site = TestSite::new();
    site.post("one", "One", "2018-01-01", "", &format!("Intro.\n\n```elixir\n{CODE}```\n"));
    site.post("two", "Two", "2018-01-02", "", &format!("Intro.\n\n```rust\n{OTHER_CODE}```\n\n```klingon\nx\n```\n"));
    site
}

/// The cache a build of `root` uses, as it is on disk now.
fn cache(root: &Path) -> blog::render::cache::CodeCache {
    let config = blog::Config::load(root).unwrap();
    blog::code_cache(root, &config).expect("the site highlights code")
}

/// What the cache holds for a block: its HTML, or `None` when it has no entry.
fn cached(root: &Path, language: &str, code: &str) -> Option<String> {
    let mut hit = true;
    let html = cache(root).get_or_insert(language, code, || {
        hit = false;
        String::new()
    });
    hit.then_some(html)
}

/// Every file of an output folder, by path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let path = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            files.insert(path, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

fn cache_file(root: &Path) -> std::path::PathBuf {
    let dir = root.join(".blog-cache");
    let found: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bin"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

#[test]
fn a_warm_build_writes_what_a_cold_one_does() {
    let site = code_site();
    let cold = site.build_with(&["--no-cache", "-o", "cold"]);
    assert!(cold.ok(), "{}", cold.stderr());
    assert!(site.build_with(&["-o", "first"]).ok());
    assert!(cached(site.root(), "elixir", CODE).is_some(), "the first build filled the cache");
    assert!(cached(site.root(), "klingon", "x\n").is_none(), "plain code needs no cache");
    let warm = site.build_with(&["-o", "warm"]);
    assert!(warm.ok(), "{}", warm.stderr());

    let cold = files(&site.root().join("cold"));
    assert!(cold.keys().any(|path| path == "posts/one/index.html"));
    assert_eq!(files(&site.root().join("first")), cold);
    assert_eq!(files(&site.root().join("warm")), cold);
    let html = String::from_utf8(cold["posts/one/index.html"].clone()).unwrap();
    assert!(html.contains("<span class=\"hl-keyword\">defmodule</span>"), "{html}");
}

#[test]
fn a_build_takes_code_from_the_cache_and_no_cache_neither_reads_nor_writes_it() {
    let site = code_site();
    let build = site.build_with(&["--no-cache"]);
    assert!(build.ok(), "{}", build.stderr());
    assert!(!site.root().join(".blog-cache").exists(), "--no-cache wrote a cache");

    // A cache that says something else about one block: a build that reads it shows it.
    let planted = cache(site.root());
    planted.get_or_insert("elixir", CODE, || "<pre>from the cache</pre>\n".to_owned());
    planted.save();
    let before = std::fs::read(cache_file(site.root())).unwrap();

    let build = site.build_with(&["--no-cache"]);
    assert!(!build.text("/posts/one/").contains("from the cache"), "--no-cache read the cache");
    assert_eq!(std::fs::read(cache_file(site.root())).unwrap(), before, "--no-cache wrote the cache");

    let build = site.build();
    assert!(build.text("/posts/one/").contains("from the cache"), "the build did not read the cache");
    assert!(build.page("/posts/two/").select("pre code span").len() > 3, "a miss is highlighted");
}

#[test]
fn a_corrupt_or_foreign_cache_is_ignored_and_replaced() {
    let site = code_site();
    let expected = {
        let build = site.build_with(&["--no-cache", "-o", "cold"]);
        assert!(build.ok());
        files(&site.root().join("cold"))
    };
    site.build();
    let good = std::fs::read(cache_file(site.root())).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    for damaged in [b"not a cache at all".to_vec(), good[..good.len() / 2].to_vec(), flipped, Vec::new()] {
        std::fs::write(cache_file(site.root()), &damaged).unwrap();
        let build = site.build();
        assert_eq!(build.code(), 0);
        assert!(!build.stderr().contains("error"), "{}", build.stderr());
        assert_eq!(files(&build.public), expected);
        assert_eq!(std::fs::read(cache_file(site.root())).unwrap(), good, "the cache was written afresh");
    }
}

#[test]
fn blocks_no_longer_in_the_site_are_dropped_and_a_theme_change_misses() {
    let site = code_site();
    site.build();
    assert!(cached(site.root(), "rust", OTHER_CODE).is_some());
    site.post("two", "Two", "2018-01-02", "", "The code is gone.");
    site.build();
    assert!(cached(site.root(), "rust", OTHER_CODE).is_none(), "a block no post has any more stays");
    assert!(cached(site.root(), "elixir", CODE).is_some(), "a block still used was dropped");

    std::fs::write(
        site.root().join("site.toml"),
        format!("{}[markdown]\nhighlight_theme = \"Nord\"\n", crate::harness::CONFIG),
    )
    .unwrap();
    assert!(cached(site.root(), "elixir", CODE).is_none(), "the theme is part of the key");
    let build = site.build();
    assert!(build.page("/posts/one/").select("pre code span").len() > 3);
    assert!(cached(site.root(), "elixir", CODE).is_some());
}
