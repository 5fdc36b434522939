//! The default theme, as a reader meets it: the sample site's pages have the structure assistive
//! technology relies on, stay light, and — in a real browser, at a phone's and a desktop's width,
//! light and dark — neither scroll sideways nor fail axe-core's serious or critical checks.
//!
//! The browser tests write screenshots to `target/screenshots/theme/` for a human to look at.
//! axe-core comes from the npm registry (`.ci/fetch-axe` puts it in `target/axe/axe.min.js`;
//! `BLOG_AXE` names another copy); it is never committed.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::browser::{Browser, Server};
use crate::harness::{Build, CONFIG, Page, TestSite};

/// A page of every template of the sample site, by a name for its screenshots.
const PAGES: &[(&str, &str)] = &[
    ("home", "/"),
    ("series-post", "/posts/28-days-of-elixir-03-the-pipe-operator/"),
    ("series", "/series/28-days-of-elixir/"),
    ("talk", "/posts/talk-recap-supervision-trees/"),
    ("tag", "/tags/elixir/"),
    // Served as a host serves it: the 404 page at an address that has nothing.
    ("404", "/posts/no-such-post/"),
    ("home-page-2", "/page/2/"),
    ("tags", "/tags/"),
    ("series-list", "/series/"),
    ("talks", "/talks/"),
    ("about", "/about/"),
    ("photo-post", "/posts/a-photo-walk/"),
];

const PHONE: (u32, u32) = (375, 812);
const DESKTOP: (u32, u32) = (1280, 800);

/// What every page may make a reader download, in bytes (the stricter reading of "KB").
const CSS_BUDGET: u64 = 20_000;
const JS_BUDGET: u64 = 10_000;

/// The repository's own sample site (content/ and site.toml), built once for this module.
fn sample() -> &'static Build {
    static SAMPLE: OnceLock<Build> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let out = tempfile::tempdir().expect("temp dir").keep();
        let output = assert_cmd::Command::cargo_bin("blog")
            .expect("the blog binary")
            .args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "-o"])
            .arg(&out)
            .output()
            .expect("run blog build");
        let build = Build { output, public: out };
        assert!(build.ok(), "the sample site builds:\n{}", build.stderr());
        build
    })
}

fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == extension))
        .map(|e| e.into_path())
        .collect()
}

/// Every page of the built site a reader can see (not the redirects of aliases and `/page/1/`).
fn html_pages(build: &Build) -> Vec<(String, Page)> {
    files_with_extension(&build.public, "html")
        .into_iter()
        .map(|path| {
            let shown = path.strip_prefix(&build.public).unwrap_or(&path).display().to_string();
            let html = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{shown}: {e}"));
            (shown, Page(scraper::Html::parse_document(&html)))
        })
        .filter(|(_, page)| page.select("meta[http-equiv=refresh]").is_empty())
        .collect()
}

#[test]
fn the_theme_weighs_under_20_kb_of_css_and_10_kb_of_script() {
    let build = sample();
    let weigh = |extension: &str| -> (u64, Vec<String>) {
        let files = files_with_extension(&build.public, extension);
        let total = files.iter().map(|f| f.metadata().map(|m| m.len()).unwrap_or(0)).sum();
        (total, files.iter().map(|f| f.strip_prefix(&build.public).unwrap().display().to_string()).collect())
    };
    let (css, css_files) = weigh("css");
    let (js, js_files) = weigh("js");
    eprintln!("theme weight: {css} bytes of CSS {css_files:?}, {js} bytes of JavaScript {js_files:?}");
    assert!(css > 0 && css <= CSS_BUDGET, "{css} bytes of CSS in {css_files:?}, over {CSS_BUDGET}");
    assert!(js > 0 && js <= JS_BUDGET, "{js} bytes of JavaScript in {js_files:?}, over {JS_BUDGET}");
}

#[test]
fn pages_ask_nothing_of_third_parties_and_run_script_only_for_embeds() {
    let build = sample();
    for (path, page) in html_pages(build) {
        let mut references = page.hrefs("link[rel~=stylesheet], link[rel~=icon], link[rel~=preload]");
        for (css, attribute) in [("script[src]", "src"), ("img[src]", "src"), ("iframe[src]", "src")] {
            references.extend(page.select(css).iter().filter_map(|e| e.value().attr(attribute).map(str::to_owned)));
        }
        let remote: Vec<&String> = references.iter().filter(|url| url.contains("//")).collect();
        assert!(remote.is_empty(), "{path} loads from elsewhere: {remote:?}");
        let scripts = page.select("script[src]").len();
        let embeds = page.select("a[data-embed]").len();
        assert!(scripts <= usize::from(embeds > 0), "{path}: {scripts} scripts for {embeds} embeds");
    }
    for file in files_with_extension(&build.public, "css") {
        let css = std::fs::read_to_string(&file).unwrap();
        assert!(!css.contains("@import") && !css.contains("url(http"), "{} loads from elsewhere", file.display());
    }
}

