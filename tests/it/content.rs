//! Content loading end to end: front-matter shapes, file names, bundles, time.

use crate::harness::{CONFIG, TestSite};

#[test]
fn bom_crlf_toml_and_markdown_extension() {
    let site = TestSite::new();
    site.file("content/posts/bom.md", "\u{feff}---\r\ntitle: With BOM\r\ndate: 2018-02-13\r\n---\r\nBody one.\r\n");
    site.file(
        "content/posts/toml.markdown",
        "+++\ntitle = \"In TOML\"\ndate = 2018-02-14\ntags = [\"x\"]\n+++\nBody two.\n",
    );
    let build = site.build();
    assert_eq!(build.page("/posts/bom/").text("h1"), "With BOM");
    assert_eq!(build.page("/posts/toml/").text("h1"), "In TOML");
}

#[test]
fn jekyll_file_name_dates_and_slugs() {
    let site = TestSite::new();
    site.file("content/posts/2018/2018-02-13-Hello-World.md", "---\ntitle: Hi\n---\nx\n");
    site.file("content/posts/2018-03-01-other.md", "---\ntitle: Other\ndate: 2018-04-01\nslug: Custom Slug\n---\nx\n");
    let build = site.build();
    let page = build.page("/posts/hello-world/");
    assert_eq!(page.select("time").first().and_then(|t| t.value().attr("datetime")), Some("2018-02-13T00:00:00Z"));
    let other = build.page("/posts/custom-slug/");
    assert_eq!(
        other.select("time").first().and_then(|t| t.value().attr("datetime")),
        Some("2018-04-01T00:00:00Z"),
        "front matter wins over the file name"
    );
}

#[test]
fn dates_without_offset_are_in_the_site_timezone_and_permalinks_read_it() {
    let site = TestSite::with_config(&format!(
        "{CONFIG}timezone = \"America/New_York\"\npermalink = \"/:year/:month/:day/:slug/\"\n"
    ));
    site.post("late", "Late", "\"2018-02-13 23:30\"", "", "x");
    site.post("offset", "Offset", "2018-02-14T02:00:00+00:00", "", "x");
    let build = site.build();
    let late = build.page("/2018/02/13/late/");
    assert_eq!(late.select("time").first().and_then(|t| t.value().attr("datetime")), Some("2018-02-14T04:30:00Z"));
    assert!(build.exists("/2018/02/13/offset/"), "02:00 UTC is still the 13th in New York");
}

#[test]
fn every_listed_date_shape_builds() {
    let site = TestSite::new();
    for (i, date) in [
        "2018-02-13",
        "2018-02-13T10:00:00-05:00",
        "\"2018-02-13 10:00:00 -0500\"",
        "\"2018-02-13 10:00\"",
        "\"2018-02-13 9:05:00 +0000\"",
    ]
    .iter()
    .enumerate()
    {
        site.post(&format!("d{i}"), &format!("D{i}"), date, "", "x");
    }
    let build = site.build();
    assert!(build.stdout().contains("5 posts"), "{}", build.stdout());
}

#[test]
fn permalink_and_url_keys_override_the_pattern() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-13", "permalink: /2018/old-address.html", "x");
    site.post("b", "B", "2018-02-13", "url: /legacy/b/", "x");
    let build = site.build();
    assert_eq!(build.page("/2018/old-address.html").text("h1"), "A");
    assert_eq!(build.page("/legacy/b/").text("h1"), "B");
}

#[test]
fn unknown_keys_and_extra_reach_templates_and_never_fail() {
    let site = TestSite::new();
    site.post("x", "X", "2018-02-13", "layout: post\ncomments: true\nextra:\n  mood: sunny", "x");
    site.file(
        "templates/post.html",
        "<p id=m>{{ post.extra.mood }} {{ post.extra.layout }} {{ post.extra.comments }}</p>",
    );
    assert_eq!(site.build().page("/posts/x/").text("#m"), "sunny post true");
}

#[test]
fn a_loop_over_extra_goes_in_key_order() {
    let site = TestSite::new();
    let extra = "extra:\n  zebra: 1\n  apple: 2\n  mango: 3\n  kiwi: 4\n  banana: 5\n  cherry: 6\n  fig: 7\n  lime: 8";
    site.post("x", "X", "2018-02-13", extra, "x");
    site.file(
        "templates/post.html",
        "<p id=k>{% for key, value in post.extra %}{{ key }}={{ value }} {% endfor %}</p>",
    );
    assert_eq!(
        site.build().page("/posts/x/").text("#k"),
        "apple=2 banana=5 cherry=6 fig=7 kiwi=4 lime=8 mango=3 zebra=1"
    );
}

#[test]
fn bundles_copy_their_files_beside_the_page() {
    let site = TestSite::new();
    site.file("content/posts/trip/index.md", "---\ntitle: Trip\ndate: 2018-02-13\n---\n![A lake](lake.png)\n");
    site.file("content/posts/trip/lake.png", b"\x89PNG fake");
    site.file("content/posts/trip/maps/route.gpx", "<gpx/>");
    let build = site.build();
    // Resolved against the post, so the image also shows in the summary on the home page.
    assert_eq!(build.page("/posts/trip/").select("img[src=\"/posts/trip/lake.png\"]").len(), 1);
    assert_eq!(build.page("/").select(".summary img[src=\"/posts/trip/lake.png\"]").len(), 1);
    assert!(build.exists("/posts/trip/lake.png"));
    assert!(build.exists("/posts/trip/maps/route.gpx"));
}

