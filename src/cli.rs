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
    /// Ignore the build cache in .blog-cache/.
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
