//! `floor SITE OUT [THREADS]`: the speed issue's yardstick, as shared/bench/PEERS.md describes
//! it. Walks `SITE/content/posts`, reads each post, takes its title from the front matter with a
//! line scan (no YAML parser), renders the body with pulldown-cmark into a minimal page and
//! writes `OUT/posts/<stem>/index.html`. The posts are split into THREADS equal chunks (the
//! core count by default), one scoped thread each. Nothing else: no templates, no list pages, no
//! feeds.

use std::path::{Path, PathBuf};
use std::{env, fs, io, process, thread};

use pulldown_cmark::{Options, Parser, html};

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let (site, out, threads) = match args.as_slice() {
        [site, out] => (site, out, None),
        [site, out, threads] => (site, out, threads.parse().ok()),
        _ => usage(),
    };
    let threads = threads.unwrap_or_else(|| thread::available_parallelism().map_or(1, usize::from)).max(1);
    if let Err(error) = run(Path::new(site), Path::new(out), threads) {
        eprintln!("floor: {error}");
        process::exit(1);
    }
}

fn usage() -> ! {
    eprintln!("usage: floor SITE OUT [THREADS]");
    process::exit(2);
}

fn run(site: &Path, out: &Path, threads: usize) -> io::Result<()> {
    let posts: Vec<PathBuf> = walkdir::WalkDir::new(site.join("content").join("posts"))
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .filter(|path| path.file_name().is_some_and(|name| name != "_index.md"))
        .collect();
    let chunk = posts.len().div_ceil(threads).max(1);
    thread::scope(|scope| {
        let workers: Vec<_> = posts
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().try_for_each(|post| page(post, out))))
            .collect();
        workers.into_iter().try_for_each(|worker| worker.join().expect("a worker panicked"))
    })
}

fn page(post: &Path, out: &Path) -> io::Result<()> {
    let text = fs::read_to_string(post)?;
    let (front, body) = split(&text);
    let title = front
        .lines()
        .find_map(|line| line.strip_prefix("title:"))
        .map(|title| title.trim().trim_matches('"'))
        .unwrap_or("");
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut page = String::with_capacity(body.len() * 3 / 2 + 128);
    page.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    for c in title.chars() {
        match c {
            '&' => page.push_str("&amp;"),
            '<' => page.push_str("&lt;"),
            _ => page.push(c),
        }
    }
    page.push_str("</title></head><body>\n");
    html::push_html(&mut page, Parser::new_ext(body, options));
    page.push_str("</body></html>\n");
    let folder = out.join("posts").join(post.file_stem().unwrap_or_default());
    fs::create_dir_all(&folder)?;
    fs::write(folder.join("index.html"), page)
}

/// The front matter runs from a leading `---\n` to the next `\n---\n`.
fn split(text: &str) -> (&str, &str) {
    text.strip_prefix("---\n").and_then(|rest| rest.split_once("\n---\n")).unwrap_or(("", text))
}
