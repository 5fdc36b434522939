//! `blog check`: everything `build` validates, then every internal link of the rendered site.
//!
//! The site goes through the same pipeline as `build` ([`crate::render_site`]) and nothing is
//! written. Each HTML page is then parsed once, with a real HTML parser (attributes may be
//! quoted any way and carry entities; a regex would misread both), for its links and its
//! element ids, and each link is resolved as a browser would: against the page's own URL, with
//! the base path prefix stripped, to a file of the output and, with `#anchor`, an id on it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Location, line_column};
use crate::model::{BaseUrl, UrlPath};
use crate::render::{Body, RenderedSite};
use crate::{BuildOptions, Error};

/// What `blog check` found.
#[derive(Debug)]
pub struct Report {
    /// HTML pages whose links were checked.
    pub pages: usize,
    /// Internal links checked, counted once per page.
    pub links: usize,
    /// One per broken link, located in the Markdown file it came from where there is one.
    pub broken: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "Checked {} and {}: ",
            plural(self.pages, "page", "pages"),
            plural(self.links, "internal link", "internal links")
        )?;
        match self.broken.len() {
            0 => write!(f, "all OK"),
            n => write!(f, "{} broken", plural(n, "link", "links")),
        }
    }
}

/// Renders the site in memory as `build` would, then checks every internal `href` and `src`.
pub fn check(options: &BuildOptions) -> Result<Report, Error> {
    let (config, model_options, mut warnings) = crate::prepare(options)?;
    let built = crate::render_site(&options.root, &config, &model_options)?;
    warnings.extend(built.warnings);
    let (pages, links, broken) = check_links(&built.site, &model_options.base);
    Ok(Report { pages, links, broken, warnings })
}

/// One rendered HTML page: its links (each once, in order) and the ids a `#fragment` may name.
struct PageLinks<'a> {
    path: &'a str,
    links: Vec<String>,
    ids: HashSet<String>,
}

