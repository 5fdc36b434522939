//! The `blog` binary: parse the command line, run the library, report the outcome once.

mod cli;

/// A build allocates and frees millions of small strings from every core at once; mimalloc's
/// per-thread heaps do that markedly faster than glibc's malloc, and return memory sooner.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse(); // exits with 2 on bad usage
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        cli::Command::Build(args) => {
            let options = blog::BuildOptions::from(args);
            match blog::build(&options) {
                Ok(summary) => {
                    for warning in &summary.warnings {
                        eprintln!("warning: {warning}");
                    }
                    println!("{summary}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(blog::Error::Usage(message)) => {
                    eprintln!("error: {message}");
                    Ok(ExitCode::from(2))
                }
                Err(blog::Error::Content(diagnostics)) => {
                    for diagnostic in &diagnostics {
                        eprintln!("error: {diagnostic}");
                    }
                    let n = diagnostics.len();
                    eprintln!(
                        "build failed: {n} error{}; the previous output is untouched",
                        if n == 1 { "" } else { "s" }
                    );
                    Ok(ExitCode::FAILURE)
                }
                Err(err) => Err(err.into()),
            }
        }
        cli::Command::Check(args) => {
            let options = blog::BuildOptions { root: args.root, ..blog::BuildOptions::default() };
            match blog::check::check(&options) {
                Ok(report) => {
                    for warning in &report.warnings {
                        eprintln!("warning: {warning}");
                    }
                    for broken in &report.broken {
                        eprintln!("error: {broken}");
                    }
                    if report.broken.is_empty() {
                        println!("{report}");
                        Ok(ExitCode::SUCCESS)
                    } else {
                        eprintln!("check failed: {report}");
                        Ok(ExitCode::FAILURE)
                    }
                }
                Err(err) => failed("check", err),
            }
        }
        cli::Command::Init(args) => match blog::authoring::init(&args.dir, args.force) {
            Ok(written) => {
                println!("Wrote a new site in {}:", args.dir.display());
                for path in &written {
                    println!("  {}", path.display());
                }
                let dir = args.dir.display().to_string();
                let cd = match dir.as_str() {
                    "." => String::new(),
                    _ if dir.contains(char::is_whitespace) => format!("cd {dir:?} && "),
                    _ => format!("cd {dir} && "),
                };
                println!("Next: {cd}blog build   (or `blog new \"Title\"` to start a post)");
                Ok(ExitCode::SUCCESS)
            }
            Err(err) => authoring_failed("init", err),
        },
        cli::Command::New(args) => match blog::authoring::new_post(&args.into()) {
            Ok(written) => {
                match (&written.series, &written.suggestion) {
                    (Some((series, _)), Some(close)) => eprintln!(
                        "warning: no post is in series {series:?} yet, so this is its part 1; did you mean {close:?}?"
                    ),
                    (Some((series, part)), None) => {
                        let tags = match written.shared_tags.as_slice() {
                            [] => String::new(),
                            shared => format!(", with the tags every earlier part has: {}", shared.join(", ")),
                        };
                        eprintln!("part {part} of series {series:?}{tags}");
                    }
                    (None, _) => {}
                }
                println!("{}", written.path.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(err) => authoring_failed("new", err),
        },
        #[cfg(feature = "serve")]
        cli::Command::Serve(args) => {
            blog::serve::serve(&args.into())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reports a command's errors once: every diagnostic, then one line; exit 2 for bad usage.
fn failed(command: &str, err: blog::Error) -> anyhow::Result<ExitCode> {
    match err {
        blog::Error::Usage(message) => {
            eprintln!("error: {message}");
            Ok(ExitCode::from(2))
        }
        blog::Error::Content(diagnostics) => {
            for diagnostic in &diagnostics {
                eprintln!("error: {diagnostic}");
            }
            let n = diagnostics.len();
            eprintln!("{command} failed: {n} error{}", if n == 1 { "" } else { "s" });
            Ok(ExitCode::FAILURE)
        }
        err => Err(err.into()),
    }
}

fn authoring_failed(command: &str, err: blog::authoring::Error) -> anyhow::Result<ExitCode> {
    match err {
        blog::authoring::Error::Site(err) => failed(command, err),
        err => {
            eprintln!("error: {err}");
            Ok(ExitCode::FAILURE)
        }
    }
}
