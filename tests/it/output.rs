//! Publishing: nothing lost, nothing half-written, the output folder's guards.

use crate::harness::{TestSite, snapshot};

fn site() -> TestSite {
    let site = TestSite::new();
    site.post("a", "A", "2018-02-13", "", "first");
    site
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_for_byte() {
    let site = site();
    let build = site.build();
    let before = snapshot(&build.public);
    site.file("content/posts/broken.md", "---\ntitle: [broken\n---\n");
    let failed = site.build_with(&[]);
    assert_eq!(failed.code(), 1);
    assert!(failed.stderr().contains("previous output is untouched"));
    assert!(snapshot(&build.public) == before, "the output changed");
}

#[test]
fn a_build_failing_while_pages_stream_out_leaves_the_output_and_no_staging_folder() {
    let site = site();
    for i in 0..30 {
        site.post(&format!("p{i}"), &format!("P{i}"), "2018-02-14", "", "fine");
    }
    let build = site.build();
    let before = snapshot(&build.public);
    // Found while rendering, after other posts' pages have gone to the staging folder.
    site.post("late", "Late", "2018-02-15", "", "See [this](@/posts/nowhere.md).");
    let failed = site.build_with(&[]);
    assert_eq!(failed.code(), 1, "{}", failed.stderr());
    assert!(failed.stderr().contains("content/posts/late.md:"), "{}", failed.stderr());
    assert!(snapshot(&build.public) == before, "the output changed");
    let beside: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("staging"))
        .collect();
    assert!(beside.is_empty(), "staging folders left: {beside:?}");
}

#[test]
fn files_from_earlier_builds_do_not_linger_and_hidden_entries_are_kept() {
    let site = site();
    site.post("b", "B", "2018-02-14", "", "second");
    let build = site.build();
    assert!(build.exists("/posts/b/"));
    std::fs::create_dir_all(build.public.join(".git")).unwrap();
    std::fs::write(build.public.join(".git/HEAD"), "ref: refs/heads/gh-pages").unwrap();
    std::fs::write(build.public.join(".nojekyll"), "").unwrap();
    std::fs::remove_file(site.root().join("content/posts/b.md")).unwrap();
    let build = site.build();
    assert!(!build.exists("/posts/b/"));
    assert_eq!(std::fs::read_to_string(build.public.join(".git/HEAD")).unwrap(), "ref: refs/heads/gh-pages");
    assert!(build.public.join(".nojekyll").exists());
    let beside: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("blog-"))
        .collect();
    assert!(beside.is_empty(), "no staging folders left: {beside:?}");
}

#[test]
fn stale_staging_folders_of_a_killed_build_are_cleaned_up() {
    let site = site();
    site.file(".public.blog-staging-424242/index.html", "half");
    site.build();
    assert!(!site.root().join(".public.blog-staging-424242").exists());
}

#[test]
fn the_output_cannot_be_the_site_or_hold_it() {
    let site = site();
    for bad in [".", "./", "..", "content", "content/out", "/", "./content/../"] {
        let build = site.build_with(&["-o", bad, "--force"]);
        assert_eq!(build.code(), 1, "-o {bad} must be refused");
        assert!(build.stderr().contains("refusing"), "{}", build.stderr());
    }
    assert!(site.root().join("content/posts/a.md").exists());
    assert!(site.root().join("site.toml").exists());
}

#[test]
fn a_symlink_to_the_site_is_refused_too() {
    let site = site();
    std::os::unix::fs::symlink(site.root(), site.root().join("link")).unwrap();
    let build = site.build_with(&["-o", "link/", "--force"]);
    assert_eq!(build.code(), 1);
    assert!(site.root().join("content/posts/a.md").exists());
}

#[test]
fn a_folder_blog_did_not_write_needs_force() {
    let site = site();
    site.file("mine/notes.txt", "precious");
    let build = site.build_with(&["-o", "mine"]);
    assert_eq!(build.code(), 1);
    assert!(build.stderr().contains("--force"), "{}", build.stderr());
    assert_eq!(std::fs::read_to_string(site.root().join("mine/notes.txt")).unwrap(), "precious");
    let build = site.build_with(&["-o", "mine", "--force"]);
    assert!(build.ok(), "{}", build.stderr());
    assert!(site.root().join("mine/posts/a/index.html").exists());
    // Written by blog now: the next build needs no --force.
    assert!(site.build_with(&["-o", "mine"]).ok());
}

#[test]
fn two_builds_are_byte_identical() {
    let site = site();
    site.post("b", "B", "2018-02-13", "tags: [x, y]", "same day");
    let first = snapshot(&site.build().public);
    let second = snapshot(&site.build().public);
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&first), names(&second));
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "{name} differs:\n{}\n---\n{}", String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    }
}
