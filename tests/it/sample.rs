//! The sample site in the repository builds, and shows what the README promises.

use crate::harness::Build;

fn build_sample() -> Build {
    let out = tempfile::tempdir().unwrap().keep();
    let root = env!("CARGO_MANIFEST_DIR");
    let output = assert_cmd::Command::cargo_bin("blog")
        .unwrap()
        .args(["build", "--root", root, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    Build { output, public: out }
}

#[test]
fn the_sample_site_builds_with_its_series_talk_and_about_page() {
    let build = build_sample();
    assert!(build.ok(), "{}", build.stderr());
    let series = build.page("/series/28-days-of-elixir/");
    let written = series.select(".part-published a").len();
    assert!(written >= 6, "a daily series of at least six parts, got {written}");
    assert!(!series.select(".part-upcoming").is_empty(), "the planned total is larger than the parts written");
    assert!(build.page("/about/").text("h1").contains("About"));
    assert!(!build.page("/talks/").select(".talk-list li").is_empty(), "the sample has a talk recap");
    assert!(build.exists("/img/avatar.svg"), "one image in static/");
    let index = build.page("/");
    let code_languages: Vec<String> = walkdir::WalkDir::new(&build.public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .flat_map(|e| {
            let page = crate::harness::Page(scraper::Html::parse_document(&std::fs::read_to_string(e.path()).unwrap()));
            page.select("pre code[class]")
                .iter()
                .filter_map(|c| c.value().attr("class").map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(code_languages.iter().any(|c| c.contains("elixir")), "{code_languages:?}");
    assert!(index.select(".post-summary").len() > 1);
}

#[test]
fn each_page_rendered_alone_is_the_page_the_whole_build_renders() {
    // `serve` renders a page when it is asked for, in whatever order pages are asked for, and
    // each one must be what `build` writes there. The sample site has every kind of page: a
    // series with upcoming parts, a talk, embeds, tags, pages, feeds, aliases.
    use blog::render::{Body, MemorySink, SiteRenderer};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = blog::BuildOptions { root: root.to_owned(), as_of: Some("2026-01-01".into()), ..Default::default() };
    let (config, model_options, _) = blog::prepare(&options).unwrap();
    let content = blog::load::load(root, &config.time_zone()).unwrap();
    let theme = blog::Theme::load(root, &config).unwrap();
    let renderer = |site| SiteRenderer::new(site, theme.templates.clone(), &theme.source, root, None, None).unwrap();
    let assemble = || blog::model::Site::assemble(&config, &content, &model_options).unwrap();

    let whole = MemorySink::default();
    renderer(assemble()).render_all(&whole).unwrap();
    let files = whole.into_files();
    assert!(files.len() > 30, "{} files", files.len());
    // Backwards, on a renderer that has rendered nothing yet: lists and feeds before the posts.
    let alone = renderer(assemble());
    let text = |body: &Body| match body {
        Body::Made(bytes) => bytes.clone(),
        Body::Static(bytes) => bytes.to_vec(),
        Body::Copy(path) => std::fs::read(path).unwrap(),
    };
    for file in files.iter().rev() {
        let single = alone.render(&file.path).expect("every file of the build has a route").unwrap();
        assert_eq!(single.path, file.path);
        assert!(text(&single.body) == text(&file.body), "{} differs when rendered alone", file.path);
    }
    assert!(alone.render("no/such/page/index.html").is_none());
}