fn check_links(site: &RenderedSite, base: &BaseUrl) -> (usize, usize, Vec<Diagnostic>) {
    let pages: Vec<PageLinks<'_>> = site
        .files
        .par_iter()
        .filter_map(|file| match &file.body {
            Body::Made(html) if file.path.ends_with(".html") => {
                Some(read_page(&file.path, std::str::from_utf8(html).unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    let files: HashSet<&str> = site.files.iter().map(|f| f.path.as_str()).collect();
    let ids: HashMap<&str, &HashSet<String>> = pages.iter().map(|p| (p.path, &p.ids)).collect();
    let resolver = Resolver { base, own_origin: own_origin(base), files: &files, ids: &ids };

    let mut links = 0;
    let mut found: Vec<Broken<'_>> = Vec::new();
    for page in &pages {
        for link in &page.links {
            match resolver.check(page.path, link) {
                Outcome::External => {}
                Outcome::Fine => links += 1,
                Outcome::Broken(reason) => {
                    links += 1;
                    found.push(Broken { page: page.path, link, reason });
                }
            }
        }
    }
    (pages.len(), links, report(site, base, found))
}

fn read_page<'a>(path: &'a str, html: &str) -> PageLinks<'a> {
    let document = scraper::Html::parse_document(html);
    let mut links = Vec::new();
    let mut seen = HashSet::new();
    let mut ids = HashSet::new();
    for node in document.tree.nodes() {
        let Some(element) = node.value().as_element() else { continue };
        if let Some(id) = element.id() {
            ids.insert(id.to_owned());
        }
        if element.name() == "a"
            && let Some(name) = element.attr("name")
        {
            ids.insert(name.to_owned()); // old-style anchors are fragment targets too
        }
        for attribute in ["href", "src"] {
            if let Some(link) = element.attr(attribute)
                && seen.insert(link.to_owned())
            {
                links.push(link.to_owned());
            }
        }
    }
    PageLinks { path, links, ids }
}

/// `https://example.com` when the site has a `base_url`: absolute links there are internal.
fn own_origin(base: &BaseUrl) -> Option<String> {
    if !base.is_set() {
        return None;
    }
    let root = base.absolute(&UrlPath::root());
    root.strip_suffix(&format!("{}/", base.prefix())).map(str::to_owned)
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Reason {
    NoPage,
    NoFile,
    NoAnchor { anchor: String, page: String },
    OutsideBase(String),
    AboveRoot,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoPage => write!(f, "no such page"),
            Reason::NoFile => write!(f, "no such file"),
            Reason::NoAnchor { anchor, page } => write!(f, "no anchor #{anchor} on {page}"),
            Reason::OutsideBase(prefix) => write!(f, "outside the site's base path {prefix}/"),
            Reason::AboveRoot => write!(f, "goes above the site's root"),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Another site, or not a place at all (`mailto:`, `data:`): not ours to check.
    External,
    Fine,
    Broken(Reason),
}

struct Resolver<'a> {
    base: &'a BaseUrl,
    own_origin: Option<String>,
    /// Every output file, relative to the output folder (`posts/x/index.html`).
    files: &'a HashSet<&'a str>,
    /// The ids on each rendered HTML page.
    ids: &'a HashMap<&'a str, &'a HashSet<String>>,
}

impl Resolver<'_> {
    /// Checks one link found on the page at output path `page`.
    fn check(&self, page: &str, link: &str) -> Outcome {
        let link = link.trim_matches(|c: char| c.is_ascii_whitespace());
        let link = match self.site_relative(link) {
            Some(link) => link,
            None => return Outcome::External,
        };
        let (rest, fragment) = match link.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (link, None),
        };
        let path = rest.split('?').next().unwrap_or("");
        let target = if path.is_empty() {
            page.to_owned()
        } else {
            match self.output_file(page, path) {
                Ok(target) => target,
                Err(reason) => return Outcome::Broken(reason),
            }
        };
        match fragment.map(|f| percent_encoding::percent_decode_str(f).decode_utf8_lossy()) {
            // An empty fragment and `#top` scroll to the top of any page.
            Some(anchor) if !anchor.is_empty() && anchor != "top" => match self.ids.get(target.as_str()) {
                Some(ids) if !ids.contains(anchor.as_ref()) => Outcome::Broken(Reason::NoAnchor {
                    anchor: anchor.into_owned(),
                    page: self.base.href(&url_of(&target)),
                }),
                _ => Outcome::Fine,
            },
            _ => Outcome::Fine,
        }
    }

    /// The link without a scheme and host when it points into this site; `None` when it leaves.
    fn site_relative<'l>(&self, link: &'l str) -> Option<&'l str> {
        if link.starts_with("//") {
            return None;
        }
        let scheme_end = link.find(':').filter(|&colon| {
            let scheme = &link[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        });
        if scheme_end.is_none() {
            return Some(link);
        }
        // Canonical links and redirects are absolute; they still point at this site's pages.
        let origin = self.own_origin.as_deref()?;
        let rest = link.strip_prefix(origin)?;
        if rest.is_empty() {
            Some("/")
        } else if rest.starts_with(['/', '?', '#']) {
            Some(rest)
        } else {
            None
        }
    }

    /// The output file a link's path names, resolved against the page it is on.
    fn output_file(&self, page: &str, path: &str) -> Result<String, Reason> {
        let prefix = self.base.prefix();
        let absolute = if path.starts_with('/') {
            path.to_owned()
        } else {
            let folder = page.rsplit_once('/').map_or("", |(folder, _)| folder);
            format!("{prefix}/{folder}/{path}")
        };
        let mut segments: Vec<&str> = Vec::new();
        for segment in absolute.split('/').filter(|s| !s.is_empty() && *s != ".") {
            if segment == ".." {
                segments.pop().ok_or(Reason::AboveRoot)?;
            } else {
                segments.push(segment);
            }
        }
        let is_folder = absolute.ends_with('/') || absolute.ends_with("/.") || absolute.ends_with("/..");
        let mut segments = segments.as_slice();
        if !prefix.is_empty() {
            let prefix_segments: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
            segments =
                segments.strip_prefix(prefix_segments.as_slice()).ok_or(Reason::OutsideBase(prefix.to_owned()))?;
        }
        let relative = percent_encoding::percent_decode_str(&segments.join("/")).decode_utf8_lossy().into_owned();
        let candidates = if relative.is_empty() {
            vec!["index.html".to_owned()]
        } else if is_folder {
            vec![format!("{relative}/index.html")]
        } else {
            // A server answers `/posts/x` with the folder's index page, as it does `/posts/x/`.
            vec![relative.clone(), format!("{relative}/index.html")]
        };
        match candidates.into_iter().find(|c| self.files.contains(c.as_str())) {
            Some(found) => Ok(found),
            None => {
                let last = relative.rsplit('/').next().unwrap_or("");
                let is_file = !is_folder && last.contains('.') && !last.ends_with(".html");
                Err(if is_file { Reason::NoFile } else { Reason::NoPage })
            }
        }
    }
}

