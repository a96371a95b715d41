#!/usr/bin/env bash
# Serve the site on http://127.0.0.1:8000 with the background worker; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py db_worker --interval 1 &
worker=$!
trap 'kill $worker 2>/dev/null || true; wait $worker 2>/dev/null || true' EXIT INT TERM
echo "Big Society is running at http://127.0.0.1:8000 (worker pid $worker). Ctrl-C stops both."
$PY manage.py runserver 127.0.0.1:8000
