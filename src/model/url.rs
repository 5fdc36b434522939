//! URLs: a page's path inside the site ([`UrlPath`]) and where the site lives ([`BaseUrl`]).
//!
//! Keeping the two apart is what lets a site live under a path (`https://user.github.io/blog/`):
//! the model only ever speaks of site paths, and every link is made through [`BaseUrl`].

use std::fmt;

use serde::Serialize;

/// A page's path inside the site, always starting with `/`: `/posts/hello/`, `/atom.xml`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct UrlPath(String);

impl UrlPath {
    /// Normalizes a path a writer gave (`posts/x`, `/posts/x`, `/posts/x/`): a leading `/`, no
    /// doubled slashes, and a trailing `/` unless the last segment names a file (`/x.html`).
    pub fn new(path: &str) -> UrlPath {
        let mut out = String::with_capacity(path.len() + 2);
        for segment in path.split('/').filter(|s| !s.is_empty() && *s != ".") {
            out.push('/');
            out.push_str(segment);
        }
        let is_file = out.rsplit('/').next().is_some_and(|last| last.contains('.'));
        if !is_file {
            out.push('/');
        }
        UrlPath(out)
    }

    pub fn root() -> UrlPath {
        UrlPath("/".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A path below this one: `/tags/x/` joined with `page/2` gives `/tags/x/page/2/`.
    pub fn join(&self, rest: &str) -> UrlPath {
        UrlPath::new(&[self.0.as_str(), "/", rest].concat())
    }

    /// The file this URL is served from, relative to the output folder: `posts/x/index.html`.
    pub fn output_file(&self) -> String {
        let trimmed = self.0.trim_start_matches('/');
        let mut file = String::with_capacity(trimmed.len() + "index.html".len());
        file.push_str(trimmed);
        if self.0.ends_with('/') {
            file.push_str("index.html");
        }
        file
    }

    /// Whether a path given by a writer would escape the output folder or is otherwise unfit
    /// to be a file name.
    pub fn is_safe(&self) -> bool {
        self.0.split('/').all(|segment| segment != ".." && !segment.contains('\\') && !segment.contains('\0'))
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the site is published. Without `base_url` links are root-relative (`/posts/x/`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaseUrl {
    /// `https://user.github.io`, without a trailing slash; empty when no `base_url` is set.
    origin: String,
    /// `/blog` for a site under a path; empty at the root.
    prefix: String,
}

impl BaseUrl {
    pub fn parse(url: &str) -> Result<BaseUrl, String> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(format!("base_url {url:?} must start with http:// or https://"));
        };
        if !matches!(scheme, "http" | "https") || rest.is_empty() {
            return Err(format!("base_url {url:?} must start with http:// or https://"));
        }
        if rest.contains(['?', '#', ' ', '"', '<', '>']) {
            return Err(format!("base_url {url:?} must be a plain address without query, fragment or spaces"));
        }
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            return Err(format!("base_url {url:?} has no host"));
        }
        let prefix = UrlPath::new(path).as_str().trim_end_matches('/').to_owned();
        Ok(BaseUrl { origin: format!("{scheme}://{host}"), prefix })
    }

    /// A local address for `serve`: `http://127.0.0.1:4000`.
    pub fn local(origin: &str) -> BaseUrl {
        BaseUrl { origin: origin.trim_end_matches('/').to_owned(), prefix: String::new() }
    }

    pub fn is_set(&self) -> bool {
        !self.origin.is_empty()
    }

    /// The path prefix a site under a path carries (`/blog`), empty at the root.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    // Both made by joining slices, not with `format!`: a build makes several links for every
    // post and page, and `format!` (its formatting machinery, and a buffer regrown as it fills)
    // took a few times as long for each, about a hundredth of a whole build.

    /// A link from one page of the site to another: `/blog/posts/x/`.
    pub fn href(&self, path: &UrlPath) -> String {
        [self.prefix.as_str(), path.as_str()].concat()
    }

    /// The full address, for feeds, sitemaps and canonical links; root-relative without a
    /// `base_url`.
    pub fn absolute(&self, path: &UrlPath) -> String {
        [self.origin.as_str(), self.prefix.as_str(), path.as_str()].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized() {
        assert_eq!(UrlPath::new("posts/x").as_str(), "/posts/x/");
        assert_eq!(UrlPath::new("//posts//x/").as_str(), "/posts/x/");
        assert_eq!(UrlPath::new("/old/x.html").as_str(), "/old/x.html");
        assert_eq!(UrlPath::new("").as_str(), "/");
        assert_eq!(UrlPath::new("/tags/").join("page/2").as_str(), "/tags/page/2/");
    }

    #[test]
    fn output_files() {
        assert_eq!(UrlPath::new("/").output_file(), "index.html");
        assert_eq!(UrlPath::new("/posts/x/").output_file(), "posts/x/index.html");
        assert_eq!(UrlPath::new("/atom.xml").output_file(), "atom.xml");
    }

    #[test]
    fn traversal_is_unsafe() {
        assert!(!UrlPath::new("/../etc/").is_safe());
        assert!(UrlPath::new("/a..b/").is_safe());
    }

    #[test]
    fn base_url_with_a_path() {
        let base = BaseUrl::parse("https://user.github.io/blog/").unwrap();
        assert_eq!(base.href(&UrlPath::new("/posts/x/")), "/blog/posts/x/");
        assert_eq!(base.absolute(&UrlPath::root()), "https://user.github.io/blog/");
        let base = BaseUrl::parse("https://example.com").unwrap();
        assert_eq!(base.href(&UrlPath::root()), "/");
        assert_eq!(base.absolute(&UrlPath::new("/a/")), "https://example.com/a/");
        assert!(BaseUrl::parse("example.com").is_err());
        assert!(BaseUrl::parse("https://x.com/\"><script>").is_err());
        let none = BaseUrl::default();
        assert_eq!(none.absolute(&UrlPath::new("/a/")), "/a/");
    }
}
