#!/usr/bin/env bash
# The demo on a fresh machine: sets up, builds nothing (the bundles are committed) and runs
# the pipeline on examples/digits with the embedded defaults (local artifacts, local cache).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
MLOPS_SETUP_GO_TOOLS=0 . scripts/setup.sh
node scripts/demo.mjs "$@"
