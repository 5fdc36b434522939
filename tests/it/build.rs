//! `blog build` as a user runs it: exit codes, the summary line, errors, base paths, templates.

use crate::harness::{CONFIG, TestSite};

fn simple_site() -> TestSite {
    let site = TestSite::new();
    site.post("hello", "Hello", "2018-02-13", "tags: [intro]", "The *first* post.\n\n## Setup\n\nMore text.");
    site.file("content/about.md", "---\ntitle: About me\n---\nI write things.\n");
    site
}

#[test]
fn builds_posts_pages_index_and_404_and_prints_one_summary_line() {
    let site = simple_site();
    let build = site.build();
    let stdout = build.stdout();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("Built ") && stdout.contains("(1 post, 1 tag, 0 series) in "), "{stdout}");
    let post = build.page("/posts/hello/");
    assert_eq!(post.text("h1"), "Hello");
    assert!(post.select(".content em").len() == 1);
    assert_eq!(post.hrefs("h2#setup a.anchor"), vec!["#setup"]);
    assert_eq!(build.page("/about/").text("h1"), "About me");
    assert_eq!(build.page("/").link_to("Hello").as_deref(), Some("/posts/hello/"));
    assert!(build.text("/404.html").contains("Page not found"));
    assert!(build.exists("/style.css"), "the built-in theme's static files are copied");
}

#[test]
fn a_site_without_themes_folder_uses_the_built_in_theme_and_templates_override_it() {
    let site = simple_site();
    assert!(!site.root().join("themes").exists());
    site.file("templates/page.html", "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ page.title | upper }}</h1>{% endblock content %}");
    let build = site.build();
    assert_eq!(build.page("/about/").text("h1.custom"), "ABOUT ME");
    assert_eq!(build.page("/posts/hello/").text("h1"), "Hello", "other templates stay the theme's");
}

#[test]
fn a_theme_folder_on_disk_is_used() {
    let site = simple_site();
    site.file("site.toml", format!("{CONFIG}theme = \"plain\"\n"));
    site.file("themes/plain/templates/post.html", "<h1>{{ post.title }} (plain)</h1>");
    site.file("themes/plain/static/plain.css", "body{}");
    let build = site.build();
    assert!(build.text("/posts/hello/").contains("Hello (plain)"));
    assert!(build.exists("/plain.css"));
    assert!(!build.exists("/style.css"), "a theme folder replaces the built-in static files");
}

#[test]
fn a_sites_post_item_partial_is_each_posts_entry_on_the_home_and_tag_pages() {
    let site = simple_site();
    site.post("second", "Second", "2018-02-14", "tags: [intro, misc]", "More.");
    site.file(
        "templates/partials/post_item.html",
        "<li class=\"mine\"><a href=\"{{ post.url }}\">{{ post.title }}</a> ({{ post.tags | length }} tags)</li>",
    );
    let build = site.build();
    for list in ["/", "/tags/intro/"] {
        let page = build.page(list);
        assert_eq!(page.texts("li.mine"), vec!["Second (2 tags)", "Hello (1 tags)"], "on {list}");
        assert!(page.select(".post-summary").is_empty(), "the default item is replaced on {list}");
    }
    assert_eq!(build.page("/tags/misc/").texts("li.mine"), vec!["Second (2 tags)"]);
}

#[test]
fn a_post_item_partial_that_asks_for_a_page_variable_fails_at_its_line() {
    let site = simple_site();
    site.file("templates/partials/post_item.html", "<li>{{ post.title }}</li>\n<li>{{ paginator.current }}</li>");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    assert!(stderr.contains("templates/partials/post_item.html:2:"), "{stderr}");
    assert!(stderr.contains("paginator"), "{stderr}");
}

#[test]
fn static_files_are_copied_and_the_sites_win_over_the_themes() {
    let site = simple_site();
    site.file("static/style.css", "/* mine */");
    site.file("static/img/a.png", b"\x89PNG");
    let build = site.build();
    assert_eq!(build.text("/style.css"), "/* mine */");
    assert!(build.exists("/img/a.png"));
}

#[test]
fn a_site_under_a_path_prefixes_every_link() {
    let site = TestSite::with_config("title = \"T\"\nbase_url = \"https://user.github.io/blog/\"\npaginate = 1\n");
    site.post("one", "One", "2018-02-13", "tags: [a]\naliases: [/old/one/]", "See [the picture](/img/a.png).");
    site.post("two", "Two", "2018-02-14", "tags: [a]", "text");
    let build = site.build();
    let index = build.page("/");
    let mut links = index.hrefs("a");
    links.extend(index.select("link[rel=stylesheet]").iter().filter_map(|l| l.value().attr("href").map(str::to_owned)));
    assert!(!links.is_empty());
    for link in &links {
        assert!(link.starts_with("/blog/") || link.starts_with('#'), "{link} lacks the /blog/ prefix");
    }
    assert!(links.contains(&"/blog/posts/two/".to_owned()));
    assert!(links.contains(&"/blog/page/2/".to_owned()));
    assert!(links.contains(&"/blog/style.css".to_owned()));
    let in_post = build.page("/posts/one/").hrefs(".content a");
    assert_eq!(in_post, vec!["/blog/img/a.png"], "root-relative links in posts get the prefix");
    let post = build.page("/posts/one/");
    assert_eq!(post.hrefs("link[rel=canonical]"), vec!["https://user.github.io/blog/posts/one/"]);
    assert!(build.text("/old/one/").contains("https://user.github.io/blog/posts/one/"), "aliases carry the prefix");
    assert!(build.text("/page/1/").contains("https://user.github.io/blog/"));
}

