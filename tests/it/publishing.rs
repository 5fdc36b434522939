//! Publishing: feeds, sitemap and robots.txt, head metadata, highlighted code, the table of
//! contents, and scheduled posts kept out of all of it until their time.

use std::collections::BTreeSet;
use std::path::Path;

use feed_rs::model::Feed;

use crate::harness::{Build, TestSite};

/// A site under a path, so every absolute address must carry `/blog`.
const UNDER_A_PATH: &str = "title = \"Notes & <Code>\"\ndescription = \"About things\"\nauthor = \"Ann\"\n\
base_url = \"https://example.com/blog/\"\npaginate = 10\n[[series]]\nname = \"28 days of elixir\"\ntotal = 5\n";

fn feed(build: &Build, url: &str) -> Feed {
    let text = build.text(url);
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{url} is not a feed: {e}\n{text}"))
}

fn title(feed_title: &Option<feed_rs::model::Text>) -> &str {
    &feed_title.as_ref().expect("a title").content
}

fn rel_href<'a>(links: &'a [feed_rs::model::Link], rel: &str) -> Option<&'a str> {
    links.iter().find(|l| l.rel.as_deref() == Some(rel)).map(|l| l.href.as_str())
}

/// Three posts: two in the series, one of them updated later, and a title that needs escaping.
fn three_posts(config: &str) -> TestSite {
    let site = TestSite::with_config(config);
    site.post(
        "one",
        "One & <Two>",
        "2018-02-01T10:00:00Z",
        "tags: [elixir, \"28 days of elixir\"]",
        "See [the next one](/posts/two/), ![a photo](photo.png) and [notes](#notes).\n\n## Notes\n\nx",
    );
    site.post("two", "Two", "2018-02-02T10:00:00Z", "tags: [elixir, \"28 days of elixir\"]\nupdated: 2018-03-05", "y");
    site.post("three", "Three", "2018-02-03T10:00:00Z", "tags: [rust]", "z");
    site
}

