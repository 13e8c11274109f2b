#!/usr/bin/env bash
# Self-tests of the Filebase double (tests/filebase): the node:test suites,
# then the botocore check (AWS's Python signer against a running double).
# Installs the pinned npm packages first when node_modules is missing or older
# than package-lock.json. Ends with `N passed, M failed`; exits non-zero on
# any failure. Every step is bounded in time.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

passed=0
failed=0
finish() {
  echo "${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}

# --- npm ci when needed (node_modules/.package-lock.json is what npm writes last)
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  if ! timeout 600 npm ci --no-audit --no-fund; then
    echo "npm ci failed"
    failed=$((failed + 1))
    finish
  fi
fi

# --- node:test suites
echo "== node --test"
tap="$(mktemp)"
trap 'rm -f "$tap"' EXIT
timeout 900 node --test --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  ./*.test.mjs
node_rc=$?
node_pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
node_fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
node_cancel=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -1)
passed=$((passed + ${node_pass:-0}))
failed=$((failed + ${node_fail:-0} + ${node_cancel:-0}))
if [ "$node_rc" -ne 0 ] && [ "${node_fail:-0}" -eq 0 ] && [ "${node_cancel:-0}" -eq 0 ]; then
  echo "node --test exited $node_rc"
  failed=$((failed + 1))
fi

# --- botocore check (Debian's python3-botocore; /usr/bin/python3 first)
echo "== botocore_check.py"
py=""
for cand in /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import botocore' >/dev/null 2>&1; then
    py="$cand"
    break
  fi
done
if [ -z "$py" ]; then
  echo "botocore is not installed: apt-get install python3-botocore"
  failed=$((failed + 1))
  finish
fi
boto_out="$(mktemp)"
trap 'rm -f "$tap" "$boto_out"' EXIT
for profile in kubo-add-cidv1 unixfs-v0-2015; do
  timeout 300 "$py" botocore_check.py --profile "$profile" | tee "$boto_out"
  boto_rc=${PIPESTATUS[0]}
  line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$boto_out" | tail -1)"
  if [ -n "$line" ]; then
    passed=$((passed + ${line%% passed*}))
    f=${line#*, }
    failed=$((failed + ${f%% failed}))
  fi
  if [ "$boto_rc" -ne 0 ] && { [ -z "$line" ] || [ "${f%% failed}" -eq 0 ]; }; then
    echo "botocore_check.py ($profile) exited $boto_rc"
    failed=$((failed + 1))
  fi
done

finish
