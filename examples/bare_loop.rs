//! The speed issue's yardstick, so the "within 3x of a bare loop" target can be checked on the
//! machine at hand rather than against a figure taken on another: read each post, render its
//! Markdown with pulldown-cmark, write the HTML, on rayon's threads. No front matter parsing, no
//! templates, no list pages, no feeds.
//!
//!     cargo run --release --example bare_loop -- CONTENT_DIR OUT_DIR
//!
//! `bench/run.py --modes bare` runs it beside the real builds.

use std::path::{Path, PathBuf};
use std::{env, fs, io, process};

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;

fn main() {
    let args: Vec<PathBuf> = env::args_os().skip(1).map(PathBuf::from).collect();
    let [content, out] = args.as_slice() else {
        eprintln!("usage: bare_loop CONTENT_DIR OUT_DIR");
        process::exit(2);
    };
    if let Err(error) = run(content, out) {
        eprintln!("bare_loop: {error}");
        process::exit(1);
    }
}

fn run(content: &Path, out: &Path) -> io::Result<()> {
    let posts: Vec<PathBuf> = walkdir::WalkDir::new(content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "md"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    fs::create_dir_all(out)?;
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    posts.par_iter().try_for_each(|path| {
        let text = fs::read_to_string(path)?;
        let body = after_front_matter(&text);
        let mut page = String::with_capacity(body.len() * 3 / 2);
        html::push_html(&mut page, Parser::new_ext(body, options));
        let folder = out.join(path.file_stem().unwrap_or_default());
        fs::create_dir_all(&folder)?;
        fs::write(folder.join("index.html"), page)
    })
}

fn after_front_matter(text: &str) -> &str {
    text.strip_prefix("---\n").and_then(|rest| rest.split_once("\n---\n")).map_or(text, |(_, body)| body)
}
