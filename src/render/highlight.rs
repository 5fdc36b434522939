//! Syntax highlighting at build time: code becomes `<span>`s with CSS classes, and one generated
//! stylesheet (`/highlight.css`) colours them, light or dark as the reader's system prefers.
//!
//! Classes rather than inline colours keep pages small and let a theme restyle code without a
//! rebuild. The grammars are syntect's with two-face's extras (Elixir, TOML, TypeScript, ...),
//! on the pure-Rust regex engine so the build needs no C library.
//!
//! Loading the grammars is the expensive part (tens of milliseconds, more as each grammar's
//! regexes compile on first use), so they load once per process, lazily, and are shared by every
//! rendering thread; [`Highlighter`] is the small API a cache of highlighted blocks wraps.

use std::sync::LazyLock;

use syntect::highlighting::{Color, Theme};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::{EmbeddedLazyThemeSet, EmbeddedThemeName};

use super::markdown::{escape, plain_code_block};

/// Every class the highlighter writes starts with this, so a theme's own `.string` or
/// `.keyword` rules cannot collide with code colours.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The `highlight_theme` that picks a light and a dark theme which belong together.
pub const DEFAULT_THEME: &str = "default";
const DEFAULT_LIGHT: EmbeddedThemeName = EmbeddedThemeName::OneHalfLight;
const DEFAULT_DARK: EmbeddedThemeName = EmbeddedThemeName::OneHalfDark;
/// The contrast every colour of the default pair gets against its background: WCAG AA's 4.5:1
/// for body text, with room for rounding. As they come, OneHalf's comments and strings are too
/// faint to read comfortably (2.3:1 to 3:1), and the default theme holds code to the same bar as
/// prose (its axe-core test checks both).
const READABLE_CONTRAST: f64 = 4.6;

/// Where the generated stylesheet is written.
pub const STYLESHEET: &str = "highlight.css";

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Highlights fenced code. Cheap to copy: it only points at the shared grammars.
#[derive(Clone, Copy)]
pub struct Highlighter {
    syntaxes: &'static SyntaxSet,
}

impl Highlighter {
    /// The process's highlighter; the first call loads the grammars.
    pub fn shared() -> Highlighter {
        Highlighter { syntaxes: &SYNTAXES }
    }

    /// A fenced block as HTML: highlighted when the language is known, else plain escaped code
    /// (never an error: a typo in a fence's language must not fail a build).
    pub fn highlight(&self, language: &str, code: &str) -> String {
        let Some(syntax) = self.syntax(language) else { return plain_code_block(language, code) };
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, self.syntaxes, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            if generator.parse_html_for_line_which_includes_newline(line).is_err() {
                // A grammar that gives up (a regex hitting its backtracking limit) costs the
                // colours, never the post.
                return plain_code_block(language, code);
            }
        }
        let spans = generator.finalize();
        format!(
            "<pre class=\"hl-code\" tabindex=\"0\"><code class=\"language-{}\">{spans}</code></pre>\n",
            escape(language)
        )
    }

    /// The grammar for a fence's language: by name, file extension, or a common alias.
    fn syntax(&self, language: &str) -> Option<&'static SyntaxReference> {
        let wanted = language.trim().to_ascii_lowercase();
        let token = match wanted.as_str() {
            "" | "text" | "txt" | "plain" | "plaintext" => return None,
            "shell" | "zsh" | "console" | "shell-session" | "sh-session" => "bash",
            "iex" => "elixir",
            "erl" => "erlang",
            "jsx" => "js",
            "typescript" => "ts",
            "yml" => "yaml",
            "patch" => "diff",
            "markdown" | "md" => "md",
            other => other,
        };
        let syntaxes: &'static SyntaxSet = self.syntaxes;
        syntaxes
            .find_syntax_by_token(token)
            .or_else(|| syntaxes.find_syntax_by_extension(token))
            .filter(|s| s.name != "Plain Text")
    }
}

/// The stylesheet for `highlight_theme`: `"default"`, one theme for both schemes, or
/// `"Light theme, Dark theme"`. The light rules and the dark rules each sit in their own media
/// query, so a rule only one theme has never leaks into the other scheme.
pub fn stylesheet(highlight_theme: &str) -> Result<String, String> {
    let (light, dark) = themes(highlight_theme)?;
    let themes = two_face::theme::extra();
    let is_default = highlight_theme.trim().eq_ignore_ascii_case(DEFAULT_THEME);
    let css = |name: EmbeddedThemeName| {
        let theme = themes.get(name);
        let theme = if is_default { readable(theme) } else { theme.clone() };
        css_for_theme_with_class_style(&theme, CLASS_STYLE).map_err(|e| format!("{name}: {e}"))
    };
    let mut out = String::from("/* Code colours, generated by `blog` for highlight_theme = ");
    out.push_str(&format!("{highlight_theme:?}. */\n"));
    out.push_str("@media not all and (prefers-color-scheme: dark) {\n");
    out.push_str(&css(light)?);
    out.push_str("}\n@media (prefers-color-scheme: dark) {\n");
    out.push_str(&css(dark)?);
    out.push_str("}\n");
    Ok(out)
}

