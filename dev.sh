#!/usr/bin/env bash
# fazhi-graph developer entry point.
#   ./dev.sh serve [fazhi-graph serve options]  set up, build the graph, serve the explorer
#   ./dev.sh test  [pytest options]             set up, then ruff, mypy and the whole test suite
#   ./dev.sh setup                              only set up (.venv with the package, editable)
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

setup() {
  if [[ ! -x .venv/bin/python ]]; then
    "$PY" -m venv .venv
  fi
  local stamp=.venv/.fazhi-setup-stamp
  if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[test]"
    touch "$stamp"
  fi
  if [[ -f package.json ]]; then
    if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
      npm ci --no-audit --no-fund --silent
      touch node_modules
    fi
    vendor
  fi
}

# The explorer's npm libraries, copied from node_modules into the package's static files
# (src/fazhi_graph/web/static/vendor/, git-ignored): the server loads nothing from a CDN.
VENDOR=src/fazhi_graph/web/static/vendor
vendor() {
  local stamp=$VENDOR/.stamp
  if [[ -f $stamp && ! package-lock.json -nt $stamp ]]; then
    return
  fi
  rm -rf "$VENDOR"
  mkdir -p "$VENDOR/yasgui" "$VENDOR/cytoscape"
  cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css \
     node_modules/@zazuko/yasgui/package.json "$VENDOR/yasgui/"
  cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/cytoscape/LICENSE \
     node_modules/cytoscape/package.json "$VENDOR/cytoscape/"
  touch "$stamp"
}

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case "$cmd" in
  setup) setup ;;
  serve)
    setup
    .venv/bin/fazhi-graph build
    exec .venv/bin/fazhi-graph serve "$@"
    ;;
  test)
    setup
    .venv/bin/ruff check src tests bench
    .venv/bin/mypy
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: ./dev.sh serve|test|setup" >&2
    exit 2
    ;;
esac
