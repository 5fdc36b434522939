#!/usr/bin/env bash
# Edit-to-visible latency of `blog serve`: the time from a post's file being written to the
# edited word being served, median of 5 edits, measured with the shared method
# (shared/bench/serve_latency.py: it polls the page every 10 ms, so a figure includes up to
# 10 ms of polling). Each edit's own rebuild time is in the server log ("Rebuilt in N ms").
#
# usage: bench/serve_latency.sh [SITE...]
#   SITE is `sample` (this repository's sample site) or a number of posts for a generated
#   site (shared/bench/gen_corpus.py); default: sample 1000 10000.
# Sites are prepared in /dev/shm/blog-serve-bench (kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
[ -d "$shared/bench" ] || shared=/work/shared
sites=("$@")
[ ${#sites[@]} -gt 0 ] || sites=(sample 1000 10000)
cargo build --release --locked --quiet
blog=$PWD/target/release/blog
corpus=/dev/shm/blog-serve-bench
mkdir -p "$corpus"
port=4300
for name in "${sites[@]}"; do
  site=$corpus/blog-$name
  if [ "$name" = sample ]; then
    # The sample site without target/ and the rest of the repository. The latency script
    # fetches /posts/<file name>/, so dated file names (2024-12-03-x.md) lose their date
    # prefix, which moves into the front matter: the same post at the same address.
    rm -rf "$site" && mkdir -p "$site"
    cp -r site.toml content "$site"/
    for d in static templates themes; do [ -d "$d" ] && cp -r "$d" "$site"/; done
    python3 - "$site/content/posts" <<'PY'
import os, re, sys
posts = sys.argv[1]
for name in os.listdir(posts):
    m = re.match(r"(\d{4}-\d{2}-\d{2})-(.+\.md)$", name)
    if not m:
        continue
    text = open(os.path.join(posts, name), encoding="utf-8").read()
    if not re.search(r"^date:", text, re.M):
        text = text.replace("---\n", f"---\ndate: {m.group(1)}\n", 1)
    open(os.path.join(posts, m.group(2)), "w", encoding="utf-8").write(text)
    os.remove(os.path.join(posts, name))
PY
  else
    [ -f "$site/site.toml" ] || python3 "$shared/bench/gen_corpus.py" --posts "$name" --out "$site" --format blog >/dev/null
  fi
  python3 "$shared/bench/serve_latency.py" "blog-$name" "$site" content/posts "$port" 5 -- \
    "$blog" serve --root '{SITE}' --port '{PORT}'
  port=$((port + 1))
done