#[test]
fn every_page_has_a_language_landmarks_a_skip_link_and_one_h1() {
    let build = sample();
    let pages = html_pages(build);
    assert!(pages.len() > 20, "the sample site has many pages, found {}", pages.len());
    for (path, page) in &pages {
        assert!(page.select("html[lang]").iter().any(|h| !h.value().attr("lang").unwrap().is_empty()), "{path}: lang");
        assert_eq!(page.select("meta[name=viewport]").len(), 1, "{path}: viewport meta");
        assert_eq!(page.hrefs("body > a.skip-link:first-child"), ["#main"], "{path}: skip link first in the body");
        assert_eq!(page.select("main#main").len(), 1, "{path}: one main, the skip link's target");
        assert_eq!(page.select("body > header").len(), 1, "{path}: the site's header");
        assert_eq!(page.select("body > footer").len(), 1, "{path}: the site's footer");
        assert_eq!(page.texts("h1").len(), 1, "{path}: exactly one h1, got {:?}", page.texts("h1"));
        for nav in page.select("nav") {
            let label = nav.value().attr("aria-label").or(nav.value().attr("aria-labelledby"));
            assert!(label.is_some_and(|l| !l.is_empty()), "{path}: a nav without a label: {}", nav.html());
        }
        for image in page.select("img") {
            assert!(image.value().attr("alt").is_some(), "{path}: an image without alt: {}", image.html());
        }
        for bar in page.select("progress") {
            assert!(bar.value().attr("aria-label").is_some_and(|l| !l.is_empty()), "{path}: {}", bar.html());
        }
    }
}

#[test]
fn a_series_post_shows_its_place_in_the_series_as_a_labelled_progress_bar() {
    let site = TestSite::with_config(&format!(
        "{CONFIG}[[series]]\nname = \"28 days of elixir\"\ntotal = 28\ndescription = \"One a day.\"\n"
    ));
    for day in 12..=14 {
        site.post(
            &format!("day-{day}"),
            &format!("Day {day}"),
            &format!("2018-02-{day}"),
            &format!("series: 28 days of elixir\npart: {day}"),
            "x",
        );
    }
    let build = site.build();
    let post = build.page("/posts/day-13/");
    assert_eq!(post.text(".series-banner"), "Part 13 of 28 · 28 days of elixir");
    let bar = post.select(".series-banner progress");
    assert_eq!(bar.len(), 1, "one progress bar in the banner");
    assert_eq!(bar[0].value().attr("value"), Some("13"));
    assert_eq!(bar[0].value().attr("max"), Some("28"));
    assert_eq!(bar[0].value().attr("aria-label"), Some("Part 13 of 28 · 28 days of elixir"));
    assert_eq!(post.link_to("Previous part").as_deref(), Some("/posts/day-12/"));
    assert_eq!(post.link_to("Next part").as_deref(), Some("/posts/day-14/"));

    let series = build.page("/series/28-days-of-elixir/");
    let bar = series.select("progress");
    assert_eq!(bar.len(), 1, "the series page shows how much is written");
    assert_eq!((bar[0].value().attr("value"), bar[0].value().attr("max")), (Some("3"), Some("28")));
    assert_eq!(series.select(".part-upcoming").len(), 25, "every planned part is listed");
}

#[test]
fn an_image_without_alt_text_is_a_warning_at_its_line() {
    let site = TestSite::new();
    site.post(
        "walk",
        "Walk",
        "2020-01-01",
        "",
        "Intro.\n\n![](bridge.png)\n\n![Frost on a bridge](frost.png) `![](code.png)`",
    );
    let build = site.build();
    let warnings: Vec<String> = build.stderr().lines().filter(|l| l.contains("alt text")).map(str::to_owned).collect();
    assert_eq!(warnings.len(), 1, "one image lacks alt text: {warnings:?}");
    assert!(warnings[0].starts_with("warning: content/posts/walk.md:7:1: image without alt text"), "{warnings:?}");
    assert_eq!(build.page("/posts/walk/").select("img[alt='Frost on a bridge']").len(), 1, "the build still succeeds");
}

/// Headless chromium looking at the sample site, served the way a static host serves it.
fn browse() -> Option<(Browser, Server)> {
    let browser = Browser::launch()?;
    Some((browser, Server::serve(&sample().public)))
}