/// The theme with each text colour moved, towards black or white, just far enough from its
/// background to reach [`READABLE_CONTRAST`]; colours that already do stay as they are, so the
/// theme keeps its hues.
fn readable(theme: &Theme) -> Theme {
    let mut theme = theme.clone();
    let Some(background) = theme.settings.background else { return theme };
    if let Some(text) = &mut theme.settings.foreground {
        *text = with_contrast(*text, background);
    }
    for item in &mut theme.scopes {
        let behind = item.style.background.unwrap_or(background);
        if let Some(text) = &mut item.style.foreground {
            *text = with_contrast(*text, behind);
        }
    }
    theme
}

fn with_contrast(text: Color, background: Color) -> Color {
    let (black, white) = (Color::BLACK, Color::WHITE);
    let target = if contrast(black, background) > contrast(white, background) { black } else { white };
    let mix = |share: f64| {
        let channel = |from: u8, to: u8| (f64::from(from) + (f64::from(to) - f64::from(from)) * share).round() as u8;
        Color { r: channel(text.r, target.r), g: channel(text.g, target.g), b: channel(text.b, target.b), a: text.a }
    };
    (0..=50)
        .map(|step| mix(f64::from(step) / 50.0))
        .find(|&c| contrast(c, background) >= READABLE_CONTRAST)
        .unwrap_or(target)
}

/// WCAG 2 contrast ratio, from 1 (none) to 21 (black on white).
fn contrast(a: Color, b: Color) -> f64 {
    let luminance = |c: Color| {
        let linear = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b)
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Checks a `highlight_theme` value; the error lists the themes there are.
pub fn check_theme(highlight_theme: &str) -> Result<(), String> {
    themes(highlight_theme).map(drop)
}

fn themes(setting: &str) -> Result<(EmbeddedThemeName, EmbeddedThemeName), String> {
    if setting.trim().eq_ignore_ascii_case(DEFAULT_THEME) {
        return Ok((DEFAULT_LIGHT, DEFAULT_DARK));
    }
    let find = |name: &str| {
        let name = name.trim();
        EmbeddedLazyThemeSet::theme_names().iter().copied().find(|t| t.as_name().eq_ignore_ascii_case(name)).ok_or_else(
            || {
                let known: Vec<String> =
                    EmbeddedLazyThemeSet::theme_names().iter().map(|t| format!("{:?}", t.as_name())).collect();
                format!(
                    "unknown highlight_theme {name:?}; use \"default\", one of {}, or \"light theme, dark theme\"",
                    known.join(", ")
                )
            },
        )
    };
    match setting.split_once(',') {
        Some((light, dark)) => Ok((find(light)?, find(dark)?)),
        None => find(setting).map(|theme| (theme, theme)),
    }
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
            assert!(highlighter.syntax(language).is_some(), "{language} has no grammar");
        }
    }

    #[test]
    fn known_code_gets_classes_and_stays_escaped() {
        let html = Highlighter::shared().highlight("elixir", "defmodule A do\n  def x, do: \"<b>\"\nend\n");
        assert!(html.starts_with("<pre class=\"hl-code\" tabindex=\"0\"><code class=\"language-elixir\">"), "{html}");
        assert!(html.contains("<span class=\"hl-keyword"), "{html}");
        assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"), "{html}");
    }

    #[test]
    fn unknown_or_no_language_is_plain_escaped_code() {
        let html = Highlighter::shared().highlight("klingon", "a < b\n");
        assert_eq!(html, "<pre tabindex=\"0\"><code class=\"language-klingon\">a &lt; b\n</code></pre>\n");
        let html = Highlighter::shared().highlight("", "x\n");
        assert_eq!(html, "<pre tabindex=\"0\"><code>x\n</code></pre>\n");
    }

    #[test]
    fn the_default_pair_is_readable_and_keeps_colours_that_already_were() {
        let themes = two_face::theme::extra();
        for name in [DEFAULT_LIGHT, DEFAULT_DARK] {
            let original = themes.get(name);
            let background = original.settings.background.unwrap();
            let faint =
                original.scopes.iter().filter_map(|i| i.style.foreground).filter(|&c| contrast(c, background) < 4.5);
            assert!(faint.count() > 0, "{name:?} needs the nudge, or this test tests nothing");
            let fixed = readable(original);
            for (before, after) in original.scopes.iter().zip(&fixed.scopes) {
                let behind = after.style.background.unwrap_or(background);
                let (Some(before), Some(after)) = (before.style.foreground, after.style.foreground) else { continue };
                if contrast(before, behind) >= READABLE_CONTRAST {
                    assert_eq!(before, after, "{name:?}: a readable colour is kept");
                } else {
                    assert!(contrast(after, behind) >= READABLE_CONTRAST, "{name:?}: {before:?} became {after:?}");
                }
            }
        }
        assert!((contrast(Color::BLACK, Color::WHITE) - 21.0).abs() < 1e-9);
    }

    #[test]
    fn stylesheet_has_light_and_dark_rules() {
        let css = stylesheet("default").unwrap();
        assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
        assert!(css.contains(".hl-code"), "{css}");
        assert_eq!(css.matches(".hl-code {").count(), 2);
        assert!(stylesheet("Nord").is_ok());
        assert!(stylesheet("github, dracula").is_ok());
        let err = stylesheet("Nope").unwrap_err();
        assert!(err.contains("\"Nord\""), "{err}");
    }
}
