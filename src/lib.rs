//! `blog`: a static-site generator for people who write in series.
//!
//! The pipeline is the architecture, one module a stage:
//!
//! 1. [`config`] reads `site.toml`;
//! 2. [`load`] finds the content and parses each file once (front matter, body);
//! 3. [`model`] assembles the site as data: posts in order, tags, series, pages, URLs;
//! 4. [`render`] turns Markdown into HTML once per post and runs the templates;
//! 5. [`write`] publishes the output atomically.
//!
//! [`build`] runs them in order; `serve` and `check` reuse the same stages.

pub mod authoring;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod load;
pub mod model;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;

pub use config::Config;
pub use diagnostic::{Diagnostic, Location};

/// Everything that can stop a build. Content problems come all together, as a compiler reports
/// every broken file rather than the first.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", join(.0))]
    Content(Vec<Diagnostic>),
    #[error(transparent)]
    Output(#[from] write::Error),
    #[error("{0}")]
    Usage(String),
}

fn join(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Error {
        Error::Content(vec![diagnostic])
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(diagnostics: Vec<Diagnostic>) -> Error {
        Error::Content(diagnostics)
    }
}

/// `blog build`'s settings.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `public/` under the root.
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub future: bool,
    /// `--as-of`: a day (its end, in the site's zone) or a timestamp.
    pub as_of: Option<String>,
    pub force: bool,
    pub no_cache: bool,
    pub base_url: Option<String>,
}

/// What a successful build reports.
#[derive(Debug, Clone)]
pub struct Summary {
    pub pages: usize,
    pub posts: usize,
    pub tags: usize,
    pub series: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
    pub output: PathBuf,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "Built {} ({}, {}, {}) in {} ms",
            plural(self.pages, "page", "pages"),
            plural(self.posts, "post", "posts"),
            plural(self.tags, "tag", "tags"),
            plural(self.series, "series", "series"),
            self.elapsed.as_millis()
        )
    }
}

/// The site rendered in memory, before it is written: what `build` publishes and `serve` serves.
pub struct Built {
    pub site: render::RenderedSite,
    pub warnings: Vec<Diagnostic>,
}

/// Loads, models and renders a site into memory; writes nothing (it reads the build cache, if
/// there is one, but leaves it as it is).
pub fn render_site(root: &Path, config: &Config, options: &model::Options) -> Result<Built, Error> {
    let cache = code_cache(root, config).map(render::cache::CodeCache::read_only);
    let memory = render::MemorySink::default();
    let rendered = render_site_to(root, config, options, cache, &memory)?;
    let site = render::RenderedSite {
        files: memory.into_files(),
        pages: rendered.counts.pages,
        posts: rendered.counts.posts,
        tags: rendered.counts.tags,
        series: rendered.counts.series,
        origins: rendered.origins,
    };
    Ok(Built { site, warnings: rendered.warnings })
}

/// The theme a site uses and its templates (the site's `templates/` over the theme's), loaded.
pub struct Theme {
    pub source: render::ThemeSource,
    pub templates: render::Templates,
}

impl Theme {
    pub fn load(root: &Path, config: &Config) -> Result<Theme, Error> {
        let source = render::ThemeSource::find(root, &config.theme)?;
        let templates = render::Templates::load(root, &source, config.time_zone())?;
        Ok(Theme { source, templates })
    }
}

/// What [`render_site_to`] reports besides the files it handed on.
pub struct Rendered {
    pub counts: render::Counts,
    /// The model's and the documents' warnings together.
    pub warnings: Vec<Diagnostic>,
    /// The Markdown file behind each post's and page's HTML, by output path.
    pub origins: std::collections::BTreeMap<String, PathBuf>,
}

