//! Internal `@/` links resolved at build time, and `blog check` verifying every link of the
//! rendered site.

use crate::harness::TestSite;

/// `blog check` in the site: exit code, stdout, stderr.
fn check(site: &TestSite) -> (i32, String, String) {
    let output = site.command().arg("check").output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

/// The 1-based line and column where `needle` starts in a file of the site.
fn position(site: &TestSite, path: &str, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(site.root().join(path)).unwrap();
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle} not in {path}"));
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

fn linked_site(config: &str) -> TestSite {
    let site = TestSite::with_config(config);
    site.post(
        "a",
        "Post A",
        "2018-02-13",
        "",
        "## Setup\n\nSee [the intro of B](@/posts/b.md#intro) and [about](@/about.md).",
    );
    site.post(
        "b",
        "Post B",
        "2018-02-14",
        "",
        "## Intro\n\nBack to [A](@/posts/a.md).\n\n## Go [to the trip](@/posts/trip/index.md)",
    );
    site.file(
        "content/posts/trip/index.md",
        "---\ntitle: Trip\ndate: 2018-02-15\n---\n![The route](@/posts/trip/route.png)\n",
    );
    site.file("content/posts/trip/route.png", b"\x89PNG");
    site.file("content/about.md", "---\ntitle: About\n---\nStart with [post A](<@/posts/a.md#setup>).\n");
    site
}

#[test]
fn internal_links_become_the_targets_urls_with_their_anchors() {
    let site = linked_site("title = \"T\"\nbase_url = \"https://example.com/\"\n");
    let build = site.build();
    let a = build.page("/posts/a/");
    assert_eq!(a.link_to("the intro of B").as_deref(), Some("/posts/b/#intro"));
    assert_eq!(a.link_to("about").as_deref(), Some("/about/"));
    let b = build.page("/posts/b/");
    assert_eq!(b.link_to("to the trip").as_deref(), Some("/posts/trip/"), "links inside headings resolve too");
    let trip = build.page("/posts/trip/");
    let images: Vec<_> =
        trip.select(".content img").iter().filter_map(|i| i.value().attr("src")).map(String::from).collect();
    assert_eq!(images, vec!["/posts/trip/route.png"]);
    assert!(build.exists("/posts/trip/route.png"));
    assert_eq!(build.page("/about/").link_to("post A").as_deref(), Some("/posts/a/#setup"));
}

#[test]
fn internal_links_carry_the_base_path_prefix() {
    let site = linked_site("title = \"T\"\nbase_url = \"https://user.github.io/blog/\"\n");
    let build = site.build();
    let a = build.page("/posts/a/");
    assert_eq!(a.link_to("the intro of B").as_deref(), Some("/blog/posts/b/#intro"));
    assert_eq!(a.link_to("about").as_deref(), Some("/blog/about/"));
    let trip = build.page("/posts/trip/");
    assert_eq!(trip.select(".content img")[0].value().attr("src"), Some("/blog/posts/trip/route.png"));
}

#[test]
fn a_missing_internal_link_fails_the_build_naming_every_file_and_line() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-13", "tags: [x]\nsummary: S", "Intro.\n\nText with [gone](@/posts/nope.md) in it.");
    site.post("b", "B", "2018-02-14", "", "[draft](@/posts/later.md)\n\n[page](@/missing.md#x)");
    site.post("later", "Later", "2018-02-15", "draft: true", "Not yet.");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1, "{}", build.stderr());
    let stderr = build.stderr();
    let at = |path: &str, needle: &str| {
        let (line, column) = position(&site, path, needle);
        format!("{path}:{line}:{column}: internal link")
    };
    assert!(
        stderr.contains(&format!("{} @/posts/nope.md: no such post or page", at("content/posts/a.md", "[gone]"))),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{} @/missing.md#x: no such post or page", at("content/posts/b.md", "[page]"))));
    assert!(stderr.contains(&format!("{} @/posts/later.md: is a draft", at("content/posts/b.md", "[draft]"))));
    assert!(!site.build_with(&["--drafts"]).stderr().contains("@/posts/later.md"), "with --drafts it resolves");
}

