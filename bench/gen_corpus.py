#!/usr/bin/env python3
"""Writes a deterministic synthetic blog for benchmarking `blog` (and, with --format hugo,
the same posts as a Hugo site to race against).

Each post has YAML front matter (title, date with an offset, 1-4 tags, sometimes a series)
and a 300-1,500 word Markdown body with headings, emphasis, links, inline code, 0-5 fenced
code blocks (elixir, rust, bash, js), lists, a table in about a third of the posts, a quote,
and the summary marker. The same --posts and --seed always give byte-identical files.
Python 3 standard library only.

    bench/gen_corpus.py --posts 1000 --out /tmp/blog-1k
    bench/gen_corpus.py --posts 1000 --out /tmp/hugo-1k --format hugo
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

VOCABULARY = (
    "we build ship test measure render parse write read cache index query stream queue "
    "process server client message state value list map tree table file path string number "
    "error result pattern guard clause pipe module function trait macro type struct worker "
    "supervisor node cluster socket latency throughput budget limit design boundary layer "
    "contract invariant tradeoff problem solution approach lesson habit workflow editor "
    "terminal shell script tool library framework compiler runtime small large fast slow "
    "simple subtle clear careful quiet steady early late often never always again still"
).split()
TAGS = [
    "elixir", "rust", "devops", "concurrency", "testing", "databases", "performance", "otp",
    "tooling", "javascript", "web", "security", "design", "career", "writing", "linux",
    "networking", "observability", "release engineering", "type systems", "functional programming",
]
SERIES = ["28 days of elixir", "rust in anger", "the ops diaries", "a month of sql", "parsing by hand"]
CODE = {
    "elixir": "defmodule Counter do\n  use GenServer\n\n  def start_link(n), do: GenServer.start_link(__MODULE__, n)\n  def init(n), do: {:ok, n}\n  def handle_call(:next, _from, n), do: {:reply, n, n + 1}\nend\n",
    "rust": "fn main() {\n    let words: Vec<&str> = std::env::args().skip(1).collect();\n    for (i, w) in words.iter().enumerate() {\n        println!(\"{i}: {w}\");\n    }\n}\n",
    "bash": "#!/usr/bin/env bash\nset -euo pipefail\nfor f in content/posts/*.md; do\n  wc -w \"$f\"\ndone | sort -n | tail -5\n",
    "js": "export function debounce(fn, ms) {\n  let timer;\n  return (...args) => {\n    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), ms);\n  };\n}\n",
}


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(VOCABULARY) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    parts = [sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(3, 6))]
    i = rng.randrange(len(parts))
    parts[i] = parts[i].replace(" ", " *" + rng.choice(VOCABULARY) + "* ", 1)
    parts.append(f"See [the notes](https://example.com/{rng.choice(VOCABULARY)}) and `{rng.choice(VOCABULARY)}()`.")
    return " ".join(parts)


def body(rng: random.Random) -> str:
    blocks = [paragraph(rng), "<!-- more -->"]
    target = rng.randint(300, 1500)
    words = len(blocks[0].split())
    section = 0
    while words < target:
        section += 1
        blocks.append(f"## {sentence(rng, 3)[:-1]} {section}")
        for _ in range(rng.randint(1, 3)):
            text = paragraph(rng)
            blocks.append(text)
            words += len(text.split())
        roll = rng.random()
        if roll < 0.35:
            language = rng.choice(sorted(CODE))
            blocks.append(f"```{language}\n{CODE[language] * rng.randint(1, 6)}```")
        elif roll < 0.5:
            blocks.append("\n".join(f"- {sentence(rng, 6)}" for _ in range(rng.randint(3, 6))))
        elif roll < 0.6:
            blocks.append("| step | cost | note |\n|---|---:|---|\n" + "\n".join(
                f"| {rng.choice(VOCABULARY)} | {rng.randint(1, 999)} ms | {sentence(rng, 4)} |" for _ in range(4)))
        elif roll < 0.8:
            blocks.append("> " + sentence(rng, 14))
    return "\n\n".join(blocks) + "\n"


def posts(count: int, seed: int):
    start = dt.datetime(2016, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    series_parts: dict[str, int] = {}
    for i in range(count):
        rng = random.Random(seed * 1_000_003 + i)
        date = start + dt.timedelta(hours=8 * i, minutes=rng.randint(0, 59))
        tags = sorted(set(rng.choices(TAGS, k=rng.randint(1, 4))))
        series = None
        if rng.random() < 0.25:
            base = rng.choice(SERIES)
            volume = i // 2000
            series = base if volume == 0 else f"{base}, vol. {volume + 1}"
            series_parts[series] = series_parts.get(series, 0) + 1
        title = f"{sentence(rng, rng.randint(3, 7))[:-1]} #{i}"
        yield i, title, date, tags, series, body(rng)


def front_matter(title: str, date: dt.datetime, tags: list[str], series: str | None) -> str:
    lines = ["---", f'title: "{title}"', f"date: {date.isoformat()}", "tags: [" + ", ".join(f'"{t}"' for t in tags) + "]"]
    if series:
        lines.append(f'series: "{series}"')
    lines.append("---")
    return "\n".join(lines) + "\n"


HUGO_CONFIG = """baseURL = "https://example.com/"
title = "Synthetic"
[pagination]
pagerSize = 10
[taxonomies]
tag = "tags"
series = "series"
[markup.highlight]
noClasses = false
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><time>{{ .Date.Format \"2006-01-02\" }}</time>"
    "{{ range .GetTerms \"tags\" }}<a href=\"{{ .RelPermalink }}\">{{ .LinkTitle }}</a>{{ end }}{{ .Content }}"
    "{{ with .PrevInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ range (.Paginate .Pages).Pages }}"
    "<h2><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h2>{{ .Summary }}{{ end }}{{ end }}\n",
    "index.html": "{{ define \"main\" }}{{ range (.Paginate .Site.RegularPages).Pages }}"
    "<h2><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h2>{{ .Summary }}{{ end }}{{ end }}\n",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=["blog", "hugo"], default="blog")
    args = parser.parse_args()

    if args.out.exists():
        shutil.rmtree(args.out)
    posts_dir = args.out / "content" / ("posts")
    posts_dir.mkdir(parents=True)
    declared = set()
    for i, title, date, tags, series, text in posts(args.posts, args.seed):
        front = front_matter(title, date, tags, series)
        if args.format == "hugo":
            front = front.replace("<!-- more -->", "<!--more-->")
            text = text.replace("<!-- more -->", "<!--more-->")
            if series:
                front = front.replace(f'series: "{series}"', f'series: ["{series}"]')
        if series:
            declared.add(series)
        (posts_dir / f"post-{i:05}.md").write_text(front + "\n" + text)
    if args.format == "blog":
        config = 'title = "Synthetic"\nbase_url = "https://example.com/"\npaginate = 10\n'
        for name in sorted(declared):
            config += f'\n[[series]]\nname = "{name}"\n'
        (args.out / "site.toml").write_text(config)
    else:
        (args.out / "hugo.toml").write_text(HUGO_CONFIG)
        for name, text in HUGO_LAYOUTS.items():
            path = args.out / "layouts" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


if __name__ == "__main__":
    main()
