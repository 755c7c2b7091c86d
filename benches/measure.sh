#!/usr/bin/env bash
# Wall time and peak memory of `acp-recon reconcile` against DuckDB's plain
# FULL OUTER JOIN of the same files (docs/PERFORMANCE.md). Needs
# `pip install duckdb` and GNU time. Usage: bash benches/measure.sh [PEOPLE...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo build --release --quiet --example gen
data=${DATA:-/tmp/acp-recon-bench}
runs=${RUNS:-5}
for people in "${@:-10000 100000 1000000}"; do
  dir="$data/$people"
  [ -f "$dir/returned.csv" ] || ./target/release/examples/gen --people "$people" --out "$dir" >/dev/null
  rows=$(( $(wc -l < "$dir/roster.csv") + $(wc -l < "$dir/returned.csv") - 2 ))
  for i in $(seq "$runs"); do
    /usr/bin/time -f "acp-recon $people %e %M" ./target/release/acp-recon reconcile \
      --roster "$dir/roster.csv" --returned "$dir/returned.csv" --config fixtures/acp.toml \
      --out "$dir/out" --quiet >/dev/null 2>>"$data/times.txt" || true
    /usr/bin/time -f "duckdb $people %e %M" python3 benches/duckdb/full_outer_join.py \
      "$dir/roster.csv" "$dir/returned.csv" "$dir/duckdb.csv" 2>>"$data/times.txt"
  done
  for tool in acp-recon duckdb; do
    grep "^$tool $people " "$data/times.txt" | tail -n "$runs" | sort -k3 -n | awk -v rows="$rows" -v n="$runs" '
      { t[NR] = $3; m[NR] = $4; tool = $1; people = $2 }
      END { med = t[int((n + 1) / 2)]; maxm = 0; for (i in m) if (m[i] > maxm) maxm = m[i];
            printf "%-9s %9d people  median %7.2f s  peak %6.0f MB  %9.0f rows/s\n", tool, people, med, maxm / 1024, rows / med }'
  done
done
