#!/usr/bin/env bash
# Local Docker engine + OCI registries for the container tests. Everything listens on loopback.
#
#   scripts/services/docker.sh install   # apt-get docker.io docker-registry apache2-utils (if missing)
#   scripts/services/docker.sh start     # dockerd + registry :5000 (+ auth registry :5001); idempotent
#   scripts/services/docker.sh stop
#   scripts/services/docker.sh status    # exit 0 when dockerd and the :5000 registry answer
#
# dockerd runs with --iptables=false --ip6tables=false (no NAT rules are written); port publishing
# (-p 127.0.0.1:H:C) goes through docker-proxy (userland proxy), which works without iptables.
# Registries: 127.0.0.1:5000 (anonymous, delete enabled) and 127.0.0.1:5001 (htpasswd basic auth,
# user mlops / password mlops-secret; set MLOPS_REGISTRY_AUTH=0 to skip it). Docker allows plain
# HTTP to 127.0.0.0/8 registries by default, so no insecure-registries setting is needed.
set -euo pipefail

MLOPS_SYSTEM_CACHE="${MLOPS_SYSTEM_CACHE:-/var/cache/mlops-actions}"
state="$MLOPS_SYSTEM_CACHE/docker"
logs="$state/logs"
run="$state/run"
registry_root="${MLOPS_REGISTRY_ROOT:-/var/lib/mlops-registry}"
sock=/var/run/docker.sock
registry_user=mlops
registry_password=mlops-secret

log() { printf '[docker.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
systemd_pid1() { [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; }

# A pid file whose process still runs one of our daemons (after an unclean end the pid may be reused).
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && grep -qE 'dockerd|registry' "/proc/$(cat "$1")/cmdline" 2>/dev/null; }

# Stop the services the Debian packages bring (docker.service/containerd.service/docker-registry):
# they would hold /var/run/docker.sock and port 5000.
quiet_package_services() {
  if systemd_pid1; then
    for u in docker.socket docker.service containerd.service docker-registry.service; do
      $sudo systemctl disable --now "$u" >/dev/null 2>&1 || true
    done
  else
    # No systemd: the init scripts may have been started by dpkg; stop them, then kill leftovers
    # that are not ours (ours have pid files under $run).
    for s in docker docker-registry; do
      [ -x "/etc/init.d/$s" ] && $sudo "/etc/init.d/$s" stop >/dev/null 2>&1 || true
    done
    local pid
    local ours
    ours="$(cat "$run"/*.pid 2>/dev/null || true)"
    for pid in $(pgrep -x dockerd || true) $(pgrep -x docker-registry || true) $(pgrep -x containerd || true); do
      # keep our daemons and the containerd our dockerd manages (its child)
      if grep -qx "$pid" <<<"$ours" || grep -qx "$(ps -o ppid= -p "$pid" | tr -d ' ')" <<<"$ours"; then continue; fi
      $sudo kill "$pid" 2>/dev/null || true
    done
  fi
}

cmd_install() {
  local want=(docker.io docker-registry apache2-utils) missing=() p
  for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -eq 0 ]; then log "packages present: ${want[*]}"; return; fi
  log "installing ${missing[*]}"
  # Keep dpkg from starting the packages' daemons (invoke-rc.d honours policy-rc.d exit 101).
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    made_policy=1
  fi
  local rc=0
  $sudo apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  [ "$made_policy" = 1 ] && $sudo rm -f "$policy"
  [ "$rc" = 0 ] || die "apt-get install failed ($rc)"
  quiet_package_services
}

write_registry_config() { # <name> <port> <auth:0|1>
  local name=$1 port=$2 auth=$3 cfg="$state/registry-$1.yml"
  mkdir -p "$registry_root/$name"
  {
    cat <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $registry_root/$name
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$port
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: false
EOF
    if [ "$auth" = 1 ]; then
      cat <<EOF
auth:
  htpasswd:
    realm: mlops-registry
    path: $state/htpasswd
EOF
    fi
  } >"$cfg"
  echo "$cfg"
}

