//! `blog init` and `blog new`, run as a blogger runs them, their results built by `blog build`.

use std::path::{Path, PathBuf};
use std::process::Output;

use blog::load::{FrontMatter, TagsField, front_matter};
use jiff::Timestamp;

use crate::harness::{Build, TestSite};

fn blog(dir: &Path, args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("blog").unwrap().current_dir(dir).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Builds the site at `root` (from elsewhere, with --root) and returns the build.
fn build_at(root: &Path, extra: &[&str]) -> Build {
    let root_arg = root.to_str().unwrap();
    let mut args = vec!["build", "--root", root_arg];
    args.extend_from_slice(extra);
    let output = blog(root.parent().unwrap(), &args);
    Build { output, public: root.join("public") }
}

/// Reads a post's front matter back with the library's own parser.
fn front_of(path: &Path) -> FrontMatter {
    let text = std::fs::read_to_string(path).unwrap();
    let split = front_matter::split(&text).unwrap();
    front_matter::parse(path, &split, &jiff::tz::TimeZone::UTC).unwrap()
}

fn tags_of(front: &FrontMatter) -> Vec<String> {
    front
        .tags
        .iter()
        .flat_map(|field| match field {
            TagsField::List(list) => list.clone(),
            TagsField::Text { text, .. } => vec![text.clone()],
        })
        .collect()
}

#[test]
fn init_writes_a_site_that_builds_and_checks() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("my blog");
    let output = blog(parent.path(), &["init", "my blog"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    for file in ["site.toml", "hello-world.md"] {
        assert!(stdout.contains(file), "init lists what it wrote: {stdout}");
    }
    assert!(stdout.contains("blog build"), "and the next step: {stdout}");
    assert!(!dir.join("themes").exists(), "the theme is compiled in");

    let build = build_at(&dir, &[]);
    assert!(build.ok(), "{}", build.stderr());
    assert!(build.stdout().contains("(1 post,"), "{}", build.stdout());
    assert_eq!(build.page("/posts/hello-world/").text("h1"), "Hello, world");
    assert_eq!(build.page("/").link_to("Hello, world").as_deref(), Some("/posts/hello-world/"));

    let check = blog(parent.path(), &["check", "--root", "my blog"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
}

#[test]
fn init_in_the_current_folder_accepts_one_that_holds_only_hidden_entries() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = blog(dir.path(), &["init"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(dir.path().join("site.toml").is_file());
    assert!(build_at(dir.path(), &[]).ok());
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let output = blog(dir.path(), &["init", "."]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("not empty") && stderr.contains("--force"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "reported once: {stderr}");
    assert!(!dir.path().join("site.toml").exists(), "nothing written");

    let output = blog(dir.path(), &["init", ".", "--force"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(dir.path().join("site.toml").is_file());
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine", "other files are kept");
    assert!(build_at(dir.path(), &[]).ok());
}

#[test]
fn new_writes_a_post_dated_now_in_the_sites_timezone() {
    let site = TestSite::with_config("title = \"T\"\ntimezone = \"America/New_York\"\n");
    let before = Timestamp::from_second(Timestamp::now().as_second()).unwrap();
    let output = site
        .command()
        .args(["new", "Hello: \"World\" & more", "--tags", "elixir, otp", "--tags", "beam"])
        .output()
        .unwrap();
    let after = Timestamp::now();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let path = text(&output.stdout).trim().to_owned();
    assert_eq!(path, Path::new("content/posts").join("hello-world-more.md").display().to_string());

    let file = site.root().join(&path);
    let front = front_of(&file);
    assert_eq!(front.title, "Hello: \"World\" & more");
    assert_eq!(tags_of(&front), vec!["elixir", "otp", "beam"]);
    assert!(front.series.is_none() && front.part.is_none() && front.talk.is_none());
    let date = front.date.unwrap();
    assert!(before <= date.timestamp() && date.timestamp() <= after, "{date} is now");
    let raw = std::fs::read_to_string(&file).unwrap();
    let new_york = date.timestamp().to_zoned_datetime(jiff::tz::TimeZone::get("America/New_York").unwrap());
    let offset = new_york.strftime("%:z").to_string();
    let written = raw.lines().find_map(|l| l.strip_prefix("date: ")).unwrap();
    assert!(written.ends_with(&offset), "{written} carries the site's offset {offset}");
    assert!(written.contains('T') && !written.contains('.'), "{written}");

    let build = site.build();
    assert_eq!(build.page("/posts/hello-world-more/").text("h1"), "Hello: \"World\" & more");
}

#[test]
fn new_in_a_series_takes_the_next_part_and_the_tags_every_part_shares() {
    let site = TestSite::with_config(&format!(
        "{}[[series]]\nname = \"28 days of elixir\"\ntotal = 28\n",
        crate::harness::CONFIG
    ));
    let series = "series: 28 days of elixir";
    site.post("day-1", "Day 1", "2018-02-01", &format!("{series}\ntags: [elixir, beam, intro]"), "One.");
    site.post("day-2", "Day 2", "2018-02-02", "tags: [Elixir, beam, 28 days of elixir]", "Two, by its tag.");
    site.post(
        "day-3",
        "Day 3",
        "2018-02-03",
        &format!("{series}\npart: 3\ndraft: true\ntags: [elixir, beam]"),
        "Draft.",
    );
    site.post("day-4", "Day 4", "2999-02-04", &format!("{series}\ntags: [elixir, beam, otp]"), "Scheduled.");
    site.post("other", "Other", "2018-02-05", "series: Another\ntags: [elixir]", "Not this series.");

    let output =
        site.command().args(["new", "Day 5", "--series", "28 Days of Elixir", "--tags", "genserver"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let front = front_of(&site.root().join(text(&output.stdout).trim()));
    assert_eq!(front.series.as_deref(), Some("28 days of elixir"), "spelled as the site spells it");
    assert_eq!(front.part, Some(5), "after the draft part 3 and the scheduled part 4");
    assert_eq!(tags_of(&front), vec!["genserver", "elixir", "beam"]);

    let build = site.build_with(&["--drafts", "--future"]);
    assert!(build.ok(), "{}", build.stderr());
    assert!(build.page("/posts/day-5/").text(".series-banner").starts_with("Part 5 of 28"));

    let first = site.command().args(["new", "Kickoff", "--series", "Brand new"]).output().unwrap();
    assert!(first.status.success());
    assert_eq!(front_of(&site.root().join(text(&first.stdout).trim())).part, Some(1));
}

#[test]
fn new_talk_stub_builds_into_a_talk_recap() {
    let site = TestSite::new();
    let output = site.command().args(["new", "Concurrency without fear", "--talk"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let front = front_of(&site.root().join(text(&output.stdout).trim()));
    let talk = front.talk.expect("a talk: map");
    assert_eq!(talk.title.as_deref(), Some("Concurrency without fear"));
    assert!(talk.event.is_some() && talk.date.is_some() && talk.location.is_some());
    let build = site.build();
    assert_eq!(
        build.page("/talks/").link_to("Concurrency without fear").as_deref(),
        Some("/posts/concurrency-without-fear/")
    );
}

#[test]
fn new_never_replaces_a_post() {
    let site = TestSite::new();
    site.post("hello", "Hello", "2018-02-13", "", "Mine.");
    let file: PathBuf = site.root().join("content/posts/hello.md");
    let before = std::fs::read_to_string(&file).unwrap();
    let output = site.command().args(["new", "Hello"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("content/posts/hello.md already exists"), "{stderr}");
    assert!(text(&output.stdout).is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    let output = site.command().args(["new", "???"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "a title without letters is bad usage");
}
