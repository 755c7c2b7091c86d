#!/usr/bin/env bash
# Wall time and peak memory of `acp-recon reconcile` against DuckDB's plain
# FULL OUTER JOIN of the same files, run alternately (docs/PERFORMANCE.md).
# Needs GNU time; installs DuckDB's Python package when it is missing.
#   bash benches/measure.sh [PEOPLE...]        default: 10000 100000 1000000
#   PROFILES="typical noisy all-wrong" RUNS=5 DATA=/tmp/acp-recon-bench
# LEDGER=1 compares a run that records into a new ledger with one that
# has none (--no-ledger), instead of DuckDB.
# COMPARE=path/to/acp-recon compares with another build of acp-recon (an
# earlier commit's, say), both with --no-ledger, instead of DuckDB.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo build --release --quiet --example gen
if [ -z "${LEDGER:-}" ] && [ -z "${COMPARE:-}" ] && ! python3 -c "import duckdb" 2>/dev/null; then
  python3 -m pip install --quiet duckdb
fi
data=${DATA:-/tmp/acp-recon-bench}
runs=${RUNS:-5}
mkdir -p "$data"
for profile in ${PROFILES:-typical noisy all-wrong}; do
  for people in "${@:-10000 100000 1000000}"; do
    dir="$data/$profile-$people"
    [ -f "$dir/returned.csv" ] ||
      ./target/release/examples/gen --people "$people" --profile "$profile" --out "$dir" >/dev/null
    times="$dir/times.txt"
    : > "$times"
    # The teams profile is the Teams target, checked against its bridge.
    target=()
    [ "$profile" != teams ] || target=(--target teams --bridge "$dir/bridge.csv")
    run() {
      /usr/bin/time -f "$1 %e %M" ./target/release/acp-recon reconcile \
        --roster "$dir/roster.csv" --returned "$dir/returned.csv" --config fixtures/acp.toml \
        --out "$dir/out" --quiet "${target[@]}" "${@:2}" >/dev/null 2>>"$times" || true
    }
    for _ in $(seq "$runs"); do
      if [ -n "${LEDGER:-}" ]; then
        run acp-recon --no-ledger
        rm -f "$dir/ledger.db"
        run ledger --ledger "$dir/ledger.db"
      elif [ -n "${COMPARE:-}" ]; then
        run acp-recon --no-ledger
        /usr/bin/time -f "compare %e %M" "$COMPARE" reconcile \
          --roster "$dir/roster.csv" --returned "$dir/returned.csv" --config fixtures/acp.toml \
          --out "$dir/out-compare" --quiet --no-ledger "${target[@]}" >/dev/null 2>>"$times" || true
      else
        run acp-recon --no-ledger
        /usr/bin/time -f "duckdb %e %M" python3 benches/duckdb/full_outer_join.py \
          "$dir/roster.csv" "$dir/returned.csv" "$dir/duckdb.csv" 2>>"$times"
      fi
    done
    tools="acp-recon duckdb"
    [ -z "${LEDGER:-}" ] || tools="acp-recon ledger"
    [ -z "${COMPARE:-}" ] || tools="acp-recon compare"
    for tool in $tools; do
      grep "^$tool " "$times" | sort -k2 -n | awk -v tool="$tool" -v profile="$profile" -v people="$people" '
        { t[NR] = $2; if ($3 > m) m = $3 }
        END { printf "%-10s %-9s %9d people  median %6.2f s  (%.2f to %.2f)  peak %5.0f MiB\n",
                     profile, tool, people, t[int((NR + 1) / 2)], t[1], t[NR], m / 1024 }'
    done
  done
done
