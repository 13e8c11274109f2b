#!/usr/bin/env bash
# tests/examples/run_example.sh COMMAND...: runs one of the examples in docs/examples against the
# live stack of `./gw test` (GW_TEST_BASE_URL, GW_TEST_CA_FILE) and passes when it exits 0 and
# its large upload really went through a task (its step 8 line). With GW_TEST_STACK=filebase it
# runs against the Filebase stack instead (GW_TEST_FILEBASE_BASE_URL, GW_TEST_FILEBASE_CA_FILE),
# where pin and unpin are tasks too. Without the GW_TEST_* variables it fails: the examples are
# never skipped silently.
set -euo pipefail

if [[ ${GW_TEST_STACK:-} == filebase ]]; then
  base_url=${GW_TEST_FILEBASE_BASE_URL:?is not set: run the examples through ./gw test}
  ca_file=${GW_TEST_FILEBASE_CA_FILE:?is not set: run the examples through ./gw test}
else
  base_url=${GW_TEST_BASE_URL:?is not set: run the examples through ./gw test}
  ca_file=${GW_TEST_CA_FILE:?is not set: run the examples through ./gw test}
fi
export GW_BASE_URL=$base_url GW_CA_FILE=$ca_file NODE_EXTRA_CA_CERTS=$ca_file
unset GW_LARGE_BYTES GW_TASK_TIMEOUT   # the examples' defaults: 11 MiB, above the stack's 10 MiB threshold

out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$@" 2>&1 | tee "$out" || rc=$?
if ((rc != 0)); then
  echo "run_example: $* exited with status $rc" >&2
  exit "$rc"
fi
if ! grep -Eq '^8\. task [0-9a-f-]+ succeeded' "$out"; then
  echo "run_example: $* did not follow a task for its large upload (no '8. task ... succeeded' line)" >&2
  exit 1
fi
