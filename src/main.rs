//! The `blog` binary: parse the command line, run the library, report the outcome once.

mod cli;

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
    }
}
