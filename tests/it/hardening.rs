//! Hostile and messy content: resource bombs, odd files, and builds killed mid-way.

use std::time::{Duration, Instant};

use crate::harness::{TestSite, snapshot};

#[test]
fn a_yaml_alias_bomb_is_a_located_error_not_a_hang() {
    let site = TestSite::new();
    let mut front = String::from("---\ntitle: bomb\ndate: 2018-01-01\na0: &a0 [x,x,x,x,x,x,x,x,x]\n");
    for i in 1..12 {
        front.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(",")));
    }
    site.file("content/posts/bomb.md", format!("{front}---\nbody\n"));
    let started = Instant::now();
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(build.stderr().contains("content/posts/bomb.md:"), "{}", build.stderr());
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn deep_nesting_and_a_huge_post_build() {
    let site = TestSite::new();
    let nested = format!(
        "{} deep\n\n{}x\n\n{}\n\n{}q\n",
        ">".repeat(10_000),
        "- ".repeat(10_000),
        "[".repeat(10_000),
        "\"".repeat(10_000)
    );
    site.post("nested", "Nested", "2018-01-01", "", &nested);
    let line = "word ".repeat(14_000); // 70 KB lines
    site.post("long-lines", "Long lines", "2018-01-02", "", &format!("{line}\n\n").repeat(10));
    site.post("huge", "Huge", "2018-01-03", "", &format!("{line}\n\n").repeat(715)); // 50 MB
    let build = site.build();
    assert!(build.page("/posts/long-lines/").text("h1") == "Long lines");
    assert!(std::fs::metadata(build.file_for("/posts/huge/")).unwrap().len() > 50_000_000);
}

#[test]
fn a_symlink_loop_under_content_is_an_error() {
    let site = TestSite::new();
    site.post("a", "A", "2018-01-01", "", "x");
    std::os::unix::fs::symlink("..", site.root().join("content/posts/loop")).unwrap();
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(build.stderr().contains("content/posts/loop: symbolic link loop"), "{}", build.stderr());
}

