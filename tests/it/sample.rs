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
