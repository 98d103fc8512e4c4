#!/bin/sh
# The identity benchmark, end to end. Long (1 M rows): run it in the background.
#   .venv/bin/pip install -e .[bench]      # or: .venv/bin/pip install splink==5.0.0 duckdb==2.0.0
#   sh bench/identity/run.sh /tmp/bench
set -eu
OUT=${1:-/tmp/bench}
PY=${PY:-.venv/bin/python}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
mkdir -p "$OUT"
for n in 100000 1000000; do
  $PY bench/identity/generate.py --records $n --output "$OUT/persons_$n.csv"
done
echo "## Quality (same data, same fields)"
$PY bench/identity/quality.py "$OUT/persons_100000.csv" --workdir "$OUT"
echo "## Bulk dedup (find_duplicates, all cores)"
for n in 100000 1000000; do
  /usr/bin/time -f "$n records: %e s wall, %U s user, %M KB max RSS" \
    $PY manage.py find_duplicates --input "$OUT/persons_$n.csv" --output "$OUT/pairs_$n.csv"
done
echo "## Lookup latency (entry check query)"
for n in 100000 1000000; do
  rm -f "$OUT/lookup_$n.sqlite3"
  DATABASE_URL="sqlite:///$OUT/lookup_$n.sqlite3" $PY bench/identity/lookup.py "$OUT/persons_$n.csv"
  dropdb -h 127.0.0.1 -U postgres --if-exists "relais_bench_$n"
  createdb -h 127.0.0.1 -U postgres "relais_bench_$n"
  DATABASE_URL="$PG/relais_bench_$n" $PY bench/identity/lookup.py "$OUT/persons_$n.csv"
done
