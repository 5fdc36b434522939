//! Where a problem is, in the `path:line:col: message` form editors and terminals make clickable.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a source file. Lines and columns count from 1, in the whole file (not in a
/// front-matter block), in characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Location {
    pub fn file(path: &Path) -> Location {
        Location { path: path.to_owned(), line: None, column: None }
    }

    pub fn at(path: &Path, line: usize, column: usize) -> Location {
        Location { path: path.to_owned(), line: Some(line), column: Some(column) }
    }

    /// The location of a byte offset into `text`.
    pub fn at_offset(path: &Path, text: &str, offset: usize) -> Location {
        let (line, column) = line_column(text, offset);
        Location::at(path, line, column)
    }

    /// The first line of `text` that starts with `key` followed by `=` or `:`; the file itself
    /// when there is none (a default that was never written, say).
    pub fn of_key(path: &Path, text: &str, key: &str) -> Location {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(key)
                && rest.trim_start().starts_with(['=', ':'])
            {
                return Location::at_offset(path, text, offset + (line.len() - trimmed.len()));
            }
            offset += line.len();
        }
        Location::file(path)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// A located message: an error or a warning about one place in the site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, thiserror::Error)]
#[error("{location}: {message}")]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic { location, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one_in_characters() {
        let text = "ab\nçd\nef";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 5), (2, 2)); // after the two-byte ç
        assert_eq!(line_column(text, 100), (3, 3));
    }

    #[test]
    fn key_location_finds_indented_keys() {
        let location = Location::of_key(Path::new("f"), "a = 1\n  tz = 2\n", "tz");
        assert_eq!(location.to_string(), "f:2:3");
    }
}
