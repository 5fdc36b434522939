//! Rendered Markdown kept between `serve`'s rebuilds, so an edit re-renders one document's
//! Markdown rather than every document's (with highlighting on, the Markdown is most of a
//! build's time).
//!
//! An entry is used only when everything its HTML came from is unchanged: the document (the
//! same reading of its file: an edited file is read anew), and every URL it looked up (its
//! own, and those of its `@/` links), looked up again in this build. The `[markdown]` config,
//! the base URL and the templates (shortcodes) must stay the same for the cache's whole life:
//! its owner starts a new one when they change (`serve` does, with every reload of
//! `site.toml`, a template or the theme).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::markdown::Rendered;
use super::{Templates, internal_link, render_document_with};
use crate::diagnostic::Diagnostic;
use crate::load::Source;
use crate::model::Site;

#[derive(Default)]
pub struct MarkdownCache {
    /// By the document's path under `content/`.
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

struct Entry {
    /// The reading of the file it was rendered from ([`Source::revision`]).
    revision: u64,
    /// Each URL the document looked up (by path under `content/`), and what it was.
    links: Vec<(String, Option<String>)>,
    rendered: Arc<Rendered>,
}

impl Entry {
    fn still_valid(&self, site: &Site<'_>, source: &Source) -> bool {
        self.revision == source.revision && self.links.iter().all(|(path, href)| internal_link(site, path) == *href)
    }
}

impl MarkdownCache {
    /// The document's rendered Markdown, from the cache when it is still what rendering would
    /// give, otherwise rendered (and kept, unless it has errors).
    pub fn render(
        &self,
        site: &Site<'_>,
        templates: &Templates,
        source: &Source,
        code: Option<&super::cache::CodeCache>,
    ) -> Result<Arc<Rendered>, Vec<Diagnostic>> {
        let cached = self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(&source.content_path).cloned();
        if let Some(entry) = cached
            && entry.still_valid(site, source)
        {
            return Ok(Arc::clone(&entry.rendered));
        }
        let used = RefCell::new(Vec::new());
        let links = |path: &str| {
            let href = internal_link(site, path);
            used.borrow_mut().push((path.to_owned(), href.clone()));
            href
        };
        let rendered = Arc::new(render_document_with(site, templates, source, &links, code)?);
        let entry = Entry { revision: source.revision, links: used.into_inner(), rendered: Arc::clone(&rendered) };
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(source.content_path.clone(), Arc::new(entry));
        Ok(rendered)
    }
}