#[test]
fn without_base_url_links_are_root_relative_with_a_warning() {
    let site = TestSite::with_config("title = \"T\"\n");
    site.post("one", "One", "2018-02-13", "", "text");
    let build = site.build();
    assert!(build.stderr().contains("warning: ") && build.stderr().contains("no base_url"), "{}", build.stderr());
    assert_eq!(build.page("/").link_to("One").as_deref(), Some("/posts/one/"));
}

#[test]
fn a_script_closing_title_cannot_break_out_of_json_ld() {
    let site = TestSite::new();
    site.post("x", "</script><script>alert(1)</script>", "2018-02-13", "", "body");
    let build = site.build();
    let page = build.page("/posts/x/");
    assert!(page.select("script:not([type])").is_empty(), "an injected script element appeared");
    let scripts = page.select("script[type=\"application/ld+json\"]");
    assert_eq!(scripts.len(), 1);
    let json: serde_json::Value = serde_json::from_str(&scripts[0].inner_html()).expect("valid JSON-LD");
    assert_eq!(json["headline"], "</script><script>alert(1)</script>");
    assert_eq!(page.text("h1"), "</script><script>alert(1)</script>");
}

#[test]
fn errors_name_file_line_and_column_and_exit_1() {
    let site = TestSite::new();
    site.file("content/posts/dup.md", "---\ntitle: A\ndate: 2018-02-13\ntags: [a]\ntitle: B\n---\nbody\n");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(build.stderr().contains("content/posts/dup.md:5:1: key `title` is given twice"), "{}", build.stderr());
}

#[test]
fn every_broken_file_is_reported_together() {
    let site = TestSite::new();
    site.file("content/posts/a.md", "no front matter here\n");
    site.file("content/posts/b.md", "---\ntitle: B\ndate: someday\n---\n");
    site.file("content/posts/c.md", "---\ntitle: [x]\ndate: 2018-02-13\n---\n");
    site.post("fine", "Fine", "2018-02-13", "", "ok");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    assert!(stderr.contains("content/posts/a.md:1:1: no front matter"), "{stderr}");
    assert!(stderr.contains("content/posts/b.md:3:1: `date`: \"someday\" is not a date"), "{stderr}");
    assert!(stderr.contains("content/posts/c.md:2:1: `title` must be text, not a list"), "{stderr}");
    assert!(stderr.contains("3 errors"), "{stderr}");
}

#[test]
fn a_template_error_names_the_template_and_its_line() {
    let site = simple_site();
    site.file(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title | nosuchfilter }}\n{% endblock content %}",
    );
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(build.stderr().contains("templates/page.html:3:"), "{}", build.stderr());
}

#[test]
fn unknown_site_toml_key_suggests_the_closest() {
    let site = TestSite::with_config("title = \"T\"\nbase_url = \"https://e.com/\"\npaginte = 5\n");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(
        build.stderr().contains("site.toml:3:1: unknown key `paginte`, did you mean `paginate`?"),
        "{}",
        build.stderr()
    );
}

#[test]
fn bad_usage_exits_2() {
    let site = simple_site();
    assert_eq!(site.build_with(&["--no-such-flag"]).code(), 2);
    assert_eq!(site.build_with(&["--as-of", "someday"]).code(), 2);
    assert_eq!(site.build_with(&["--base-url", "not a url"]).code(), 2);
    assert_eq!(site.command().output().unwrap().status.code(), Some(2), "no subcommand");
}

#[test]
fn base_url_flag_overrides_site_toml() {
    let site = simple_site();
    let build = site.build_with(&["--base-url", "https://other.org/sub/"]);
    assert!(build.ok(), "{}", build.stderr());
    assert_eq!(build.page("/").link_to("Hello").as_deref(), Some("/sub/posts/hello/"));
}

#[test]
fn index_is_paginated_and_page_1_redirects_home() {
    let site = TestSite::with_config(&format!("{CONFIG}paginate = 2\n"));
    for day in 1..=5 {
        site.post(&format!("p{day}"), &format!("Post {day}"), &format!("2018-02-0{day}"), "", "x");
    }
    let build = site.build();
    assert_eq!(build.page("/").texts(".post-summary h2"), vec!["Post 5", "Post 4"]);
    assert_eq!(build.page("/page/2/").texts(".post-summary h2"), vec!["Post 3", "Post 2"]);
    assert_eq!(build.page("/page/3/").texts(".post-summary h2"), vec!["Post 1"]);
    assert!(!build.exists("/page/4/"));
    let redirect = build.page("/page/1/");
    assert_eq!(redirect.hrefs("link[rel=canonical]"), vec!["https://example.com/"]);
    assert!(build.text("/page/1/").contains("http-equiv=\"refresh\""));
}

#[test]
fn markdown_features_and_reading_time() {
    let site = TestSite::new();
    let words = "word ".repeat(450);
    site.post("md", "Md", "2018-02-13", "", &format!("{words}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ and - [x] done\n\nA note.[^n]\n\n[^n]: The footnote.\n\n## Same\n\n## Same\n"));
    let build = site.build();
    let page = build.page("/posts/md/");
    assert_eq!(page.select(".content table").len(), 1);
    assert_eq!(page.select(".content del").len(), 1);
    assert_eq!(page.select(".content .footnote-definition").len(), 1);
    assert_eq!(page.select("h2#same").len() + page.select("h2#same-1").len(), 2, "heading ids are unique");
    assert!(page.text(".meta").contains("3 min read"), "{}", page.text(".meta"));
}