/// `posts/x/index.html` -> `/posts/x/`; `404.html` -> `/404.html`.
fn url_of(output_file: &str) -> UrlPath {
    UrlPath::new(output_file.strip_suffix("index.html").unwrap_or(output_file))
}

struct Broken<'a> {
    page: &'a str,
    link: &'a str,
    reason: Reason,
}

/// Turns broken links into diagnostics. A link found in a post's Markdown is reported at its
/// line there, and not again for the list pages that show it in the post's summary; one that
/// is not (it comes from a template) is reported once, with the number of other pages that
/// carry it, rather than once for every post.
fn report(site: &RenderedSite, base: &BaseUrl, found: Vec<Broken<'_>>) -> Vec<Diagnostic> {
    let mut texts: HashMap<&Path, Option<String>> = HashMap::new();
    let mut located = Vec::new();
    let mut in_markdown_files: HashSet<(&str, Reason)> = HashSet::new();
    let mut from_templates: BTreeMap<(&str, Reason), Vec<Location>> = BTreeMap::new();
    for broken in found {
        let origin = site.origins.get(broken.page);
        let in_markdown = origin.and_then(|path| {
            let text = texts.entry(path).or_insert_with(|| std::fs::read_to_string(path).ok());
            locate(path, text.as_deref()?, broken.link)
        });
        match in_markdown {
            Some(location) => {
                located.push(message(location, broken.link, &broken.reason, 0));
                in_markdown_files.insert((broken.link, broken.reason));
            }
            None => {
                let location = match origin {
                    Some(path) => Location::file(path),
                    None => Location::file(&PathBuf::from(base.href(&url_of(broken.page)))),
                };
                from_templates.entry((broken.link, broken.reason)).or_default().push(location);
            }
        }
    }
    for ((link, reason), mut pages) in from_templates {
        if in_markdown_files.contains(&(link, reason.clone())) {
            continue;
        }
        pages.sort();
        let others = pages.len() - 1;
        located.push(message(pages.swap_remove(0), link, &reason, others));
    }
    located.sort();
    located
}

fn message(location: Location, link: &str, reason: &Reason, others: usize) -> Diagnostic {
    let also = match others {
        0 => String::new(),
        1 => ", and on 1 other page".to_owned(),
        n => format!(", and on {n} other pages"),
    };
    Diagnostic::new(location, format!("broken link {link:?} ({reason}){also}"))
}

