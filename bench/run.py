#!/usr/bin/env python3
"""The build benchmark: builds generated blogs of 1,000 and 10,000 posts with the release
binary and prints, for each kind of build, the median wall time, CPU time (user + system) and
peak memory over several runs. With --vs-hugo it builds the same posts with Hugo, alternating
with our builds, and prints how many times faster and smaller we are.

    cargo build --release && bench/run.py   # 1k and 10k, 5 runs of each mode
    bench/run.py --posts 10000 --vs-hugo --hugo /tmp/hugo-venv/lib/python3.11/site-packages/hugo/binaries/hugo
    bench/run.py --generator /work/shared/bench/gen_corpus.py --vs-hugo --hugo ...   # the peers' corpus
    bench/run.py --modes repeat --posts 1000               # one mode only

Modes (each on the same posts):
  cold    `--no-cache`, code highlighted: every block highlighted afresh;
  repeat  a warm `.blog-cache/`, one post edited before each run: the writer's build-again;
  nohl    `[markdown] highlight = false`: Markdown, templates and writing only;
  floor   not `blog` but the floor under it, the speed issue's "bare loop": bench/floor/ reads
          each post, renders its Markdown with pulldown-cmark and writes it, on two threads, and
          does nothing else. It is the program shared/bench/PEERS.md describes, built as it was
          (its own crate: pulldown-cmark without `simd`, thin LTO), so it runs as fast as the
          issue's figure says. The issue's "within 3x of the bare loop" is nohl / floor, which is
          printed. run.py builds it (cargo, a few seconds the first time).

A run is one process, timed with os.wait4 (so the timer's own work is not counted; the peak is
the process's maximum resident set). Output goes to /dev/shm when it exists, into a fresh folder
for each run (removed outside the timing, for both tools), as the peers' figures were measured.
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
MODES = ["cold", "repeat", "nohl", "floor"]


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


def corpus(generator: Path, posts: int, fmt: str, scratch: Path) -> Path:
    path = scratch / f"{generator.parent.parent.name}-{fmt}-{posts}"
    if not path.exists():
        subprocess.run([sys.executable, str(generator), "--posts", str(posts), "--out", str(path), "--format", fmt],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def without_highlighting(site: Path) -> Path:
    """The same posts with highlighting off: a folder beside `site` sharing its content/."""
    plain = site.with_name(site.name + "-nohl")
    plain.mkdir(exist_ok=True)
    if not (plain / "content").exists():
        (plain / "content").symlink_to(site / "content")
    config = (site / "site.toml").read_text()
    (plain / "site.toml").write_text(config + "\n[markdown]\nhighlight = false\n")
    return plain


class Touched:
    """Edits one post before each repeat run (a new sentence each time) and restores it after."""

    def __init__(self, site: Path) -> None:
        self.post = sorted((site / "content" / "posts").glob("*.md"))[0]
        self.original = self.post.read_text()
        self.count = 0

    def touch(self) -> None:
        self.count += 1
        self.post.write_text(self.original + f"\nEdited again, for the {self.count}th time.\n")

    def restore(self) -> None:
        self.post.write_text(self.original)


def report(name: str, runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    rss = statistics.median(r[2] for r in runs)
    lo, hi = min(r[0] for r in runs), max(r[0] for r in runs)
    print(f"{name:<22} wall {wall:8.3f} s ({lo:.3f}-{hi:.3f})  cpu {cpu:8.3f} s  peak {rss:8.1f} MiB")
    return wall, cpu, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=MODES)
    parser.add_argument("--generator", type=Path, default=ROOT / "bench" / "gen_corpus.py",
                        help="the corpus generator (writes --format blog and --format hugo)")
    parser.add_argument("--vs-hugo", action="store_true")
    parser.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    parser.add_argument("--binary", type=Path, default=ROOT / "target" / "release" / "blog")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "blog-bench")
    args = parser.parse_args()

    if not args.binary.exists():
        sys.exit(f"{args.binary} is missing: run `cargo build --release` first")
    floor_binary = ROOT / "bench" / "floor" / "target" / "release" / "floor"
    if "floor" in args.modes:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path",
                        str(ROOT / "bench" / "floor" / "Cargo.toml")], check=True)
    args.scratch.mkdir(parents=True, exist_ok=True)
    out_base = Path("/dev/shm") if Path("/dev/shm").is_dir() else args.scratch
    out = out_base / "blog-bench-out"
    for posts in args.posts:
        site = corpus(args.generator, posts, "blog", args.scratch)
        commands = {
            "cold": [str(args.binary), "build", "--root", str(site), "-o", str(out), "--no-cache"],
            "repeat": [str(args.binary), "build", "--root", str(site), "-o", str(out)],
            "nohl": [str(args.binary), "build", "--root", str(without_highlighting(site)), "-o", str(out)],
            "floor": [str(floor_binary), str(site), str(out)],
        }
        touched = Touched(site)
        hugo = None
        if args.vs_hugo:
            hugo_site = corpus(args.generator, posts, "hugo", args.scratch)
            hugo = [args.hugo, "--quiet", "-s", str(hugo_site), "-d", str(out)]

        def timed(command: list[str]) -> tuple[float, float, float]:
            shutil.rmtree(out, ignore_errors=True)
            return run_once(command)

        # Warm-ups, untimed: the page cache, and for repeat the build cache.
        for mode in args.modes:
            timed(commands[mode])
        if hugo:
            timed(hugo)
        results: dict[str, list[tuple[float, float, float]]] = {mode: [] for mode in args.modes}
        theirs = []
        try:
            for _ in range(args.runs):
                for mode in args.modes:
                    if mode == "repeat":
                        touched.touch()
                    results[mode].append(timed(commands[mode]))
                if hugo:
                    theirs.append(timed(hugo))
        finally:
            touched.restore()
        shutil.rmtree(out, ignore_errors=True)

        print(f"# {posts} posts, median of {args.runs} runs ({site})")
        ours = {mode: report(f"blog {mode}" if mode != "floor" else "floor", runs) for mode, runs in results.items()}
        floor = ours.pop("floor", None)
        if floor and "nohl" in ours:
            # Also run by run: each nohl build against the floor run right after it, so a
            # machine that speeds up or slows down over the minute moves both sides alike.
            pairs = sorted(n[0] / f[0] for n, f in zip(results["nohl"], results["floor"]))
            quartiles = statistics.quantiles(pairs, n=4) if len(pairs) > 1 else pairs * 3
            print(f"{'blog nohl / floor':<22} wall {ours['nohl'][0] / floor[0]:8.2f} x (target: at most 3 x); "
                  f"run by run {statistics.median(pairs):.2f} x (quartiles {quartiles[0]:.2f}-{quartiles[2]:.2f})")
        if hugo:
            other = report("hugo", theirs)
            for mode, mine in ours.items():
                print(f"{'hugo / blog ' + mode:<22} wall {other[0] / mine[0]:8.1f} x"
                      f"{'':18}cpu {other[1] / mine[1]:8.1f} x{'':7}peak {other[2] / mine[2]:6.1f} x")


if __name__ == "__main__":
    main()