/// Loads, models and renders a site, handing each file to `sink` as soon as it is rendered:
/// the one pipeline behind `build` (a staging folder) and `check` (memory). A `cache` is saved
/// (unless it is read-only) once the posts are rendered. For commands that end when it returns:
/// the memory the render held is not freed but left to the process's exit.
pub fn render_site_to(
    root: &Path,
    config: &Config,
    options: &model::Options,
    cache: Option<render::cache::CodeCache>,
    sink: &dyn render::OutputSink,
) -> Result<Rendered, Error> {
    // The theme's templates compile while the posts are read.
    let (content, theme) = rayon::join(|| load::load(root, &config.time_zone()), || Theme::load(root, config));
    let (content, theme) = (content?, theme?);
    let site = model::Site::assemble(config, &content, options)?;
    let mut warnings = site.warnings.clone();
    let code = cache.map(render::CodeCacheRef::Owned);
    let renderer = render::SiteRenderer::new(site, theme.templates, &theme.source, root, None, code)?;
    // Alongside the render, as nothing waits for them but the caller.
    let (origins, counts) = rayon::join(|| render::origins(renderer.site()), || renderer.render_all(sink));
    let mut counts = counts?;
    // `build` and `check` end once this returns. What the render held (the model, every source,
    // the posts still in memory) is left to the process's exit, which takes the memory back
    // at once, rather than freed piece by piece: on a 10,000-post site that took 5-10 ms, on
    // two cores. `serve` renders through its own `SiteRenderer` and frees as it goes.
    std::mem::forget(renderer);
    std::mem::forget(content);
    warnings.append(&mut counts.warnings);
    Ok(Rendered { counts, origins, warnings })
}

/// The build cache of highlighted code in `.blog-cache/` under `root`, when the site
/// highlights code. Its blocks are keyed by the highlighter's version and the theme setting
/// besides their language and code.
pub fn code_cache(root: &Path, config: &Config) -> Option<render::cache::CodeCache> {
    let markdown = &config.markdown;
    let namespace = format!("{}\n{}", render::highlight::VERSION, markdown.highlight_theme);
    markdown.highlight.then(|| render::cache::CodeCache::open(root, &namespace))
}

/// Reads `site.toml` and works out this build's model options: its one "now", and its base URL.
pub fn prepare(options: &BuildOptions) -> Result<(Config, model::Options, Vec<Diagnostic>), Error> {
    let mut config = Config::load(&options.root)?;
    if let Some(base_url) = &options.base_url {
        model::BaseUrl::parse(base_url).map_err(Error::Usage)?;
        config.base_url = Some(base_url.clone());
    }
    let tz = config.time_zone();
    let now = match &options.as_of {
        Some(text) => load::date::parse_as_of(text, &tz).ok_or_else(|| {
            Error::Usage(format!("--as-of {text:?} is not a date (try 2018-02-20 or 2018-02-20T10:00:00Z)"))
        })?,
        None => Timestamp::now(),
    };
    let mut warnings = Vec::new();
    let base = match &config.base_url {
        Some(url) => model::BaseUrl::parse(url).expect("validated with the config"),
        None => {
            warnings.push(Diagnostic::new(
                Location::file(&load::display_path(&options.root, &config::Config::path_in(&options.root))),
                "no base_url: links are root-relative, and feeds and the sitemap are skipped",
            ));
            model::BaseUrl::default()
        }
    };
    Ok((config, model::Options { now, drafts: options.drafts, future: options.future, base }, warnings))
}

/// `blog build`: the whole pipeline, each file streamed into a staging folder as it is rendered,
/// published atomically.
pub fn build(options: &BuildOptions) -> Result<Summary, Error> {
    let started = Instant::now();
    let output = options.output.clone().unwrap_or_else(|| options.root.join("public"));
    let target = write::Target::check(&options.root, &output, options.force)?;
    let (config, model_options, mut warnings) = prepare(options)?;
    // `--no-cache` neither reads nor writes `.blog-cache/`.
    let cache = if options.no_cache { None } else { code_cache(&options.root, &config) };
    let staging = write::Staging::create(&target)?;
    let rendered = render_site_to(&options.root, &config, &model_options, cache, &staging)?;
    staging.publish()?;
    warnings.extend(rendered.warnings);
    Ok(Summary {
        pages: rendered.counts.pages,
        posts: rendered.counts.posts,
        tags: rendered.counts.tags,
        series: rendered.counts.series,
        elapsed: started.elapsed(),
        warnings,
        output,
    })
}
