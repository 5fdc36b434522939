#!/usr/bin/env bash
# Edit-to-visible latency of `blog serve` on generated sites: the time from a post's file
# being written to the edited word being served, median of 5 edits (the shared method in
# shared/bench/serve_latency.py: it polls the page every 10 ms, so figures include up to
# 10 ms of polling). Each edit's own rebuild time is in the server log ("Rebuilt in N ms").
#
# usage: bench/serve_latency.sh [POSTS...]        (default: 20 1000 10000)
# Sites are generated into /dev/shm/blog-serve-bench (kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
[ -d "$shared/bench" ] || shared=/work/shared
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20 1000 10000)
cargo build --release --locked --quiet
blog=$PWD/target/release/blog
corpus=/dev/shm/blog-serve-bench
mkdir -p "$corpus"
port=4300
for n in "${sizes[@]}"; do
  site=$corpus/blog-$n
  [ -f "$site/site.toml" ] || python3 "$shared/bench/gen_corpus.py" --posts "$n" --out "$site" --format blog >/dev/null
  python3 "$shared/bench/serve_latency.py" "blog-$n" "$site" content/posts "$port" 5 -- \
    "$blog" serve --root '{SITE}' --port '{PORT}'
  port=$((port + 1))
done
