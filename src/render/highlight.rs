//! Syntax highlighting at build time: code becomes `<span>`s with CSS classes, and one generated
//! stylesheet (`/highlight.css`) colours them, light or dark as the reader's system prefers.
//!
//! Classes rather than inline colours keep pages small and let a theme restyle code without a
//! rebuild. The grammars are tree-sitter's, through arborium, which bundles them per language
//! (Cargo features `lang-*`) with themes to colour them. It replaced syntect because a site full
//! of code spends most of a cold build here: on the same fenced blocks it highlights Elixir
//! about 2x, Rust about 4.5x and JavaScript about 10x faster, and its markup (one class a
//! token, from a fixed set of about 25) is a third of the size.
//!
//! Each grammar compiles on first use (its queries take tens of milliseconds), once per
//! process, in a store shared by every rendering thread; each thread keeps its own parser.
//! Blocks already highlighted by an earlier build come from [`super::cache`] instead.

use std::cell::RefCell;
use std::sync::{Arc, LazyLock, OnceLock};

use arborium::{Config, GrammarStore, HtmlFormat};
use arborium_theme::{Theme, ThemeSlot, builtin, slot_to_highlight_index};

use super::markdown::{escape, plain_code_block};

/// What the cache keys highlighted code by besides the code: a change of grammar version or of
/// our markup must not serve blocks highlighted the old way. Bump the suffix when the markup
/// changes; a unit test keeps the arborium part in step with Cargo.lock.
pub const VERSION: &str = "arborium 2.18.2; markup 1";

/// The `highlight_theme` that picks a light and a dark theme which belong together.
pub const DEFAULT_THEME: &str = "default";
const DEFAULT_LIGHT: &str = "GitHub Light";
const DEFAULT_DARK: &str = "GitHub Dark";

/// Where the generated stylesheet is written.
pub const STYLESHEET: &str = "highlight.css";

/// Every class the highlighter writes starts with this, so a theme's own `.string` or
/// `.keyword` rules cannot collide with code colours.
const CLASS_PREFIX: &str = "hl";

/// The languages compiled in (each one a `lang-*` feature of arborium in Cargo.toml).
const LANGUAGES: &[&str] = &[
    "bash",
    "css",
    "diff",
    "elixir",
    "erlang",
    "html",
    "javascript",
    "json",
    "markdown",
    "rust",
    "sql",
    "toml",
    "typescript",
    "yaml",
];

static GRAMMARS: LazyLock<Arc<GrammarStore>> = LazyLock::new(|| Arc::new(GrammarStore::new()));

/// One flag a language: the first thread to meet a language compiles its grammar while the
/// others wait, rather than every thread compiling it at once (the store would keep only one).
static COMPILED: [OnceLock<()>; LANGUAGES.len()] = [const { OnceLock::new() }; LANGUAGES.len()];

thread_local! {
    /// A parser per thread: parsing needs mutable state, the compiled grammars do not.
    static PARSER: RefCell<Option<arborium::Highlighter>> = const { RefCell::new(None) };
}

/// Highlights fenced code. Cheap to copy: the grammars are shared by the process.
#[derive(Clone, Copy)]
pub struct Highlighter;

impl Highlighter {
    /// The process's highlighter; grammars load as each language is first met.
    pub fn shared() -> Highlighter {
        Highlighter
    }

    /// Whether a fence's language has a grammar here (an unknown one is plain code).
    pub fn knows(&self, language: &str) -> bool {
        grammar_name(language).is_some()
    }

    /// A fenced block as HTML: highlighted when the language is known, else plain escaped code
    /// (never an error: a typo in a fence's language must not fail a build).
    pub fn highlight(&self, language: &str, code: &str) -> String {
        let Some(grammar) = grammar_name(language) else { return plain_code_block(language, code) };
        let Some(spans) = highlight_with(grammar, code) else { return plain_code_block(language, code) };
        let mut out = String::with_capacity(spans.len() + language.len() + 64);
        // Focusable, so a reader on a keyboard can scroll a long line into view.
        out.push_str("<pre class=\"hl-code\" tabindex=\"0\"><code class=\"language-");
        out.push_str(&escape(language));
        out.push_str("\">");
        out.push_str(&spans);
        // arborium trims the block's last newline; the plain blocks keep theirs, and so do these.
        if code.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("</code></pre>\n");
        out
    }
}

