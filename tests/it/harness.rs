//! `TestSite`: writes a fixture site into a temp folder, runs `blog` on it, and hands back the
//! output with its pages parsed.

use std::path::{Path, PathBuf};
use std::process::Output;

use scraper::{Html, Selector};

pub const CONFIG: &str = "title = \"Test blog\"\nbase_url = \"https://example.com/\"\n";

pub struct TestSite {
    dir: tempfile::TempDir,
}

impl TestSite {
    /// A site with a minimal site.toml and nothing else.
    pub fn new() -> TestSite {
        TestSite::with_config(CONFIG)
    }

    pub fn with_config(config: &str) -> TestSite {
        let site = TestSite { dir: tempfile::tempdir().expect("temp dir") };
        site.file("site.toml", config);
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file relative to the site's root, creating folders.
    pub fn file(&self, path: &str, text: impl AsRef<[u8]>) -> &TestSite {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Writes `content/posts/NAME.md` with a title, a date and more front matter lines.
    pub fn post(&self, name: &str, title: &str, date: &str, front: &str, body: &str) -> &TestSite {
        let front = if front.is_empty() { String::new() } else { format!("{}\n", front.trim_end()) };
        self.file(
            &format!("content/posts/{name}.md"),
            format!("---\ntitle: {title:?}\ndate: {date}\n{front}---\n{body}\n"),
        )
    }

    pub fn command(&self) -> assert_cmd::Command {
        let mut command = assert_cmd::Command::cargo_bin("blog").unwrap();
        command.current_dir(self.root());
        command
    }

    /// Runs `blog build ARGS` in the site and returns what it did.
    pub fn build_with(&self, args: &[&str]) -> Build {
        let output = self.command().arg("build").args(args).output().unwrap();
        Build { output, public: self.root().join("public") }
    }

    /// Builds and insists on success.
    pub fn build(&self) -> Build {
        let build = self.build_with(&[]);
        assert!(build.ok(), "build failed:\n{}", build.stderr());
        build
    }
}

pub struct Build {
    pub output: Output,
    pub public: PathBuf,
}

impl Build {
    pub fn ok(&self) -> bool {
        self.output.status.success()
    }

    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The file a URL path is served from (`/posts/x/` -> `public/posts/x/index.html`).
    pub fn file_for(&self, url: &str) -> PathBuf {
        let rel = url.trim_start_matches('/');
        if url.ends_with('/') { self.public.join(rel).join("index.html") } else { self.public.join(rel) }
    }

    pub fn exists(&self, url: &str) -> bool {
        self.file_for(url).is_file()
    }

    pub fn text(&self, url: &str) -> String {
        let path = self.file_for(url);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn page(&self, url: &str) -> Page {
        Page(Html::parse_document(&self.text(url)))
    }
}

pub struct Page(pub Html);

impl Page {
    pub fn select(&self, css: &str) -> Vec<scraper::ElementRef<'_>> {
        let selector = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"));
        self.0.select(&selector).collect()
    }

    /// The text of every element matching `css`, whitespace collapsed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.select(css)
            .iter()
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    pub fn text(&self, css: &str) -> String {
        self.texts(css).into_iter().next().unwrap_or_else(|| panic!("nothing matches {css}"))
    }

    /// `href`s of every link matching `css`.
    pub fn hrefs(&self, css: &str) -> Vec<String> {
        self.select(css).iter().filter_map(|e| e.value().attr("href").map(str::to_owned)).collect()
    }

    /// The link whose text contains `text`.
    pub fn link_to(&self, text: &str) -> Option<String> {
        self.select("a")
            .into_iter()
            .find(|a| a.text().collect::<String>().contains(text))
            .and_then(|a| a.value().attr("href").map(str::to_owned))
    }

    pub fn body_text(&self) -> String {
        self.texts("body").join(" ")
    }
}

/// Every file under `dir` with its bytes, sorted by path: two snapshots are equal exactly when
/// the two outputs are byte for byte the same.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}
