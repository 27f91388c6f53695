#!/usr/bin/env bash
# The whole test suite on a fresh machine: sets up what it needs, then checks generated
# files, types, unit tests and integration tests (bundled actions run as child processes
# against real data). In CI (CI=true) a missing component fails; nothing is skipped.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
start=$(date +%s)
. scripts/setup.sh dataset-fashion-mnist

echo "== services: Docker Engine, registries (127.0.0.1:5000, :5001 with auth), offline base image"
bash scripts/services/docker.sh install
bash scripts/services/docker.sh start
bash scripts/services/base-image.sh
echo "== services: Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes)"
bash scripts/services/k8s.sh install
bash scripts/services/k8s.sh start

echo "== generated files (dist, lib, schemas, action-catalog.md) are current"
node scripts/build.mjs --check
echo "== type check"
npx tsc --noEmit -p tsconfig.json

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
echo "== unit tests"
npx vitest run --config vitest.config.ts --reporter=default --reporter=json --outputFile.json="$results/unit.json" || status=1
echo "== integration tests"
npx vitest run --config vitest.itg.config.ts --reporter=default --reporter=json --outputFile.json="$results/itg.json" || status=1

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests;
    // A file that failed without a failing test (it did not load) counts once.
    failed += r.numFailedTests || (r.numFailedTestSuites || 0);
    skipped += r.numPendingTests + (r.numTodoTests || 0);
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/unit.json" "$results/itg.json"
echo "(test command took $(( $(date +%s) - start ))s)"
exit $status