/// Runs the grammar on this thread's parser. A parser that panics (a grammar bug) costs the
/// colours of one block, never the build, and is replaced.
fn highlight_with(grammar: &str, code: &str) -> Option<String> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let config =
                Config { html_format: HtmlFormat::ClassNamesWithPrefix(CLASS_PREFIX.to_owned()), ..Config::default() };
            arborium::Highlighter::with_store_and_config(Arc::clone(&GRAMMARS), config)
        });
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Some(index) = LANGUAGES.iter().position(|known| *known == grammar) {
                COMPILED[index].get_or_init(|| drop(GRAMMARS.get(grammar)));
            }
            parser.highlight(grammar, code).ok()
        }));
        outcome.unwrap_or_else(|_| {
            *slot = None;
            None
        })
    })
}

/// The grammar for a fence's language: by name, file extension, or a common alias.
fn grammar_name(language: &str) -> Option<&'static str> {
    let wanted = language.trim().to_ascii_lowercase();
    let name = match wanted.as_str() {
        "sh" | "shell" | "zsh" | "console" | "shell-session" | "sh-session" => "bash",
        "ex" | "exs" | "iex" => "elixir",
        "erl" | "hrl" => "erlang",
        "rs" => "rust",
        "js" | "jsx" | "mjs" | "cjs" => "javascript",
        "ts" | "mts" | "cts" => "typescript",
        "htm" | "xhtml" => "html",
        "yml" => "yaml",
        "patch" => "diff",
        "md" => "markdown",
        "postgres" | "postgresql" | "mysql" | "sqlite" => "sql",
        other => other,
    };
    LANGUAGES.iter().copied().find(|known| *known == name)
}

/// The stylesheet for `highlight_theme`: `"default"`, one theme for both schemes, or
/// `"Light theme, Dark theme"`. The light rules and the dark rules each sit in their own media
/// query, so a rule only one theme has never leaks into the other scheme.
pub fn stylesheet(highlight_theme: &str) -> Result<String, String> {
    let (light, dark) = themes(highlight_theme)?;
    let mut out = String::from("/* Code colours, generated by `blog` for highlight_theme = ");
    out.push_str(&format!("{highlight_theme:?}. */\n"));
    out.push_str("@media not all and (prefers-color-scheme: dark) {\n");
    out.push_str(&theme_css(&light));
    out.push_str("}\n@media (prefers-color-scheme: dark) {\n");
    out.push_str(&theme_css(&dark));
    out.push_str("}\n");
    Ok(out)
}

/// One theme's rules: the block's colours, then one rule per kind of token it colours.
fn theme_css(theme: &Theme) -> String {
    let mut css = format!("/* theme {:?} */\n.hl-code {{", theme.name);
    if let Some(background) = &theme.background {
        css.push_str(&format!(" background: {};", background.to_hex()));
    }
    if let Some(foreground) = &theme.foreground {
        css.push_str(&format!(" color: {};", foreground.to_hex()));
    }
    css.push_str(" }\n");
    for slot in SLOTS {
        let (Some(name), Some(index)) = (slot.name(), slot_to_highlight_index(slot)) else { continue };
        let Some(style) = theme.style(index).filter(|style| !style.is_empty()) else { continue };
        let mut rule = String::new();
        if let Some(fg) = &style.fg {
            rule.push_str(&format!(" color: {};", fg.to_hex()));
        }
        if let Some(bg) = &style.bg {
            rule.push_str(&format!(" background: {};", bg.to_hex()));
        }
        let modifiers = &style.modifiers;
        let decorations: Vec<&str> = [(modifiers.underline, "underline"), (modifiers.strikethrough, "line-through")]
            .into_iter()
            .filter_map(|(on, value)| on.then_some(value))
            .collect();
        if !decorations.is_empty() {
            rule.push_str(&format!(" text-decoration: {};", decorations.join(" ")));
        }
        if modifiers.bold {
            rule.push_str(" font-weight: bold;");
        }
        if modifiers.italic {
            rule.push_str(" font-style: italic;");
        }
        if !rule.is_empty() {
            css.push_str(&format!(".hl-code .{CLASS_PREFIX}-{name} {{{rule} }}\n"));
        }
    }
    css
}

/// Every kind of token the markup can name (`hl-keyword`, `hl-string`, ...).
const SLOTS: [ThemeSlot; 27] = [
    ThemeSlot::Keyword,
    ThemeSlot::Function,
    ThemeSlot::String,
    ThemeSlot::Comment,
    ThemeSlot::Type,
    ThemeSlot::Variable,
    ThemeSlot::Constant,
    ThemeSlot::Number,
    ThemeSlot::Operator,
    ThemeSlot::Punctuation,
    ThemeSlot::Property,
    ThemeSlot::Attribute,
    ThemeSlot::Tag,
    ThemeSlot::Macro,
    ThemeSlot::Label,
    ThemeSlot::Namespace,
    ThemeSlot::Constructor,
    ThemeSlot::Title,
    ThemeSlot::Strong,
    ThemeSlot::Emphasis,
    ThemeSlot::Link,
    ThemeSlot::Literal,
    ThemeSlot::Strikethrough,
    ThemeSlot::DiffAdd,
    ThemeSlot::DiffDelete,
    ThemeSlot::Embedded,
    ThemeSlot::Error,
];