#[test]
fn the_site_atom_feed_has_every_required_element() {
    let site = three_posts(UNDER_A_PATH);
    let build = site.build();
    let atom = feed(&build, "/atom.xml");
    assert_eq!(atom.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(title(&atom.title), "Notes & <Code>");
    assert_eq!(atom.id, "https://example.com/blog/atom.xml");
    assert_eq!(rel_href(&atom.links, "self"), Some("https://example.com/blog/atom.xml"));
    assert_eq!(rel_href(&atom.links, "alternate"), Some("https://example.com/blog/"));
    assert_eq!(atom.authors[0].name.as_deref(), Some("Ann"));
    // `updated` is the newest change: post two's `updated`, not the newest post's date.
    assert_eq!(atom.updated.unwrap().to_rfc3339(), "2018-03-05T00:00:00+00:00");

    let titles: Vec<&str> = atom.entries.iter().map(|e| title(&e.title)).collect();
    assert_eq!(titles, ["Three", "Two", "One & <Two>"], "newest first");
    let one = &atom.entries[2];
    assert_eq!(one.id, "https://example.com/blog/posts/one/");
    assert_eq!(one.links[0].href, "https://example.com/blog/posts/one/");
    assert_eq!(one.published.unwrap().to_rfc3339(), "2018-02-01T10:00:00+00:00");
    assert_eq!(one.updated.unwrap().to_rfc3339(), "2018-02-01T10:00:00+00:00");
    assert_eq!(atom.entries[1].updated.unwrap().to_rfc3339(), "2018-03-05T00:00:00+00:00");
    let terms: Vec<&str> = one.categories.iter().map(|c| c.label.as_deref().unwrap_or(&c.term)).collect();
    assert_eq!(terms, ["elixir", "28 days of elixir"]);

    let content = one.content.as_ref().and_then(|c| c.body.clone()).expect("content");
    assert!(content.contains("href=\"https://example.com/blog/posts/two/\""), "{content}");
    assert!(content.contains("src=\"https://example.com/blog/posts/one/photo.png\""), "{content}");
    assert!(content.contains("href=\"https://example.com/blog/posts/one/#notes\""), "{content}");
    assert!(!content.contains("=\"/"), "a root-relative address is left: {content}");
}

#[test]
fn the_rss_feed_parses_with_items_newest_first() {
    let site = three_posts(UNDER_A_PATH);
    let build = site.build();
    let rss = feed(&build, "/rss.xml");
    assert_eq!(rss.feed_type, feed_rs::model::FeedType::RSS2);
    assert_eq!(title(&rss.title), "Notes & <Code>");
    assert_eq!(rss.links[0].href, "https://example.com/blog/");
    assert_eq!(rss.updated.unwrap().to_rfc3339(), "2018-03-05T00:00:00+00:00");
    let titles: Vec<&str> = rss.entries.iter().map(|e| title(&e.title)).collect();
    assert_eq!(titles, ["Three", "Two", "One & <Two>"]);
    let one = &rss.entries[2];
    assert_eq!(one.id, "https://example.com/blog/posts/one/");
    assert_eq!(one.links[0].href, "https://example.com/blog/posts/one/");
    assert_eq!(one.published.unwrap().to_rfc3339(), "2018-02-01T10:00:00+00:00");
    let description = one.summary.as_ref().map(|s| s.content.clone()).unwrap_or_default();
    assert!(description.contains("src=\"https://example.com/blog/posts/one/photo.png\""), "{description}");
}

#[test]
fn each_tag_and_series_has_its_own_atom_feed() {
    let site = three_posts(UNDER_A_PATH);
    let build = site.build();
    let elixir = feed(&build, "/tags/elixir/atom.xml");
    assert_eq!(elixir.id, "https://example.com/blog/tags/elixir/atom.xml");
    assert!(title(&elixir.title).contains("elixir"));
    assert_eq!(rel_href(&elixir.links, "alternate"), Some("https://example.com/blog/tags/elixir/"));
    let titles: Vec<&str> = elixir.entries.iter().map(|e| title(&e.title)).collect();
    assert_eq!(titles, ["Two", "One & <Two>"]);
    assert_eq!(elixir.updated.unwrap().to_rfc3339(), "2018-03-05T00:00:00+00:00");

    let rust = feed(&build, "/tags/rust/atom.xml");
    assert_eq!(rust.entries.len(), 1);
    assert_eq!(rust.updated.unwrap().to_rfc3339(), "2018-02-03T10:00:00+00:00");

    let series = feed(&build, "/series/28-days-of-elixir/atom.xml");
    assert_eq!(series.id, "https://example.com/blog/series/28-days-of-elixir/atom.xml");
    assert_eq!(rel_href(&series.links, "alternate"), Some("https://example.com/blog/series/28-days-of-elixir/"));
    let titles: Vec<&str> = series.entries.iter().map(|e| title(&e.title)).collect();
    assert_eq!(titles, ["Two", "One & <Two>"]);
}

#[test]
fn feeds_hold_the_newest_posts_up_to_the_limit() {
    let site = TestSite::new();
    for day in 1..=23 {
        let tags = if day <= 2 { "tags: [rare]" } else { "tags: [common]" };
        site.post(&format!("p{day:02}"), &format!("Post {day}"), &format!("2018-01-{day:02}"), tags, "x");
    }
    let build = site.build();
    let atom = feed(&build, "/atom.xml");
    assert_eq!(atom.entries.len(), 20, "the default limit is 20");
    assert_eq!(title(&atom.entries[0].title), "Post 23");
    assert_eq!(title(&atom.entries[19].title), "Post 4");
    assert_eq!(feed(&build, "/rss.xml").entries.len(), 20);
    assert_eq!(feed(&build, "/tags/rare/atom.xml").entries.len(), 2, "min(limit, posts)");
    assert_eq!(feed(&build, "/tags/common/atom.xml").entries.len(), 20);

    site.file("site.toml", format!("{}[feeds]\nlimit = 5\n", crate::harness::CONFIG));
    let build = site.build();
    assert_eq!(feed(&build, "/atom.xml").entries.len(), 5);
    assert_eq!(feed(&build, "/rss.xml").entries.len(), 5);
    assert_eq!(feed(&build, "/tags/rare/atom.xml").entries.len(), 2);
}

#[test]
fn feeds_can_be_turned_off_one_by_one() {
    let site = TestSite::with_config(&format!("{}[feeds]\nrss = false\n", crate::harness::CONFIG));
    site.post("a", "A", "2018-01-01", "tags: [x]", "x");
    let build = site.build();
    assert!(build.exists("/atom.xml") && !build.exists("/rss.xml"));
    assert!(build.page("/").select("link[type='application/rss+xml']").is_empty());

    site.file("site.toml", format!("{}[feeds]\natom = false\n", crate::harness::CONFIG));
    let build = site.build();
    assert!(!build.exists("/atom.xml") && !build.exists("/tags/x/atom.xml") && build.exists("/rss.xml"));
    assert!(build.page("/").select("link[type='application/atom+xml']").is_empty());
    assert!(build.page("/tags/x/").select("link[type='application/atom+xml']").is_empty());
}

#[test]
fn without_base_url_there_are_no_feeds_and_no_sitemap_and_a_warning_says_so() {
    let site = TestSite::with_config("title = \"T\"\n");
    site.post("a", "A", "2018-01-01", "tags: [x]", "x");
    let build = site.build();
    for url in ["/atom.xml", "/rss.xml", "/tags/x/atom.xml", "/sitemap.xml"] {
        assert!(!build.exists(url), "{url} was written");
    }
    assert!(build.stderr().contains("feeds and the sitemap are skipped"), "{}", build.stderr());
    let robots = build.text("/robots.txt");
    assert!(robots.contains("User-agent: *") && !robots.contains("Sitemap:"), "{robots}");
    assert!(build.page("/").select("link[rel='alternate']").is_empty());
}

#[test]
fn pages_point_at_their_feeds() {
    let site = three_posts(UNDER_A_PATH);
    let build = site.build();
    let atom_links = |url: &str| build.page(url).hrefs("head link[rel='alternate'][type='application/atom+xml']");
    let site_feed = "https://example.com/blog/atom.xml".to_owned();
    assert_eq!(atom_links("/"), [site_feed.as_str()]);
    assert_eq!(
        build.page("/").hrefs("head link[rel='alternate'][type='application/rss+xml']"),
        ["https://example.com/blog/rss.xml"]
    );
    assert_eq!(
        atom_links("/tags/elixir/"),
        [site_feed.clone(), "https://example.com/blog/tags/elixir/atom.xml".into()]
    );
    let series_feed = "https://example.com/blog/series/28-days-of-elixir/atom.xml".to_owned();
    assert_eq!(atom_links("/series/28-days-of-elixir/"), [site_feed.clone(), series_feed.clone()]);
    assert_eq!(atom_links("/posts/one/"), [site_feed.clone(), series_feed]);
    assert_eq!(atom_links("/posts/three/"), [site_feed]);
    // Every advertised feed exists.
    for url in ["/tags/elixir/", "/series/28-days-of-elixir/", "/posts/one/"] {
        for href in atom_links(url) {
            assert!(build.exists(href.trim_start_matches("https://example.com/blog")), "{href}");
        }
    }
}

/// The sitemap's `(loc, lastmod)` pairs.
fn sitemap(build: &Build) -> Vec<(String, Option<String>)> {
    let text = build.text("/sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("sitemap is not XML: {e}\n{text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(root.tag_name().namespace(), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
    root.children()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let child =
                |name: &str| url.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).map(str::to_owned);
            (child("loc").expect("every url has a loc"), child("lastmod"))
        })
        .collect()
}

/// Every HTML page written, as site paths, except redirects.
fn html_pages(public: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .filter(|e| !std::fs::read_to_string(e.path()).unwrap().contains("http-equiv=\"refresh\""))
        .map(|e| {
            let rel = e.path().strip_prefix(public).unwrap().to_string_lossy().replace('\\', "/");
            format!("/{}", rel.strip_suffix("index.html").unwrap_or(&rel))
        })
        .collect()
}

#[test]
fn the_sitemap_lists_every_page_but_redirects_and_the_404_with_lastmod() {
    let site = three_posts(&UNDER_A_PATH.replace("paginate = 10", "paginate = 1"));
    site.post("talk", "A talk", "2018-01-15", "talk:\n  title: Talk\n  event: Conf\naliases: [/old/talk/]", "t");
    site.file("content/about.md", "---\ntitle: About\n---\nMe.\n");
    site.file("content/now.md", "---\ntitle: Now\ndate: 2018-04-01\n---\nNow.\n");
    let build = site.build();
    let entries = sitemap(&build);
    let listed: BTreeSet<String> =
        entries.iter().map(|(loc, _)| loc.strip_prefix("https://example.com/blog").expect(loc).to_owned()).collect();
    let mut expected = html_pages(&build.public);
    assert!(expected.remove("/404.html"));
    assert!(expected.contains("/page/2/") && expected.contains("/tags/elixir/page/2/") && expected.contains("/talks/"));
    assert_eq!(listed, expected);
    assert_eq!(listed.len(), entries.len(), "no page twice");
    assert!(!listed.contains("/old/talk/") && !listed.contains("/page/1/"));

    let lastmod = |path: &str| {
        let loc = format!("https://example.com/blog{path}");
        entries.iter().find(|(l, _)| *l == loc).unwrap_or_else(|| panic!("{path} missing")).1.clone()
    };
    assert_eq!(lastmod("/posts/two/").as_deref(), Some("2018-03-05T00:00:00+00:00"), "a post's `updated`");
    assert_eq!(lastmod("/posts/one/").as_deref(), Some("2018-02-01T10:00:00+00:00"));
    assert_eq!(lastmod("/").as_deref(), Some("2018-02-03T10:00:00+00:00"), "the home page shows post three");
    assert_eq!(lastmod("/page/2/").as_deref(), Some("2018-03-05T00:00:00+00:00"), "page 2 shows post two");
    assert_eq!(lastmod("/tags/elixir/").as_deref(), Some("2018-03-05T00:00:00+00:00"));
    assert_eq!(lastmod("/series/28-days-of-elixir/").as_deref(), Some("2018-03-05T00:00:00+00:00"));
    assert_eq!(lastmod("/talks/").as_deref(), Some("2018-01-15T00:00:00+00:00"));
    assert_eq!(lastmod("/now/").as_deref(), Some("2018-04-01T00:00:00+00:00"));
    for (loc, date) in &entries {
        if !loc.ends_with("/about/") {
            assert!(date.is_some(), "{loc} has no lastmod");
        }
    }
}

#[test]
fn robots_txt_points_at_the_sitemap_unless_the_site_has_its_own() {
    let site = three_posts(UNDER_A_PATH);
    let robots = site.build().text("/robots.txt");
    assert!(robots.lines().any(|l| l == "Sitemap: https://example.com/blog/sitemap.xml"), "{robots}");
    site.file("static/robots.txt", "User-agent: *\nDisallow: /drafts/\n");
    assert_eq!(site.build().text("/robots.txt"), "User-agent: *\nDisallow: /drafts/\n");
}

fn meta(page: &crate::harness::Page, attribute: &str, name: &str) -> Vec<String> {
    page.select(&format!("head meta[{attribute}='{name}']"))
        .iter()
        .map(|m| m.value().attr("content").unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_post_head_has_canonical_open_graph_twitter_and_json_ld() {
    let site = three_posts(UNDER_A_PATH);
    site.post("amp", "Tom & Jerry", "2018-01-01", "tags: [cartoons]", "Tom & Jerry <3 \"friends\".\n\nMore.");
    let build = site.build();
    let post = build.page("/posts/one/");
    assert_eq!(post.hrefs("head link[rel='canonical']"), ["https://example.com/blog/posts/one/"]);
    assert_eq!(meta(&post, "property", "og:title"), ["One & <Two>"]);
    assert_eq!(meta(&post, "property", "og:type"), ["article"]);
    assert_eq!(meta(&post, "property", "og:url"), ["https://example.com/blog/posts/one/"]);
    assert_eq!(meta(&post, "property", "article:published_time"), ["2018-02-01T10:00:00Z"]);
    assert_eq!(meta(&post, "property", "article:tag"), ["elixir", "28 days of elixir"]);
    assert_eq!(meta(&post, "name", "twitter:card"), ["summary"]);
    assert_eq!(post.text("head title"), "One & <Two> · Notes & <Code>");

    // The description is the summary as plain text, escaped once.
    let amp = build.page("/posts/amp/");
    assert_eq!(meta(&amp, "name", "description"), ["Tom & Jerry <3 “friends”."]);
    assert_eq!(meta(&amp, "property", "og:description"), ["Tom & Jerry <3 “friends”."]);

    let json = post.select("script[type='application/ld+json']");
    assert_eq!(json.len(), 1);
    let raw = json[0].inner_html();
    assert!(!raw.contains('<'), "`<` is escaped inside the script: {raw}");
    let ld: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "BlogPosting");
    assert_eq!(ld["headline"], "One & <Two>");
    assert_eq!(ld["author"]["name"], "Ann");
    assert_eq!(ld["datePublished"], "2018-02-01T10:00:00Z");
    assert_eq!(ld["dateModified"], "2018-02-01T10:00:00Z");
    assert_eq!(ld["keywords"], "elixir, 28 days of elixir");
    assert_eq!(ld["mainEntityOfPage"]["@id"], "https://example.com/blog/posts/one/");
    assert!(ld["description"].as_str().unwrap().starts_with("See the next one"), "{ld}");
    let two: serde_json::Value =
        serde_json::from_str(&build.page("/posts/two/").select("script[type='application/ld+json']")[0].inner_html())
            .unwrap();
    assert_eq!(two["dateModified"], "2018-03-05T00:00:00Z");
}

#[test]
fn every_page_has_a_canonical_url_and_open_graph() {
    let site = three_posts(UNDER_A_PATH);
    site.file("content/about.md", "---\ntitle: About\n---\nWho I am.\n");
    let build = site.build();
    for (url, og_type) in [
        ("/", "website"),
        ("/posts/one/", "article"),
        ("/about/", "website"),
        ("/tags/", "website"),
        ("/tags/elixir/", "website"),
        ("/series/", "website"),
        ("/series/28-days-of-elixir/", "website"),
        ("/talks/", "website"),
    ] {
        let page = build.page(url);
        let permalink = format!("https://example.com/blog{url}");
        assert_eq!(page.hrefs("head link[rel='canonical']"), [permalink.as_str()], "{url}");
        assert_eq!(meta(&page, "property", "og:url"), [permalink], "{url}");
        assert_eq!(meta(&page, "property", "og:type"), [og_type], "{url}");
        assert_eq!(meta(&page, "property", "og:title").len(), 1, "{url}");
        assert_eq!(meta(&page, "property", "og:description").len(), 1, "{url}");
        assert_eq!(meta(&page, "name", "description").len(), 1, "{url}");
        assert_eq!(meta(&page, "name", "twitter:card"), ["summary"], "{url}");
        if og_type == "website" {
            assert!(page.select("script[type='application/ld+json']").is_empty(), "{url}");
            assert!(meta(&page, "property", "article:published_time").is_empty(), "{url}");
        }
    }
    assert_eq!(meta(&build.page("/"), "name", "description"), ["About things"]);
    assert_eq!(meta(&build.page("/about/"), "name", "description"), ["Who I am."]);
    site.file("content/about.md", "---\ntitle: About\n---\n![](me.png)\n\nWho I am.\n");
    let about = site.build().page("/about/");
    assert_eq!(meta(&about, "name", "description"), ["About things"], "a summary with no text: the site's");
    assert_eq!(meta(&build.page("/about/"), "property", "og:title"), ["About"]);
    assert_eq!(meta(&build.page("/tags/elixir/"), "property", "og:title"), ["Posts tagged “elixir”"]);
}

const CODE_POST: &str = "```elixir\ndefmodule Hello do\n  def hi, do: \"<hi>\"\nend\n```\n\n\
```rust\nfn main() { println!(\"&\"); }\n```\n\n```klingon\nQapla' <b>\n```\n\n```\nplain & simple\n```\n";

#[test]
fn code_is_highlighted_with_classes_and_a_light_and_dark_stylesheet() {
    let site = TestSite::new();
    site.post("code", "Code", "2018-01-01", "", CODE_POST);
    let build = site.build();
    let post = build.page("/posts/code/");
    let blocks = post.select("pre code");
    assert_eq!(blocks.len(), 4);
    for (block, language) in blocks.iter().take(2).zip(["elixir", "rust"]) {
        assert_eq!(block.value().attr("class"), Some(format!("language-{language}").as_str()));
        let spans = block.select(&scraper::Selector::parse("span[class^='hl-']").unwrap()).count();
        assert!(spans > 3, "{language} is not highlighted: {}", block.html());
    }
    let texts = post.texts("pre code");
    assert_eq!(texts[0], "defmodule Hello do def hi, do: \"<hi>\" end", "the code reads the same");
    assert_eq!(texts[1], "fn main() { println!(\"&\"); }");
    // An unknown language and no language: plain escaped code, and the build passed.
    assert_eq!(blocks[2].value().attr("class"), Some("language-klingon"));
    assert_eq!(blocks[2].inner_html(), "Qapla' &lt;b&gt;\n");
    assert_eq!(blocks[3].inner_html(), "plain &amp; simple\n");

    assert_eq!(post.hrefs("head link[rel='stylesheet'][href$='highlight.css']"), ["/highlight.css"]);
    let css = build.text("/highlight.css");
    assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
    assert!(css.contains(".hl-keyword"), "{css}");
    assert_eq!(css.matches(".hl-code {").count(), 2, "one base rule for light, one for dark");
}

#[test]
fn highlighting_can_be_turned_off_or_given_a_theme() {
    let site = TestSite::with_config(&format!("{}[markdown]\nhighlight = false\n", crate::harness::CONFIG));
    site.post("code", "Code", "2018-01-01", "", CODE_POST);
    let build = site.build();
    let post = build.page("/posts/code/");
    assert_eq!(post.select("pre code span").len(), 0);
    assert_eq!(post.select("pre code.language-elixir").len(), 1);
    assert_eq!(post.text("pre code.language-elixir"), "defmodule Hello do def hi, do: \"<hi>\" end");
    assert!(!build.exists("/highlight.css"));
    assert!(post.hrefs("head link[href$='highlight.css']").is_empty());

    site.file("site.toml", format!("{}[markdown]\nhighlight_theme = \"Nord\"\n", crate::harness::CONFIG));
    let css = site.build().text("/highlight.css");
    assert!(css.contains("theme \"Nord\""), "{css}");
    site.file("site.toml", format!("{}[markdown]\nhighlight_theme = \"Nrod\"\n", crate::harness::CONFIG));
    let failed = site.build_with(&[]);
    assert_eq!(failed.code(), 1);
    assert!(failed.stderr().contains("site.toml:4:1: unknown highlight_theme \"Nrod\""), "{}", failed.stderr());
}

#[test]
fn long_posts_get_a_table_of_contents() {
    let site = TestSite::new();
    site.post(
        "long",
        "Long",
        "2018-01-01",
        "",
        "Intro.\n\n## Setup\n\nx\n\n### Install `mix`\n\ny\n\n## Use it\n\nz\n",
    );
    site.post("short", "Short", "2018-01-02", "", "Intro.\n\n## Only\n\nx\n\n## Two\n\ny\n");
    let build = site.build();
    let long = build.page("/posts/long/");
    let toc = long.select("nav[aria-label='Table of contents']");
    assert_eq!(toc.len(), 1);
    let links = long.hrefs("nav[aria-label='Table of contents'] a");
    assert_eq!(links, ["#setup", "#install-mix", "#use-it"]);
    assert_eq!(long.texts("nav[aria-label='Table of contents'] a"), ["Setup", "Install mix", "Use it"]);
    for link in &links {
        assert_eq!(long.select(link).len(), 1, "{link} points at a heading");
    }
    assert!(build.page("/posts/short/").select("nav[aria-label='Table of contents']").is_empty(), "two headings");

    site.file("site.toml", format!("{}[markdown]\ntoc = false\n", crate::harness::CONFIG));
    let build = site.build();
    let long = build.page("/posts/long/");
    assert!(long.select("nav[aria-label='Table of contents']").is_empty());
    assert_eq!(long.select("h2#setup").len(), 1, "headings keep their ids");
}

/// Every output file that mentions `needle`, as paths under `public/`.
fn files_mentioning(public: &Path, needle: &str) -> BTreeSet<String> {
    walkdir::WalkDir::new(public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|text| text.contains(needle)))
        .map(|e| e.path().strip_prefix(public).unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_scheduled_post_is_nowhere_until_its_time() {
    let site = three_posts(UNDER_A_PATH);
    site.post(
        "later",
        "Zeppelin Schedule",
        "2018-06-01T09:00:00Z",
        "tags: [elixir, futurology, \"28 days of elixir\"]",
        "Written ahead: zeppelin-body-text.",
    );
    let before = site.build_with(&["--as-of", "2018-05-31"]);
    assert!(before.ok(), "{}", before.stderr());
    // Only the series page names it, as coming, without a link.
    assert_eq!(
        files_mentioning(&before.public, "Zeppelin"),
        BTreeSet::from(["series/28-days-of-elixir/index.html".into()])
    );
    let series = before.page("/series/28-days-of-elixir/");
    assert!(series.text(".part-coming").contains("Zeppelin Schedule"));
    assert!(series.text(".part-coming").contains("coming June 1, 2018"));
    assert!(files_mentioning(&before.public, "/posts/later/").is_empty());
    assert!(files_mentioning(&before.public, "zeppelin-body-text").is_empty());
    assert!(files_mentioning(&before.public, "futurology").is_empty(), "its only tag has no page");
    assert!(!before.exists("/posts/later/"));
    assert!(sitemap(&before).iter().all(|(loc, _)| !loc.contains("later") && !loc.contains("futurology")));
    for url in ["/atom.xml", "/rss.xml", "/tags/elixir/atom.xml", "/series/28-days-of-elixir/atom.xml"] {
        let feed = feed(&before, url);
        assert!(feed.entries.iter().all(|e| !e.id.contains("later")), "{url}");
        assert_ne!(feed.updated.unwrap().to_rfc3339(), "2018-06-01T09:00:00+00:00", "{url}");
    }

    for args in [&["--as-of", "2018-06-01"][..], &["--as-of", "2018-05-31", "--future"][..]] {
        let after = site.build_with(args);
        assert!(after.ok(), "{}", after.stderr());
        assert!(after.exists("/posts/later/"), "{args:?}");
        for url in ["/atom.xml", "/rss.xml", "/tags/elixir/atom.xml", "/series/28-days-of-elixir/atom.xml"] {
            let feed = feed(&after, url);
            assert_eq!(feed.entries[0].id, "https://example.com/blog/posts/later/", "{url} {args:?}");
        }
        assert!(feed(&after, "/tags/futurology/atom.xml").entries.len() == 1);
        assert!(sitemap(&after).iter().any(|(loc, _)| loc == "https://example.com/blog/posts/later/"));
        assert!(sitemap(&after).iter().any(|(loc, _)| loc == "https://example.com/blog/tags/futurology/"));
        assert_eq!(after.page("/").link_to("Zeppelin Schedule").as_deref(), Some("/blog/posts/later/"));
        assert_eq!(after.page("/tags/elixir/").link_to("Zeppelin Schedule").as_deref(), Some("/blog/posts/later/"));
        let series = after.page("/series/28-days-of-elixir/");
        assert_eq!(series.link_to("Zeppelin Schedule").as_deref(), Some("/blog/posts/later/"));
        assert!(series.select(".part-coming").is_empty());
    }
}

#[test]
fn in_feeds_embeds_and_talk_cards_are_plain_links() {
    let site = TestSite::new();
    site.post(
        "talk",
        "Talk recap",
        "2018-02-13",
        "talk:\n  title: The talk\n  event: Meetup\n  video: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n  slides: /slides/deck.pdf",
        "Intro.\n\n{{ youtube(id=\"aqz-KE-bpKQ\", title=\"Lightning talk\") }}\n\nhttps://vimeo.com/76979871\n",
    );
    let build = site.build();
    assert!(!build.page("/posts/talk/").select("a.embed").is_empty(), "the page itself has placeholders");
    for url in ["/atom.xml", "/rss.xml"] {
        let entry = feed(&build, url).entries.remove(0);
        let html = entry.content.and_then(|c| c.body).or_else(|| entry.summary.map(|s| s.content)).unwrap();
        let page = crate::harness::Page(scraper::Html::parse_fragment(&html));
        assert!(page.select("iframe, script").is_empty(), "{url}: {html}");
        let links = page.hrefs("a");
        for expected in [
            "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
            "https://vimeo.com/76979871",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://example.com/slides/deck.pdf",
        ] {
            assert!(links.iter().any(|l| l == expected), "{url}: no link to {expected} in {links:?}");
        }
    }
}