start_registry() { # <name> <port> <auth>
  local name=$1 port=$2 auth=$3 pidf="$run/registry-$1.pid"
  if alive "$pidf"; then log "registry $name already running on 127.0.0.1:$port"; return; fi
  if [ "$auth" = 1 ] && [ ! -s "$state/htpasswd" ]; then
    htpasswd -Bbn "$registry_user" "$registry_password" >"$state/htpasswd"
  fi
  local cfg
  cfg="$(write_registry_config "$name" "$port" "$auth")"
  setsid docker-registry serve "$cfg" >>"$logs/registry-$name.log" 2>&1 </dev/null &
  echo $! >"$pidf"
  local i
  for i in $(seq 1 100); do
    # /v2/ answers 200 (anonymous) or 401 (auth) once the registry listens.
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)"
    case "$code" in 200|401) log "registry $name ready on 127.0.0.1:$port"; return ;; esac
    alive "$pidf" || { tail -20 "$logs/registry-$name.log" >&2; die "registry $name exited"; }
    sleep 0.1
  done
  die "registry $name did not answer on 127.0.0.1:$port (see $logs/registry-$name.log)"
}

cmd_start() {
  [ "$(id -u)" -eq 0 ] || die "start must run as root (dockerd)"
  command -v dockerd >/dev/null && command -v docker-registry >/dev/null || cmd_install
  mkdir -p "$logs" "$run"
  if alive "$run/dockerd.pid" && docker info >/dev/null 2>&1; then
    log "dockerd already running (pid $(cat "$run/dockerd.pid"))"
  else
    quiet_package_services
    # A dockerd killed uncleanly (the end of a session) leaves its pid file behind, and dockerd
    # refuses to start while one exists: remove it when its process is not a running dockerd.
    if [ -f "$run/dockerd.pid" ] && [ "$(cat "/proc/$(cat "$run/dockerd.pid")/comm" 2>/dev/null)" != dockerd ]; then rm -f "$run/dockerd.pid"; fi
    rm -f /var/run/docker.pid
    # containerd is started by dockerd itself (managed mode) when no system containerd runs.
    setsid dockerd --iptables=false --ip6tables=false --host="unix://$sock" \
      --pidfile="$run/dockerd.pid" >>"$logs/dockerd.log" 2>&1 </dev/null &
    local i ok=0
    for i in $(seq 1 300); do
      if docker info >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.1
    done
    [ "$ok" = 1 ] || { tail -30 "$logs/dockerd.log" >&2; die "dockerd did not come up (see $logs/dockerd.log)"; }
    log "dockerd ready (storage driver $(docker info --format '{{.Driver}}'), log $logs/dockerd.log)"
  fi
  start_registry plain 5000 0
  if [ "${MLOPS_REGISTRY_AUTH:-1}" = 1 ]; then start_registry auth 5001 1; fi
}

stop_pidfile() { # <pidfile> <name>
  local pidf=$1 pid i
  alive "$pidf" || { rm -f "$pidf"; return; }
  pid="$(cat "$pidf")"
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidf"
  log "stopped $2"
}

cmd_stop() {
  stop_pidfile "$run/registry-auth.pid" "registry auth" &
  stop_pidfile "$run/registry-plain.pid" "registry plain" &
  stop_pidfile "$run/dockerd.pid" dockerd &
  wait
}

cmd_status() {
  local rc=0
  if alive "$run/dockerd.pid" && docker info >/dev/null 2>&1; then
    echo "dockerd: running (pid $(cat "$run/dockerd.pid"), $(docker version --format 'server {{.Server.Version}}' 2>/dev/null))"
  else echo "dockerd: stopped"; rc=1; fi
  local n p
  for n in plain:5000 auth:5001; do
    p=${n#*:}; n=${n%%:*}
    if alive "$run/registry-$n.pid"; then echo "registry $n: running on 127.0.0.1:$p"
    else echo "registry $n: stopped"; [ "$n" = plain ] && rc=1; fi
  done
  return $rc
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
