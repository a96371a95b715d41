#!/usr/bin/env bash
# Rebuild static/vendor/ from the npm registry. Needs node, npm and network access to the npm
# registry only; everything is built in a temporary folder, so no node_modules ever lands in
# the repository. Run from anywhere: scripts/vendor_assets.sh
#
# What it does (see static/vendor/README.md for versions and licences):
# - compiles GOV.UK Frontend's Sass with Arial as the font and without the GDS Transport
#   @font-face (the font and the crown are for GOV.UK services only), copies its ES module and
#   its MIT licence, and copies none of its images or fonts (all of them are crown artwork);
# - copies htmx, Leaflet (with its marker images) and Chart.js as published.
set -euo pipefail

GOVUK_FRONTEND=6.6.0
SASS=1.108.2
HTMX=2.0.11
LEAFLET=1.9.4
CHARTJS=4.6.1

root="$(cd "$(dirname "$0")/.." && pwd)"
v="$root/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund \
  "govuk-frontend@$GOVUK_FRONTEND" "sass@$SASS" "htmx.org@$HTMX" "leaflet@$LEAFLET" "chart.js@$CHARTJS"

cat > build.scss <<'SCSS'
@use "pkg:govuk-frontend" with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "/static/vendor/govuk-frontend/assets/"
);
SCSS

rm -rf "$v/govuk-frontend" "$v/htmx" "$v/leaflet" "$v/chartjs"
mkdir -p "$v/govuk-frontend" "$v/htmx" "$v/leaflet" "$v/chartjs"

npx sass --pkg-importer=node --style=compressed --no-source-map --quiet-deps \
  build.scss "$v/govuk-frontend/govuk-frontend.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$v/govuk-frontend/"
# The npm tarball ships no licence file (package.json says "MIT"; the README's "Licence"
# section says the codebase is MIT, Crown copyright GDS): write the upstream LICENSE.txt.
cat > "$v/govuk-frontend/LICENSE.txt" <<'LICENCE'
The MIT License (MIT)

Copyright (C) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENCE

cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE "$v/htmx/"

cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
  node_modules/leaflet/LICENSE "$v/leaflet/"
cp -r node_modules/leaflet/dist/images "$v/leaflet/"

cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md "$v/chartjs/"

# Guard: the build must contain neither the GDS Transport font nor any crown artwork.
css="$v/govuk-frontend/govuk-frontend.min.css"
if grep -q "GDS Transport\|@font-face" "$css"; then
  echo "error: GDS Transport font found in $css" >&2
  exit 1
fi
if find "$v" -name '*.woff*' -o -name 'govuk-crest*' -o -name 'govuk-icon*' | grep -q .; then
  echo "error: GOV.UK fonts or crown images were copied" >&2
  exit 1
fi
echo "Vendored assets rebuilt in $v"
