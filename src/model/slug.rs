//! Slugs: the URL-safe name of a post, tag or series.

use std::fmt;

use serde::Serialize;

/// Lower-case ASCII letters, digits and single dashes; non-ASCII is transliterated
/// (`Ünïcödé` -> `unicode`), so a slug is always a safe path segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Slugifies any text. The result may be empty (`"++"`): callers decide what that means.
    pub fn from_text(text: &str) -> Slug {
        Slug(slug::slugify(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(Slug::from_text("28 days of elixir").as_str(), "28-days-of-elixir");
        assert_eq!(Slug::from_text("Ünïcödé Straße").as_str(), "unicode-strasse");
        assert_eq!(Slug::from_text("Hello.World").as_str(), "hello-world");
        assert_eq!(Slug::from_text("trailing-dash-").as_str(), "trailing-dash");
        assert_eq!(Slug::from_text("C").as_str(), Slug::from_text("C++").as_str());
        assert!(Slug::from_text("++").is_empty());
        assert_eq!(Slug::from_text("日本語").as_str(), "ri-ben-yu");
    }
}
