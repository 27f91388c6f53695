#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for the deploy-k8s integration tests:
# etcd (Debian's etcd-server) + kube-apiserver, kube-controller-manager, kube-scheduler
# (built from the k8s.io/kubernetes Go module pinned in tools/k8s/go.mod) + kwok, which
# simulates nodes and marks their pods Running/Ready without any container runtime.
#
#   scripts/services/k8s.sh install   # apt-get etcd-server, build the binaries (once)
#   scripts/services/k8s.sh start     # idempotent; prints the admin kubeconfig path
#   scripts/services/k8s.sh status
#   scripts/services/k8s.sh stop
#
# Everything binds to 127.0.0.1 (API https://127.0.0.1:6443). State lives under $MLOPS_K8S_DIR
# (default /var/cache/mlops-actions/k8s): bin/ (incl. kubectl), pki/, logs/, run/ (pid files),
# admin.kubeconfig (system:masters, 0600). etcd's data is fresh on each start (/tmp/mlops-k8s-etcd).
# Fake nodes: kwok-node-0 (cpu 8, memory 32Gi, pods 110) and kwok-node-1 (same + nvidia.com/gpu: 1),
# annotated kwok.x-k8s.io/node=fake, labelled type=kwok, untainted. kwok plays its default stages;
# pod labels select the others:
#   stage.mlops-actions/never-ready=true                      Running, never Ready
#   pod-container-running-failed.stage.kwok.x-k8s.io=true     container exits 1, pod Failed (~1-2 s)
set -euo pipefail

MLOPS_SYSTEM_CACHE="${MLOPS_SYSTEM_CACHE:-/var/cache/mlops-actions}"
K8S_DIR="${MLOPS_K8S_DIR:-$MLOPS_SYSTEM_CACHE/k8s}"
BIN="$K8S_DIR/bin"
PKI="$K8S_DIR/pki"
LOGS="$K8S_DIR/logs"
RUN="$K8S_DIR/run"
ADMIN_KUBECONFIG="$K8S_DIR/admin.kubeconfig"
ETCD_DATA="${MLOPS_K8S_ETCD_DATA:-/tmp/mlops-k8s-etcd}"
API_PORT="${MLOPS_K8S_API_PORT:-6443}"
ETCD_PORT="${MLOPS_K8S_ETCD_PORT:-2379}"
ETCD_PEER_PORT="${MLOPS_K8S_ETCD_PEER_PORT:-2380}"
API_URL="https://127.0.0.1:$API_PORT"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODDIR="$repo/tools/k8s"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

log() { printf '[k8s] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

go_env() {
  GO="$(command -v go || true)"
  [ -n "$GO" ] || GO=/usr/local/go/bin/go
  [ -x "$GO" ] || die "Go not found (expected on PATH or at /usr/local/go/bin/go)"
  export GOMODCACHE="${GOMODCACHE_K8S:-$MLOPS_SYSTEM_CACHE/go/mod}"
  export GOCACHE="${GOCACHE_K8S:-$MLOPS_SYSTEM_CACHE/go/build}"
  export GOFLAGS="-mod=readonly -buildvcs=false -p=${MLOPS_K8S_BUILD_P:-2}"
  export GOTOOLCHAIN=local CGO_ENABLED=0
}

mod_version() { # <module path> -> version required in tools/k8s/go.mod
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$MODDIR/go.mod"
}

stamp_value() {
  printf 'k8s=%s kwok=%s gomod=%s\n' "$(mod_version k8s.io/kubernetes)" "$(mod_version sigs.k8s.io/kwok)" \
    "$(cat "$MODDIR/go.mod" "$MODDIR/go.sum" | sha256sum | cut -c1-16)"
}

binaries_ok() {
  [ "$(cat "$BIN/.stamp" 2>/dev/null)" = "$(stamp_value)" ] || return 1
  local b
  for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || return 1; done
}

build() {
  if binaries_ok; then log "binaries up to date in $BIN ($(cat "$BIN/.stamp"))"; return; fi
  go_env
  local kv kwv major minor ld t0 t1 b pkg stamp
  stamp="$(stamp_value | sha256sum | cut -c1-12)"
  kv="$(mod_version k8s.io/kubernetes)"; kwv="$(mod_version sigs.k8s.io/kwok)"
  major="${kv#v}"; major="${major%%.*}"; minor="${kv#v*.}"; minor="${minor%%.*}"
  # Without these the binaries report v0.0.0-master, which clients (and kwok) may reject.
  local kld="-X k8s.io/component-base/version.gitVersion=$kv -X k8s.io/component-base/version.gitMajor=$major"
  kld+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  kld+=" -X k8s.io/client-go/pkg/version.gitVersion=$kv -X k8s.io/client-go/pkg/version.gitMajor=$major"
  kld+=" -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  mkdir -p "$BIN"
  rm -f "$BIN/.stamp"
  log "building Kubernetes $kv and kwok $kwv into $BIN (GOCACHE=$GOCACHE); this takes a while on 2 cores"
  (cd "$MODDIR" && "$GO" mod download)
  for b in "${BINARIES[@]}"; do
    # a binary finished by an interrupted run of the same go.mod/go.sum is kept
    [ -x "$BIN/$b" ] && [ -f "$BIN/.$b.$stamp" ] && continue
    case "$b" in
      kwok) pkg=sigs.k8s.io/kwok/cmd/kwok; ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$kwv -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$kv" ;;
      *) pkg="k8s.io/kubernetes/cmd/$b"; ld="-s -w $kld" ;;
    esac
    t0=$(date +%s)
    (cd "$MODDIR" && "$GO" build -trimpath -ldflags="$ld" -o "$BIN/$b.tmp" "$pkg")
    mv -f "$BIN/$b.tmp" "$BIN/$b"
    t1=$(date +%s)
    rm -f "$BIN/.$b".*; touch "$BIN/.$b.$stamp"
    log "built $b in $((t1 - t0))s ($(du -h "$BIN/$b" | cut -f1))"
  done
  stamp_value >"$BIN/.stamp"
}