/// Checks a `highlight_theme` value; the error lists the themes there are.
pub fn check_theme(highlight_theme: &str) -> Result<(), String> {
    themes(highlight_theme).map(drop)
}

fn themes(setting: &str) -> Result<(Theme, Theme), String> {
    let (light, dark) = if setting.trim().eq_ignore_ascii_case(DEFAULT_THEME) {
        (DEFAULT_LIGHT, DEFAULT_DARK)
    } else {
        setting.split_once(',').unwrap_or((setting, setting))
    };
    Ok((find_theme(light)?, find_theme(dark)?))
}

/// A theme by name, forgiving case and the spelling of spaces: "GitHub Dark", "github-dark"
/// and "github_dark" are one theme.
fn find_theme(name: &str) -> Result<Theme, String> {
    let simple = |text: &str| -> String {
        text.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '_')).flat_map(char::to_lowercase).collect()
    };
    let wanted = simple(name);
    let all = builtin::all();
    if let Some(theme) = all.iter().find(|theme| simple(&theme.name) == wanted) {
        return Ok(theme.clone());
    }
    let known: Vec<String> = all.iter().map(|theme| format!("{:?}", theme.name)).collect();
    Err(format!(
        "unknown highlight_theme {:?}; use \"default\", one of {}, or \"light theme, dark theme\"",
        name.trim(),
        known.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_languages_bloggers_use_are_known() {
        let highlighter = Highlighter::shared();
        for language in [
            "elixir",
            "erlang",
            "rust",
            "sh",
            "bash",
            "shell",
            "console",
            "javascript",
            "js",
            "typescript",
            "ts",
            "html",
            "css",
            "json",
            "yaml",
            "yml",
            "toml",
            "sql",
            "diff",
            "markdown",
            "md",
            "Elixir",
        ] {
            let html = highlighter.highlight(language, "x = 1\n");
            assert!(html.starts_with("<pre class=\"hl-code\" tabindex=\"0\">"), "{language} has no grammar: {html}");
        }
    }

    #[test]
    fn known_code_gets_classes_and_stays_escaped() {
        let html = Highlighter::shared().highlight("elixir", "defmodule A do\n  def x, do: \"<b>\"\nend\n");
        assert!(html.starts_with("<pre class=\"hl-code\" tabindex=\"0\"><code class=\"language-elixir\">"), "{html}");
        assert!(html.contains("<span class=\"hl-keyword\">"), "{html}");
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"), "{html}");
        assert!(html.ends_with("end</span>\n</code></pre>\n"), "the last newline stays: {html}");
    }

    #[test]
    fn unknown_or_no_language_is_plain_escaped_code() {
        let html = Highlighter::shared().highlight("klingon", "a < b\n");
        assert_eq!(html, "<pre tabindex=\"0\"><code class=\"language-klingon\">a &lt; b\n</code></pre>\n");
        let html = Highlighter::shared().highlight("", "x\n");
        assert_eq!(html, "<pre tabindex=\"0\"><code>x\n</code></pre>\n");
    }

    #[test]
    fn stylesheet_has_light_and_dark_rules() {
        let css = stylesheet("default").unwrap();
        assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
        assert!(css.contains(".hl-code .hl-keyword {"), "{css}");
        assert_eq!(css.matches(".hl-code {").count(), 2);
        assert!(stylesheet("Nord").is_ok());
        assert!(stylesheet("github-light, dracula").is_ok());
        let err = stylesheet("Nope").unwrap_err();
        assert!(err.contains("\"Nord\""), "{err}");
    }

    #[test]
    fn the_cache_key_names_the_grammar_version_in_cargo_lock() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
        let version = lock
            .split("[[package]]")
            .find(|package| package.contains("name = \"arborium\"\n"))
            .and_then(|package| package.lines().find_map(|line| line.strip_prefix("version = ")))
            .unwrap()
            .trim_matches('"');
        assert!(VERSION.starts_with(&format!("arborium {version};")), "bump highlight::VERSION to {version}");
    }
}