/// Where a link is written in a Markdown file: the link itself, or for an `@/x.md#anchor` link
/// (which the page shows resolved) its `.md#anchor` part.
fn locate(path: &Path, text: &str, link: &str) -> Option<Location> {
    let mut needles = vec![link.to_owned()];
    if let Some((_, fragment)) = link.split_once('#') {
        needles.push(format!(".md#{fragment}"));
        needles.push(format!(".markdown#{fragment}"));
    }
    needles.iter().find_map(|needle| text.find(needle.as_str())).map(|offset| {
        let (line, column) = line_column(text, offset);
        Location::at(path, line, column)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver_check(base: &str, files: &[&str], ids: &[(&str, &[&str])], page: &str, link: &str) -> Outcome {
        let base = if base.is_empty() { BaseUrl::default() } else { BaseUrl::parse(base).unwrap() };
        let files: HashSet<&str> = files.iter().copied().collect();
        let id_sets: Vec<(&str, HashSet<String>)> =
            ids.iter().map(|(page, ids)| (*page, ids.iter().map(|s| s.to_string()).collect())).collect();
        let ids: HashMap<&str, &HashSet<String>> = id_sets.iter().map(|(p, s)| (*p, s)).collect();
        let resolver = Resolver { base: &base, own_origin: own_origin(&base), files: &files, ids: &ids };
        resolver.check(page, link)
    }

    const FILES: &[&str] = &["index.html", "posts/a/index.html", "posts/a/map.png", "style.css", "404.html"];
    const IDS: &[(&str, &[&str])] = &[("posts/a/index.html", &["setup"]), ("index.html", &["main"])];

    fn at_root(page: &str, link: &str) -> Outcome {
        resolver_check("https://example.com/", FILES, IDS, page, link)
    }

    fn under_blog(page: &str, link: &str) -> Outcome {
        resolver_check("https://user.github.io/blog/", FILES, IDS, page, link)
    }

    #[test]
    fn other_sites_and_schemes_are_not_checked() {
        for link in ["https://other.org/x", "//cdn.org/x.js", "mailto:me@x.org", "data:image/png;base64,AA", "tel:1"] {
            assert_eq!(at_root("index.html", link), Outcome::External, "{link}");
        }
    }

    #[test]
    fn root_relative_relative_and_own_absolute_links_resolve() {
        for link in ["/posts/a/", "/posts/a", "posts/a/", "./posts/a/map.png", "/style.css?v=2", "", "#main"] {
            assert_eq!(at_root("index.html", link), Outcome::Fine, "{link}");
        }
        for link in ["map.png", "../../style.css", "#setup", "../a/#setup", "https://example.com/posts/a/#setup"] {
            assert_eq!(at_root("posts/a/index.html", link), Outcome::Fine, "{link}");
        }
        assert_eq!(at_root("404.html", "https://example.com"), Outcome::Fine);
    }

    #[test]
    fn missing_pages_files_and_anchors_are_broken() {
        assert_eq!(at_root("index.html", "/posts/b/"), Outcome::Broken(Reason::NoPage));
        assert_eq!(at_root("index.html", "https://example.com/nope/"), Outcome::Broken(Reason::NoPage));
        assert_eq!(at_root("posts/a/index.html", "route.gpx"), Outcome::Broken(Reason::NoFile));
        assert_eq!(at_root("posts/a/index.html", "../../../x/"), Outcome::Broken(Reason::AboveRoot));
        let no_anchor = |anchor: &str, page: &str| Reason::NoAnchor { anchor: anchor.into(), page: page.into() };
        assert_eq!(at_root("index.html", "/posts/a/#nope"), Outcome::Broken(no_anchor("nope", "/posts/a/")));
        assert_eq!(at_root("posts/a/index.html", "#main"), Outcome::Broken(no_anchor("main", "/posts/a/")));
    }

    #[test]
    fn the_base_path_prefix_is_part_of_every_link() {
        assert_eq!(under_blog("index.html", "/blog/posts/a/#setup"), Outcome::Fine);
        assert_eq!(under_blog("posts/a/index.html", "../../style.css"), Outcome::Fine);
        assert_eq!(under_blog("index.html", "https://user.github.io/blog/posts/a/"), Outcome::Fine);
        assert_eq!(under_blog("index.html", "/posts/a/"), Outcome::Broken(Reason::OutsideBase("/blog".into())));
        assert_eq!(
            under_blog("index.html", "/blog/posts/a/#x"),
            Outcome::Broken(Reason::NoAnchor { anchor: "x".into(), page: "/blog/posts/a/".into() })
        );
    }

    #[test]
    fn links_are_found_in_their_markdown() {
        let text = "---\ntitle: A\n---\nSee [b](../b/)\nand [c](@/posts/c.md#setup).\n";
        let path = Path::new("p.md");
        assert_eq!(locate(path, text, "../b/").unwrap().to_string(), "p.md:4:9");
        assert_eq!(locate(path, text, "/posts/c/#setup").unwrap().to_string(), "p.md:5:18");
        assert!(locate(path, text, "/style.css").is_none());
    }
}