install_etcd() {
  if command -v etcd >/dev/null 2>&1; then return; fi
  log "installing Debian's etcd-server"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
  # The package enables (and on systemd hosts starts) a system etcd on 2379: we run our own.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now etcd >/dev/null 2>&1 || true
  else
    $sudo service etcd stop >/dev/null 2>&1 || true
  fi
}

cmd_install() {
  install_etcd
  build
}

# --- PKI -------------------------------------------------------------------------------------
gen_cert() { # <name> <CN> <O or -> [<subjectAltName>]
  local name="$1" cn="$2" org="$3" san="${4:-}" subj ext
  [ -s "$PKI/$name.crt" ] && [ -s "$PKI/$name.key" ] && return
  subj="/CN=$cn"; [ "$org" = - ] || subj="/O=$org$subj"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$name.key.tmp" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$PKI/$name.key.tmp" -out "$PKI/$name.key" && rm -f "$PKI/$name.key.tmp"
  ext="$PKI/$name.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then echo "extendedKeyUsage=serverAuth"; echo "subjectAltName=$san"; else echo "extendedKeyUsage=clientAuth"; fi
  } >"$ext"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
}

ensure_pki() {
  mkdir -p "$PKI"; chmod 700 "$PKI"
  if [ ! -s "$PKI/ca.crt" ] || [ ! -s "$PKI/ca.key" ]; then
    log "generating CA and certificates in $PKI"
    rm -f "$PKI"/*.crt "$PKI"/*.key "$K8S_DIR"/*.kubeconfig
    openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/ca.key.tmp" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in "$PKI/ca.key.tmp" -out "$PKI/ca.key" && rm -f "$PKI/ca.key.tmp"
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=mlops-actions-test-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null
  fi
  gen_cert apiserver kube-apiserver - \
    "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  gen_cert admin kubernetes-admin system:masters
  gen_cert controller-manager system:kube-controller-manager -
  gen_cert scheduler system:kube-scheduler -
  gen_cert kwok kwok-controller system:masters
  if [ ! -s "$PKI/sa.key" ]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  chmod 600 "$PKI"/*.key
  local c
  for c in admin controller-manager scheduler kwok; do write_kubeconfig "$c"; done
}

write_kubeconfig() { # <cert name>; embeds the certs so the file can be copied anywhere
  local name="$1" file="$K8S_DIR/$1.kubeconfig"
  [ -s "$file" ] && return
  install -m 600 /dev/null "$file.tmp"
  cat >>"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mlops-test
  cluster:
    server: $API_URL
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$name.crt")
    client-key-data: $(base64 -w0 "$PKI/$name.key")
contexts:
- name: mlops-test
  context:
    cluster: mlops-test
    user: $name
current-context: mlops-test
EOF
  chmod 600 "$file.tmp"; mv -f "$file.tmp" "$file"
}

# --- processes -------------------------------------------------------------------------------
pid_alive() { # <name>: its pid file names a live process that is still that program
  local pid
  pid="$(cat "$RUN/$1.pid" 2>/dev/null)" || return 1
  # After an unclean end (SIGKILL at the end of a session) the pid may belong to another process.
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1"
}

spawn() { # <name> <command...>: start detached, log to $LOGS/<name>.log, pid in $RUN/<name>.pid
  local name="$1"; shift
  if pid_alive "$name"; then return; fi
  [ -s "$LOGS/$name.log" ] && mv -f "$LOGS/$name.log" "$LOGS/$name.log.prev"
  nohup setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

api() { # <curl args...>: call the API server as admin
  curl -sS --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$@"
}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

all_alive() { # every component with a pid file is still running (sets DEAD otherwise)
  local f
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    DEAD="$(basename "$f" .pid)"
    pid_alive "$DEAD" || return 1
  done
  DEAD=
}

wait_for() { # <seconds> <description> <command...>
  local secs="$1" what="$2" i; shift 2
  for ((i = 0; i < secs * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! all_alive; then log "waiting for $what: $DEAD exited; see $LOGS/$DEAD.log:"; tail -n 5 "$LOGS/$DEAD.log" >&2; return 1; fi
    sleep 0.2
  done
  log "timed out after ${secs}s waiting for $what; logs in $LOGS"
  return 1
}

apiserver_ready() { [ "$(api "$API_URL/readyz" 2>/dev/null)" = ok ]; }
etcd_ready() { curl -sf "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }
nodes_ready() {
  local n
  n="$(api "$API_URL/api/v1/nodes?labelSelector=type%3Dkwok" |
    jq '[.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length')"
  [ "$n" -ge 2 ]
}
default_sa_ready() { api -f "$API_URL/api/v1/namespaces/default/serviceaccounts/default"; }

# kwok's stages (the lifecycle rules it plays on nodes and pods), read from its module sources, plus
# one of ours: a pod labelled stage.mlops-actions/never-ready=true goes Running but never Ready.
write_kwok_config() {
  local src file="$K8S_DIR/kwok.yaml" f
  go_env
  src="$GOMODCACHE/sigs.k8s.io/kwok@$(mod_version sigs.k8s.io/kwok)"
  [ -d "$src" ] || src="$(cd "$MODDIR" && "$GO" mod download -json sigs.k8s.io/kwok | jq -r .Dir)"
  [ -d "$src/kustomize/stage" ] || die "kwok stage sources not found under $src (run: $0 install)"
  {
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
      pod/chaos/pod-container-running-failed.yaml; do
      echo "---"; cat "$src/kustomize/stage/$f"
    done
    cat <<'EOF'
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: mlops-pod-never-ready
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.labels["stage.mlops-actions/never-ready"]'
      operator: 'In'
      values:
      - 'true'
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values:
      - 'Pending'
  weight: 10000
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        type: Ready
        reason: ContainersNotReady
        message: "containers with unready status (kwok stage mlops-pod-never-ready)"
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        type: ContainersReady
        reason: ContainersNotReady
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        started: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
      {{ $hostIPs := NodeIPsWith .spec.nodeName }}
      {{ with $hostIPs }}
      hostIP: {{ index . 0 | Quote }}
      hostIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      {{ $podIPs := PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      {{ with $podIPs }}
      podIP: {{ index . 0 | Quote }}
      podIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
EOF
  } >"$file"
}

fake_node() { # <name> <extra allocatable json>
  local name="$1" extra="$2"
  jq -n --arg name "$name" --argjson extra "$extra" '{
    apiVersion: "v1", kind: "Node",
    metadata: {name: $name,
      annotations: {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
      labels: {type: "kwok", "kubernetes.io/hostname": $name, "kubernetes.io/os": "linux",
               "kubernetes.io/arch": "amd64", "kubernetes.io/role": "agent"}},
    spec: {},
    status: {allocatable: ({cpu: "8", memory: "32Gi", pods: "110", "ephemeral-storage": "100Gi"} + $extra),
             capacity: ({cpu: "8", memory: "32Gi", pods: "110", "ephemeral-storage": "100Gi"} + $extra)}}'
}

create_nodes() {
  local i name extra code
  for i in 0 1; do
    name="kwok-node-$i"; extra='{}'
    [ "$i" = 1 ] && extra='{"nvidia.com/gpu": "1"}'
    code="$(api -o /dev/null -w '%{http_code}' "$API_URL/api/v1/nodes/$name")"
    [ "$code" = 200 ] && continue
    fake_node "$name" "$extra" | api -f -o /dev/null -H 'Content-Type: application/json' \
      -X POST --data-binary @- "$API_URL/api/v1/nodes" || die "could not create node $name"
  done
}

cmd_start() {
  local t0 v
  t0=$EPOCHREALTIME
  binaries_ok || die "binaries missing or stale in $BIN: run '$0 install' first"
  command -v etcd >/dev/null || die "etcd missing: run '$0 install' first"
  mkdir -p "$LOGS" "$RUN"
  # Pid files of components that are gone (an unclean end of the previous session) are stale.
  local f
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    pid_alive "$(basename "$f" .pid)" || rm -f "$f"
  done
  ensure_pki

  if ! pid_alive etcd; then
    rm -rf "$ETCD_DATA"; mkdir -p "$ETCD_DATA"; chmod 700 "$ETCD_DATA"
    spawn etcd etcd --name mlops-k8s --data-dir "$ETCD_DATA" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "mlops-k8s=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
      --quota-backend-bytes=2147483648 --snapshot-count=10000 --log-level=warn
  fi
  wait_for 30 etcd etcd_ready || die "etcd did not start"
  log "etcd ready after $(elapsed "$t0")s"

  # WatchList=false: Debian's etcd 3.4.23 lacks RequestWatchProgress, and with WatchList on
  # (default since 1.34) the API server turns every watch from resourceVersion ""/"0" with
  # allowWatchBookmarks into a streaming list that it then refuses ("a watch stream was requested
  # by the client but the required storage feature RequestWatchProgress is disabled"): informers
  # re-list with backoff and kwok marked pods Ready only after ~20 s.
  spawn kube-apiserver "$BIN/kube-apiserver" \
    --feature-gates=WatchList=false \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --endpoint-reconciler-type=none \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 \
    --allow-privileged=true --profiling=false --v=1
  wait_for 90 "kube-apiserver /readyz" apiserver_ready || die "kube-apiserver not ready"
  log "kube-apiserver ready after $(elapsed "$t0")s"

  # Not before /readyz: the controller-manager exits if RBAC is not bootstrapped yet.
  spawn kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig="$K8S_DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$K8S_DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$K8S_DIR/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10257 --leader-elect=false \
    --controllers='*' --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range=10.96.0.0/16 --profiling=false --v=1
  spawn kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig="$K8S_DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig="$K8S_DIR/scheduler.kubeconfig" \
    --authorization-kubeconfig="$K8S_DIR/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false --v=1
  if ! pid_alive kwok; then
    write_kwok_config
    # HOME is set so that a ~/.kwok/kwok.yaml of the user is not merged in. The client-go
    # streaming-list gate is turned off too (the server has WatchList off, see above).
    spawn kwok env HOME="$K8S_DIR" KUBE_FEATURE_WatchListClient=false "$BIN/kwok" --config="$K8S_DIR/kwok.yaml" \
      --kubeconfig="$K8S_DIR/kwok.kubeconfig" \
      --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
      --node-lease-duration-seconds=40 --cidr=10.244.0.0/16 --node-ip=10.0.0.1
  fi
  create_nodes
  wait_for 90 "fake nodes Ready" nodes_ready || die "fake nodes did not become Ready"
  log "fake nodes Ready after $(elapsed "$t0")s"
  wait_for 60 "default ServiceAccount" default_sa_ready || die "controller-manager did not create the default ServiceAccount"
  chmod 600 "$ADMIN_KUBECONFIG"
  v="$(api "$API_URL/version" | jq -r .gitVersion)"
  log "control plane $v up at $API_URL in $(elapsed "$t0")s"
  log "KUBECONFIG=$ADMIN_KUBECONFIG"
  echo "$ADMIN_KUBECONFIG"
}

STOP_ORDER=(kwok kube-scheduler kube-controller-manager kube-apiserver etcd)

cmd_stop() {
  local name pid i
  for name in "${STOP_ORDER[@]}"; do
    pid="$(cat "$RUN/$name.pid" 2>/dev/null)" || continue
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      log "stopped $name ($pid)"
    fi
    rm -f "$RUN/$name.pid"
  done
  rm -rf "$ETCD_DATA"
}

cmd_status() {
  local name rc=0 pid rss
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
    if pid_alive "$name"; then
      pid="$(cat "$RUN/$name.pid")"
      rss="$(ps -o rss= --ppid "$pid" -p "$pid" | awk '{s+=$1} END {printf "%d", s/1024}')"
      printf '%-24s running  pid %-8s rss %s MiB\n' "$name" "$pid" "$rss"
    else
      printf '%-24s stopped\n' "$name"; rc=1
    fi
  done
  if [ -s "$PKI/admin.crt" ] && apiserver_ready; then
    printf 'apiserver %s ready; kubeconfig %s\n' "$API_URL" "$ADMIN_KUBECONFIG"
  else
    printf 'apiserver %s not ready\n' "$API_URL"; rc=1
  fi
  return $rc
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    install) cmd_install ;;
    build) build ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_stop; cmd_start ;;
    status) cmd_status ;;
    *) usage; exit 2 ;;
  esac
fi
