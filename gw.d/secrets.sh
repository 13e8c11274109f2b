# gw.d/secrets.sh: the secrets check `./gw test` runs after ctest (tests/secrets/check_secrets.py).
# shellcheck shell=bash

# run_secrets_check: no API key, password or key hash that the suite used reached a log of any
# test stack, a recorded response body (but the one that issued the key), the audit log, or (as a
# usable key) a pg_dump of either stack's database. It reads the e2e recording
# (GW_TEST_RECORD_FILE, which also lists the credentials each request carried), the administrators'
# keys, both stacks' peppers and their databases (DSNs passed by variable name: they hold passwords).
# Like the contract check, it runs in the same `./gw test` run as ctest, after it, on one recording.
run_secrets_check() {
  local fb=$TEST_DIR/filebase/stack
  local -a args=(--recording "$GW_TEST_RECORD_FILE" --logs "$TEST_DIR" --pg-bin "$PGBIN"
    --key-env GW_TEST_ADMIN_KEY --pepper-file "$TEST_DIR/secrets/key_pepper"
    --database-env GW_TEST_APP_DATABASE_URL)
  if [[ -d $fb ]]; then
    args+=(--key-env GW_TEST_FILEBASE_ADMIN_KEY --pepper-file "$fb/secrets/key_pepper"
      --database-env GW_TEST_FILEBASE_APP_DATABASE_URL)
  fi
  say "checking that no key, password or key hash the tests used reached a log, a response or the database"
  python3 "$REPO/tests/secrets/check_secrets.py" "${args[@]}" </dev/null
}
