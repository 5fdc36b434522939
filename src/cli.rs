//! The command line. Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A fast static-site generator for people who write in series.
#[derive(Debug, Parser)]
#[command(name = "blog", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/ (or the folder given with -o).
    Build(BuildArgs),
    /// Check the site as `build` does, plus every internal link, without writing anything.
    ///
    /// Every href and src of the rendered pages that stays on the site must reach a page, an
    /// #anchor on it, or a file; each broken one is reported with the Markdown file it came
    /// from, and the exit code is 1.
    Check(CheckArgs),
    /// Write a new site that builds as it is: site.toml and one sample post.
    Init(InitArgs),
    /// Write a new post, content/posts/<slug>.md, with its front matter filled in.
    New(NewArgs),
    /// Preview the site: build it with drafts and scheduled posts, serve it from memory, and
    /// rebuild and reload open pages on every change. Writes nothing to public/.
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site's folder (where site.toml is).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to write the site into; created if it does not exist.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Write into a folder that is not empty, replacing files of the same names.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The post's title; its slug names the file.
    pub title: String,
    /// Make the post the next part of this series, with the tags all its earlier parts share.
    #[arg(long, value_name = "NAME")]
    pub series: Option<String>,
    /// Tags, comma-separated: --tags elixir,otp
    #[arg(long, value_name = "TAGS", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Add a talk recap stub (`talk:` with title, event, date, location, video, slides).
    #[arg(long)]
    pub talk: bool,
    /// The site's folder (where site.toml is).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

impl From<NewArgs> for blog::authoring::NewPost {
    fn from(args: NewArgs) -> Self {
        blog::authoring::NewPost {
            root: args.root,
            title: args.title,
            series: args.series,
            tags: args.tags,
            talk: args.talk,
        }
    }
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Include posts marked `draft: true` (or `published: false`).
    #[arg(long)]
    pub drafts: bool,
    /// Include posts dated in the future.
    #[arg(long)]
    pub future: bool,
    /// Build the site as it will look at the end of this day (or at this timestamp), in the
    /// site's timezone.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Write the site here instead of public/.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Replace the contents of an output folder that blog did not write.
    #[arg(long)]
    pub force: bool,
    /// Neither read nor write the build cache in .blog-cache/ (code highlighted by earlier builds).
    #[arg(long)]
    pub no_cache: bool,
    /// Use this base URL instead of site.toml's.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The site's folder (where site.toml is).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

impl From<BuildArgs> for blog::BuildOptions {
    fn from(args: BuildArgs) -> Self {
        blog::BuildOptions {
            root: args.root,
            output: args.output,
            drafts: args.drafts,
            future: args.future,
            as_of: args.as_of,
            force: args.force,
            no_cache: args.no_cache,
            base_url: args.base_url,
        }
    }
}

#[cfg(feature = "serve")]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to serve on; when it is taken, the next free one (0: any free port).
    #[arg(short, long, default_value_t = 4000)]
    pub port: u16,
    /// The address to listen on. Anything but a loopback address shows your drafts to the
    /// network.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the site in the browser.
    #[arg(long)]
    pub open: bool,
    /// Look for changes by polling, where change events do not arrive (network drives,
    /// some containers). Reads every file of the site five times a second.
    #[arg(long)]
    pub poll: bool,
    /// The site's folder (where site.toml is).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

#[cfg(feature = "serve")]
impl From<ServeArgs> for blog::serve::Options {
    fn from(args: ServeArgs) -> Self {
        blog::serve::Options { root: args.root, port: args.port, bind: args.bind, open: args.open, poll: args.poll }
    }
}