#[test]
fn pages_fit_a_phone_and_a_desktop_in_light_and_dark() {
    let Some((browser, server)) = browse() else { return };
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots/theme");
    std::fs::create_dir_all(&shots).unwrap();
    let mut tab = browser.tab();
    let mut overflowing = Vec::new();
    for (width, height) in [PHONE, DESKTOP] {
        tab.set_viewport(width, height, width == PHONE.0);
        for scheme in ["light", "dark"] {
            tab.set_media("screen", scheme);
            for (name, path) in PAGES {
                tab.navigate(&server.url(path));
                let sizes = tab.evaluate("[innerWidth, document.documentElement.scrollWidth]");
                let (inner, scroll) = (sizes[0].as_u64().unwrap_or(0), sizes[1].as_u64().unwrap_or(u64::MAX));
                assert_eq!(inner, u64::from(width), "{path}: the page is laid out at the screen's width");
                if scroll > inner {
                    overflowing.push(format!("{path} at {width} px ({scheme}): {scroll} px wide"));
                }
                tab.screenshot_page(&shots.join(format!("{name}-{width}-{scheme}.png")));
            }
        }
    }
    // A keyboard reader's first Tab shows the skip link, and focus is always outlined.
    tab.set_viewport(PHONE.0, PHONE.1, true);
    tab.set_media("screen", "light");
    tab.navigate(&server.url("/"));
    let skip = tab.evaluate(
        "(() => { const a = document.querySelector('.skip-link'); a.focus(); const r = a.getBoundingClientRect(); \
         return [r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight, getComputedStyle(a).outlineStyle]; })()",
    );
    assert_eq!(skip, serde_json::json!([true, "solid"]), "the focused skip link shows, outlined");
    tab.screenshot(&shots.join("home-375-skip-link.png"));
    let chip = tab.evaluate(
        "(() => { const a = document.querySelector('.tags a'); a.focus(); return getComputedStyle(a).outlineStyle; })()",
    );
    assert_eq!(chip, "solid", "a focused tag shows an outline");

    // On paper: no navigation or progress bars, links spelled out, code wrapped.
    tab.set_viewport(DESKTOP.0, DESKTOP.1, false);
    tab.set_media("print", "light");
    for (name, path) in &PAGES[1..4] {
        tab.navigate(&server.url(path));
        let hidden = tab.evaluate("[...document.querySelectorAll('.site-header nav, progress, .pagination')].every(e => e.offsetParent === null)");
        assert_eq!(hidden, true, "{path}: navigation shows in print");
        tab.screenshot_page(&shots.join(format!("{name}-print.png")));
    }
    assert!(overflowing.is_empty(), "pages scroll sideways: {overflowing:#?}");
    assert!(tab.third_party_requests().is_empty(), "{:?}", tab.third_party_requests());
    eprintln!("screenshots in {}", shots.display());
}

/// axe-core's browser bundle, fetched by `.ci/fetch-axe`.
fn axe_source() -> String {
    let path = std::env::var_os("BLOG_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/axe.min.js"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core is needed at {} ({e}): run .ci/fetch-axe, or set BLOG_AXE to an axe.min.js", path.display())
    })
}

/// The serious and critical problems axe-core finds on the tab's page, one line each.
const RUN_AXE: &str = "axe.run(document, {resultTypes: ['violations']}).then(results => results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .flatMap(v => v.nodes.map(n => `${v.impact} ${v.id}: ${v.help}: ${n.target.join(' ')}: ${n.failureSummary}`)))";

#[test]
fn axe_finds_no_serious_problem_on_any_page_light_or_dark() {
    let Some((browser, server)) = browse() else { return };
    let axe = format!("{};\n'loaded'", axe_source());
    let mut tab = browser.tab();
    let mut problems = Vec::new();
    for (width, height) in [PHONE, DESKTOP] {
        tab.set_viewport(width, height, width == PHONE.0);
        for scheme in ["light", "dark"] {
            tab.set_media("screen", scheme);
            for (_, path) in PAGES {
                tab.navigate(&server.url(path));
                assert_eq!(tab.evaluate(&axe), "loaded");
                let found = tab.evaluate(RUN_AXE);
                let found = found.as_array().unwrap_or_else(|| panic!("axe on {path}: {found}"));
                problems.extend(found.iter().map(|p| format!("{path} ({width} px, {scheme}): {}", text(p))));
            }
        }
    }
    assert!(problems.is_empty(), "axe-core found {} problems:\n{}", problems.len(), problems.join("\n"));
}

fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

#[test]
fn html_fields_print_as_html_with_or_without_safe_and_text_stays_escaped() {
    let site = TestSite::new();
    let talk = "talk:\n  title: T\n  video: https://www.youtube.com/watch?v=dQw4w9WgXcQ";
    site.post("x", "Fish & <Chips>", "2018-02-01", talk, "Some **bold** text.\n\nMore.");
    site.file(
        "templates/post.html",
        "<div id=plain>{{ post.content }}</div><div id=safe>{{ post.content | safe }}</div>\
         <div id=summary>{{ post.summary }}</div><div id=embed>{{ post.talk.video.embed }}</div>\
         <script id=ld type=application/ld+json>{{ post.json_ld }}</script>\
         <script id=talk-ld type=application/ld+json>{{ post.talk.json_ld }}</script>\
         <p id=title>{{ post.title }}</p>",
    );
    let page = site.build().page("/posts/x/");
    for id in ["#plain", "#safe", "#summary"] {
        assert_eq!(page.texts(&format!("{id} strong")), vec!["bold"], "{id}");
    }
    assert_eq!(page.select("#embed a.embed").len(), 1, "the talk's embed is markup");
    for id in ["#ld", "#talk-ld"] {
        let json = page.select(id)[0].inner_html();
        assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "{id} is JSON as written: {json}");
    }
    assert_eq!(page.text("#title"), "Fish & <Chips>", "text fields are escaped, not markup");
    assert!(page.select("#title chips").is_empty());
}
