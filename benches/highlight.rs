//! Highlighting throughput, in lines of code a second: `cargo bench --bench highlight`.
//!
//! A site with a month of daily posts full of code can hold 200,000 lines of it, so this is
//! the number that says whether a cold build (no `.blog-cache/`) stays fast. Each sample is
//! ~10,000 lines, highlighted as one block per 40 lines, the way posts hold code.

use std::hint::black_box;
use std::time::{Duration, Instant};

use blog::render::highlight::Highlighter;
use rayon::prelude::*;

const ELIXIR: &str = r#"defmodule Blog.Counter do
  @moduledoc """
  A counter process, one of "28 days of elixir".
  """
  use GenServer
  require Logger

  @type state :: %{count: non_neg_integer(), name: String.t()}

  def start_link(opts \\ []) do
    GenServer.start_link(__MODULE__, opts, name: Keyword.get(opts, :name, __MODULE__))
  end

  def increment(pid, by \\ 1) when is_integer(by) and by > 0, do: GenServer.cast(pid, {:inc, by})

  @impl true
  def init(opts) do
    Logger.info("starting #{inspect(opts)}")
    {:ok, %{count: 0, name: opts[:name] || "counter"}}
  end

  @impl true
  def handle_cast({:inc, by}, %{count: count} = state) do
    {:noreply, %{state | count: count + by}}
  end

  def words(text) do
    text
    |> String.split(~r/\s+/, trim: true)
    |> Enum.map(&String.downcase/1)
    |> Enum.frequencies()
    |> Enum.sort_by(fn {_word, n} -> -n end)
    |> Enum.take(10)
  end

  defp parse(<<"v", rest::binary>>), do: {:version, rest}
  defp parse(other), do: {:error, :unknown, other}
end

"#;

const RUST: &str = r#"use std::collections::HashMap;

/// Counts words, as a blog post's reading time needs.
#[derive(Debug, Default, Clone)]
pub struct Counter<'a> {
    counts: HashMap<&'a str, usize>,
    total: usize,
}

impl<'a> Counter<'a> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, text: &'a str) -> &mut Self {
        for word in text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)) {
            *self.counts.entry(word).or_insert(0) += 1;
            self.total += 1;
        }
        self
    }

    pub fn top(&self, n: usize) -> Vec<(&'a str, usize)> {
        let mut words: Vec<_> = self.counts.iter().map(|(w, c)| (*w, *c)).collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        words.truncate(n);
        words
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string("post.md")?;
    let mut counter = Counter::new();
    counter.add(&text);
    match counter.top(3).as_slice() {
        [(word, n), ..] if *n > 10 => println!("{word}: {n} times ({} words)", counter.total),
        _ => eprintln!("nothing stands out"),
    }
    Ok(())
}

"#;

const TARGET_LINES: usize = 10_000;
const LINES_PER_BLOCK: usize = 40;

/// ~10,000 lines of `sample`, cut into blocks the size a post's code fences have.
fn blocks(sample: &str) -> (Vec<String>, usize) {
    let lines: Vec<&str> = sample.lines().collect();
    let all: Vec<&str> = lines.iter().copied().cycle().take(TARGET_LINES).collect();
    let blocks = all.chunks(LINES_PER_BLOCK).map(|chunk| chunk.join("\n") + "\n").collect();
    (blocks, all.len())
}

fn measure(name: &str, language: &str, sample: &str) {
    let highlighter = Highlighter::shared();
    let (blocks, lines) = blocks(sample);
    // Warm-up: compiles the grammar's regexes, a one-time cost per build.
    let started = Instant::now();
    black_box(highlighter.highlight(language, &blocks[0]));
    let first = started.elapsed();
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        for block in &blocks {
            black_box(highlighter.highlight(language, block));
        }
        best = best.min(started.elapsed());
    }
    let per_second = lines as f64 / best.as_secs_f64();
    println!(
        "{name:<7} {lines} lines in {:>7.1} ms: {per_second:>9.0} lines/s on one thread (first block {:.1} ms)",
        best.as_secs_f64() * 1e3,
        first.as_secs_f64() * 1e3
    );

    // As a build runs it: blocks spread over every core, sharing the one set of grammars.
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        blocks.par_iter().for_each(|block| {
            black_box(highlighter.highlight(language, block));
        });
        best = best.min(started.elapsed());
    }
    println!(
        "{name:<7} {lines} lines in {:>7.1} ms: {:>9.0} lines/s on {} threads",
        best.as_secs_f64() * 1e3,
        lines as f64 / best.as_secs_f64(),
        rayon::current_num_threads()
    );
}

fn main() {
    let started = Instant::now();
    black_box(Highlighter::shared().highlight("text", "x"));
    black_box(Highlighter::shared().highlight("rust", "fn main() {}\n"));
    println!("loading the grammars: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    measure("elixir", "elixir", ELIXIR);
    measure("rust", "rust", RUST);
}