#[test]
fn utf16_is_refused_with_a_hint() {
    let site = TestSite::new();
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain("---\ntitle: x\n---\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    site.file("content/posts/wide.md", utf16);
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    assert!(
        build.stderr().contains("content/posts/wide.md:1:1: file is UTF-16; save it as UTF-8"),
        "{}",
        build.stderr()
    );
}

#[test]
fn odd_file_names_and_hugo_section_files() {
    let site = TestSite::new();
    site.file("content/posts/Upper Case.md", "---\ntitle: Upper\ndate: 2018-01-01\n---\nx\n");
    site.file("content/posts/v1.2.release.md", "---\ntitle: Dotted\ndate: 2018-01-02\n---\nx\n");
    site.file("content/posts/über-straße.md", "---\ntitle: Umlauts\ndate: 2018-01-03\n---\nx\n");
    site.file("content/posts/trailing-.md", "---\ntitle: Trailing\ndate: 2018-01-04\n---\nx\n");
    site.file("content/posts/_index.md", "---\ntitle: Section\n---\nHugo section file\n");
    site.file("content/posts/.hidden.md", "not front matter at all");
    site.file("content/posts/notes.md~", "editor backup");
    let build = site.build();
    for url in ["/posts/upper-case/", "/posts/v1-2-release/", "/posts/uber-strasse/", "/posts/trailing/"] {
        assert!(build.exists(url), "{url}");
    }
    assert!(build.stdout().contains("(4 posts"), "{}", build.stdout());
}

#[test]
fn front_matter_shapes_of_real_blogs() {
    let site = TestSite::new();
    site.file(
        "content/posts/jekyll.md",
        "---\n# a comment\nlayout: post\ntitle:  \"It's: a title\"\ndate:   2013-06-27 11:00:01 +0000\ncategories: [a b, c]\ntags:\n  - one\n  - two\nsummary: >-\n  Folded\n  summary\n\"odd:key\": yes\n---\nbody\n",
    );
    site.file("content/posts/2014-01-02-filename-only.md", "---\ntitle: From the file name\ntags:\n---\nx\n");
    site.file("content/posts/number.md", "---\ntitle: 2019\ndate: 2019-01-01 9:05:00 +0000\n---\nx\n");
    let build = site.build();
    assert_eq!(build.page("/posts/jekyll/").text("h1"), "It's: a title");
    assert_eq!(build.page("/posts/jekyll/").texts(".tags-line a"), vec!["a b", "c", "one", "two"]);
    assert!(build.text("/").contains("Folded summary"));
    assert!(build.exists("/posts/filename-only/"));
    assert_eq!(build.page("/posts/number/").text("h1"), "2019");
}

/// Two versions of a site whose outputs differ, so a half-published output would show.
fn write_version(site: &TestSite, version: u32) {
    for i in 0..300 {
        site.post(
            &format!("p{i:03}"),
            &format!("Post {i} v{version}"),
            "2018-01-01",
            "tags: [a, b]",
            &format!("Version {version}.\n\n{}", "text ".repeat(200)),
        );
    }
    if version == 2 {
        let _ = std::fs::remove_file(site.root().join("content/posts/p000.md"));
    }
}

#[test]
fn a_build_killed_at_random_moments_leaves_old_or_new_output_whole() {
    let site = TestSite::new();
    write_version(&site, 1);
    let version_1 = snapshot(&site.build().public);
    write_version(&site, 2);
    let started = Instant::now();
    let version_2 = snapshot(&site.build().public);
    let full_build = started.elapsed();
    assert_ne!(version_1, version_2);
    let bin = assert_cmd::cargo::cargo_bin("blog");
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for round in 0..24 {
        write_version(&site, 1 + round % 2);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(seed % (full_build.as_micros() as u64 + 1));
        let mut child = std::process::Command::new(&bin)
            .arg("build")
            .current_dir(site.root())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = snapshot(&site.root().join("public"));
        assert!(
            now == version_1 || now == version_2,
            "round {round}: output is neither version whole after a kill at {delay:?}"
        );
    }
    write_version(&site, 2);
    let build = site.build();
    assert!(snapshot(&build.public) == version_2);
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("blog-"))
        .collect();
    assert!(leftovers.is_empty(), "the next build cleans up: {leftovers:?}");
}

#[test]
fn liquid_tags_in_bodies_stay_text() {
    let site = TestSite::new();
    site.post(
        "liquid",
        "Liquid",
        "2018-01-01",
        "",
        "A {%link _posts/x.md%} and {% link x.md %} here.\n\n{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\n{{ site.url }} and {{< gist user 123 >}}\n",
    );
    let text = site.build().page("/posts/liquid/").text(".content");
    for kept in [
        "{%link _posts/x.md%}",
        "{% link x.md %}",
        "{% highlight ruby %}",
        "{% endhighlight %}",
        "{{ site.url }}",
        "{{< gist user 123 >}}",
    ] {
        assert!(text.contains(kept), "{kept} in {text}");
    }
}

#[test]
fn two_series_names_with_one_slug_are_an_error_naming_both_files() {
    let site = TestSite::new();
    site.post("a", "A", "2018-01-01", "series: Rust & Go", "x");
    site.post("b", "B", "2018-01-02", "series: Rust Go", "x");
    let build = site.build_with(&[]);
    assert_eq!(build.code(), 1);
    let stderr = build.stderr();
    assert!(
        stderr.contains("content/posts/a.md")
            && stderr.contains("content/posts/b.md")
            && stderr.contains("/series/rust-go/"),
        "{stderr}"
    );
}

#[test]
fn the_output_guards_hold_for_absolute_and_trailing_slash_spellings() {
    let site = TestSite::new();
    site.post("a", "A", "2018-01-01", "", "x");
    let root = site.root().canonicalize().unwrap();
    for bad in [
        root.display().to_string(),
        format!("{}/", root.display()),
        format!("{}/content/", root.display()),
        format!("{}/..", root.display()),
    ] {
        let build = site.build_with(&["-o", &bad, "--force"]);
        assert_eq!(build.code(), 1, "-o {bad}");
    }
    assert!(site.root().join("content/posts/a.md").exists());
}