#[test]
fn check_passes_a_good_site_and_writes_nothing() {
    let site = linked_site(crate::harness::CONFIG);
    site.file(
        "site.toml",
        format!("{}paginate = 1\n[[series]]\nname = \"Trips\"\ntotal = 3\n", crate::harness::CONFIG),
    );
    // Relative links stay out of the first paragraph, which list pages show as the summary.
    let body = "Summary.\n\n[Relative](../a/#setup), [static](/img/a.png), [top](#).";
    site.post("c", "C", "2018-02-16", "series: Trips\ntags: [travel]", body);
    site.post("d", "D", "2999-01-01", "series: Trips", "Scheduled.");
    site.file("static/img/a.png", b"\x89PNG");
    let (code, stdout, stderr) = check(&site);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("all OK"), "{stdout}");
    let pages: usize = stdout.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(pages > 10, "home pages, posts, tags, series: {stdout}");
    assert!(!site.root().join("public").exists(), "check writes no output");
}

#[test]
fn check_reports_each_broken_link_with_the_markdown_file_it_came_from() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-13", "", "## Setup\n\nSee [nothing](/posts/nope/) and [fine](/posts/b/).");
    site.post("b", "B", "2018-02-14", "", "Jump to [a's part](@/posts/a.md#install), [a's setup](@/posts/a.md#setup).");
    site.file("content/about.md", "---\ntitle: About\n---\n![me](/img/me.jpg)\n\n[css](/style.css)\n");
    site.file(
        "templates/tags.html",
        "{% extends \"base.html\" %}{% block content %}<a href=\"/nowhere/\">x</a>{% endblock content %}",
    );
    let (code, stdout, stderr) = check(&site);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let line = |path: &str, needle: &str| {
        let (line, column) = position(&site, path, needle);
        format!("{path}:{line}:{column}")
    };
    let expected = [
        format!("{}: broken link \"/posts/nope/\" (no such page)", line("content/posts/a.md", "/posts/nope/")),
        format!(
            "{}: broken link \"/posts/a/#install\" (no anchor #install on /posts/a/)",
            line("content/posts/b.md", ".md#install")
        ),
        format!("{}: broken link \"/img/me.jpg\" (no such file)", line("content/about.md", "/img/me.jpg")),
        "/tags/: broken link \"/nowhere/\" (no such page)".to_owned(),
    ];
    for message in &expected {
        assert!(stderr.contains(message.as_str()), "missing {message:?} in:\n{stderr}");
    }
    let errors = stderr.lines().filter(|l| l.starts_with("error: ")).count();
    assert_eq!(errors, expected.len(), "only the broken links are reported:\n{stderr}");
    assert!(stderr.contains("4 links broken"), "{stderr}");
}

#[test]
fn check_knows_the_base_path_prefix() {
    let site = TestSite::with_config("title = \"T\"\nbase_url = \"https://user.github.io/blog/\"\n");
    site.post(
        "a",
        "A",
        "2018-02-13",
        "",
        "[with prefix](/blog/posts/b/) [given the prefix](/posts/b/) <a href=\"/posts/b/\">raw HTML</a> [absolute](https://user.github.io/blog/nope/)",
    );
    site.post("b", "B", "2018-02-14", "", "Hi.");
    let (code, _, stderr) = check(&site);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("broken link \"/posts/b/\" (outside the site's base path /blog/)"), "{stderr}");
    assert!(stderr.contains("broken link \"https://user.github.io/blog/nope/\" (no such page)"), "{stderr}");
    assert!(!stderr.contains("\"/blog/posts/b/\""), "{stderr}");
    assert!(stderr.contains("2 links broken"), "a Markdown link to /posts/b/ is given the prefix:\n{stderr}");
}

#[test]
fn check_reports_content_errors_as_build_does() {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-13", "", "[x](@/posts/nope.md)");
    let (code, _, stderr) = check(&site);
    assert_eq!(code, 1);
    assert!(stderr.contains("content/posts/a.md:"), "{stderr}");
    assert!(stderr.contains("no such post or page"), "{stderr}");
}