#[test]
fn a_bundle_inside_another_keeps_its_own_files() {
    let site = TestSite::new();
    site.file("content/posts/trip/index.md", "---\ntitle: Trip\ndate: 2018-02-13\n---\n![A lake](lake.png)\n");
    site.file("content/posts/trip/lake.png", b"\x89PNG lake");
    site.file("content/posts/trip/walk/index.md", "---\ntitle: Walk\ndate: 2018-02-14\n---\n![A boat](boat.png)\n");
    site.file("content/posts/trip/walk/boat.png", b"\x89PNG boat");
    let build = site.build();
    assert_eq!(build.page("/posts/walk/").select("img[src=\"/posts/walk/boat.png\"]").len(), 1);
    assert_eq!(std::fs::read(build.file_for("/posts/walk/boat.png")).unwrap(), b"\x89PNG boat");
    assert!(!build.exists("/posts/trip/walk/boat.png"), "the inner bundle's file is not the outer one's");
    assert_eq!(std::fs::read(build.file_for("/posts/trip/lake.png")).unwrap(), b"\x89PNG lake");
}

#[test]
fn drafts_and_published_false_only_with_drafts_flag() {
    let site = TestSite::new();
    site.post("d1", "Draft one", "2018-02-13", "draft: true", "x");
    site.post("d2", "Draft two", "2018-02-13", "published: false", "x");
    site.post("p", "Public", "2018-02-12", "", "x");
    let build = site.build();
    assert!(!build.exists("/posts/d1/") && !build.exists("/posts/d2/"));
    assert!(!build.text("/").contains("Draft"));
    let build = site.build_with(&["--drafts"]);
    assert!(build.exists("/posts/d1/") && build.exists("/posts/d2/"));
    assert!(build.page("/posts/d1/").text(".meta").contains("DRAFT"));
}

#[test]
fn scheduled_posts_wait_for_their_moment() {
    let site = TestSite::with_config(&format!("{CONFIG}timezone = \"Europe/Berlin\"\n"));
    site.post("past", "Past", "2018-02-10", "tags: [t]", "x");
    site.post("later", "Later", "2018-02-20T10:00:00+01:00", "tags: [t]", "x");
    site.post("far", "Far future", "2999-01-01", "tags: [t]", "x");
    let build = site.build();
    assert!(!build.exists("/posts/far/"));
    assert!(!build.text("/tags/t/").contains("Far future"));
    let build = site.build_with(&["--as-of", "2018-02-19"]);
    assert!(!build.exists("/posts/later/"), "the day before");
    assert!(!build.text("/").contains("Later"));
    let build = site.build_with(&["--as-of", "2018-02-20"]);
    assert!(build.exists("/posts/later/"), "the end of that day in the site's zone");
    assert!(!build.exists("/posts/far/"));
    let build = site.build_with(&["--future"]);
    assert!(build.exists("/posts/far/"));
    assert!(build.page("/posts/far/").text(".meta").contains("SCHEDULED"));
}

#[test]
fn two_posts_on_one_url_is_an_error_naming_both() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-13", "slug: same", "x");
    site.post("b", "B", "2018-02-14", "slug: same", "x");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    assert!(stderr.contains("content/posts/a.md") && stderr.contains("content/posts/b.md"), "{stderr}");
    assert!(stderr.contains("/posts/same/"), "{stderr}");
}

#[test]
fn same_slug_on_different_dates_is_fine_under_a_dated_permalink() {
    let site = TestSite::with_config(&format!("{CONFIG}permalink = \"/:year/:month/:day/:slug/\"\n"));
    site.post("a", "A", "2018-02-13", "slug: weekly", "x");
    site.post("b", "B", "2018-02-20", "slug: weekly", "x");
    let build = site.build();
    assert!(build.exists("/2018/02/13/weekly/") && build.exists("/2018/02/20/weekly/"));
}

#[test]
fn summary_from_front_matter_marker_or_first_paragraph() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-13", "summary: Given summary", "First para.\n\nSecond.");
    site.post("b", "B", "2018-02-12", "", "Intro one.\n\nIntro two.\n\n<!--more-->\n\nHidden rest.");
    site.post("c", "C", "2018-02-11", "", "Only the first.\n\nNot this.");
    let index = site.build().page("/");
    let summaries = index.texts(".summary");
    assert_eq!(summaries, vec!["Given summary", "Intro one. Intro two.", "Only the first."]);
}

#[test]
fn a_marker_inside_a_paragraph_leaves_nothing_open_on_the_list_page() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-13", "", "First *words <!-- more --> and* the rest.\n\nLater.");
    site.post("b", "B", "2018-02-12", "tags: [after]", "Plain.");
    let index = site.build().page("/");
    assert_eq!(index.texts(".summary"), vec!["First words", "Plain."]);
    // Left open, the `<em>` went on in the browser over the posts listed after this one.
    assert_eq!(index.texts("em"), vec!["words"]);
    assert_eq!(index.texts(".post-summary h2"), vec!["A", "B"]);
}

#[test]
fn liquid_and_hugo_syntax_stays_text() {
    let site = TestSite::new();
    site.post(
        "l",
        "L",
        "2018-02-13",
        "",
        "See {% link x.md %} and {{ site.x }} and {{< figure src=a >}}.\n\n```\n{{ code }}\n```",
    );
    let page = site.build().page("/posts/l/");
    let text = page.text(".content");
    assert!(
        text.contains("{% link x.md %}") && text.contains("{{ site.x }}") && text.contains("{{< figure src=a >}}"),
        "{text}"
    );
    assert!(page.text(".content pre").contains("{{ code }}"));
}
