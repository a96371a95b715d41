#!/usr/bin/env bash
# Run every benchmark; each writes its JSON into bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
for bench in bench/bench_*.py; do
  echo "== $bench"
  $PY "$bench"
done
