#!/usr/bin/env bash
# docs/examples/curl.sh: a tour of the ipfs-gateway API with curl and jq.
#
# It registers a new account (a random email), uploads a small file, finds it in the listing,
# downloads it again, pins and unpins it, then uploads a large generated file, which the gateway
# answers with a task (202), follows the task until the file is stored and downloads that too.
# Every step prints one line; any unexpected answer stops the script with exit status 1 after
# printing the HTTP status, the error code and the request id.
#
# Environment (all optional):
#   GW_BASE_URL      the gateway (default https://localhost:8443, what `./gw up` serves)
#   GW_CA_FILE       a CA certificate to trust, e.g. var/tls/cert.pem for `./gw up`'s
#                    self-signed one (default: the system's CAs)
#   GW_LARGE_BYTES   size of the large upload (default 11 MiB); the gateway makes uploads of
#                    GW_ASYNC_THRESHOLD bytes and more (default 10 MiB) a task
#   GW_TASK_TIMEOUT  seconds to wait for the task (default 300)
#
# Needs bash, curl, jq and coreutils. Run:  GW_CA_FILE=var/tls/cert.pem docs/examples/curl.sh
set -euo pipefail

BASE_URL=${GW_BASE_URL:-https://localhost:8443}
BASE_URL=${BASE_URL%/}
LARGE_BYTES=${GW_LARGE_BYTES:-$((11 * 1024 * 1024))}
TASK_TIMEOUT=${GW_TASK_TIMEOUT:-300}

CURL=(curl --silent --show-error --connect-timeout 10 --max-time 600)
if [[ -n ${GW_CA_FILE:-} ]]; then CURL+=(--cacert "$GW_CA_FILE"); fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
# server_url REF: a URL the gateway gave (status_url, Location) is a path from its root
# (/tasks/<id>/status): resolve it against the origin of GW_BASE_URL (scheme://host:port)
server_url() {
  case $1 in
    http://* | https://*) printf '%s' "$1" ;;
    *) printf '%s%s' "$(sed -E 's#^(https?://[^/]+).*#\1#' <<<"$BASE_URL")" "$1" ;;
  esac
}

# call METHOD PATH|URL [curl options...]: one request (a PATH is taken relative to GW_BASE_URL);
# sets STATUS, keeps the body in $WORK/body and the headers in $WORK/headers. A 429 (rate
# limited) is retried after the Retry-After it names: a refused request costs nothing, so the
# same request simply passes later.
call() {
  local method=$1 url=$2 attempt wait
  shift 2
  if [[ $url == /* ]]; then url=$BASE_URL$url; fi
  for attempt in 1 2 3 4 5; do
    STATUS=$("${CURL[@]}" -X "$method" -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@" "$url")
    [[ $STATUS == 429 && $attempt -lt 5 ]] || return 0
    wait=$(header Retry-After)
    echo "   429 rate_limited ($(jq -r '.error.details.policy // "nginx"' "$WORK/body" 2>/dev/null)): waiting ${wait:-1}s as Retry-After says"
    sleep "${wait:-1}"
  done
}

# header NAME: the value of that header in the last response ("" when absent)
header() {
  tr -d '\r' <"$WORK/headers" | { grep -i "^$1:" || true; } | tail -n 1 | sed 's/^[^:]*: *//'
}

# field JQ_FILTER: a value from the last response's JSON body
field() { jq -r "$1" "$WORK/body"; }

# fail WHAT: print what the gateway answered and stop
fail() {
  {
    echo "FAILED: $1: HTTP $STATUS"
    if jq -e '.error' "$WORK/body" >/dev/null 2>&1; then
      jq -r '"  error: \(.error.code): \(.message)\n  details: \(.error.details // {} | tojson)\n  request id: \(.error.request_id)"' "$WORK/body"
    else
      echo "  request id: $(header X-Request-Id)"
      echo "  body: $(head -c 500 "$WORK/body")"
    fi
  } >&2
  exit 1
}

# die MESSAGE: stop on a check of our own (the answer itself was as expected)
die() {
  echo "FAILED: $*" >&2
  exit 1
}

# expect WHAT CODE...: fail unless the last status is one of the codes
expect() {
  local what=$1 code
  shift
  for code in "$@"; do [[ $STATUS == "$code" ]] && return 0; done
  fail "$what (expected $*)"
}

# follow_task STATUS_URL: poll a task until it has succeeded (its body is then in $WORK/body);
# waits a little longer between polls each time (1, 2, 4, then 5 s), gives up after TASK_TIMEOUT
follow_task() {
  local url delay=1 state last="" deadline=$((SECONDS + TASK_TIMEOUT))
  url=$(server_url "$1")
  while true; do
    call GET "$url" -H "@$WORK/auth"
    expect "GET $url" 200
    state=$(field .data.state)
    case $state in
      succeeded) return 0 ;;
      failed) fail "task $(field .data.task_id) failed: $(field '.data.error | "\(.code): \(.message)"')" ;;
    esac
    if [[ $state != "$last" ]]; then
      echo "   task is $state$(field '.data.progress | if .total then " (\(.done) of \(.total) bytes)" else "" end')"
      last=$state
    fi
    if ((SECONDS >= deadline)); then die "task still $state after ${TASK_TIMEOUT}s"; fi
    sleep "$delay"
    delay=$((delay < 3 ? delay * 2 : 5))
  done
}

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# ---------------------------------------------------------------------------------------------
# the tour
# ---------------------------------------------------------------------------------------------
echo "gateway: $BASE_URL"

# 1. Register: a new account and its API key (shown this once only).
EMAIL="example-$(random_hex 6)@example.com"
PASSWORD="example-$(random_hex 12)"
call POST /register -H 'Content-Type: application/json' \
  --data "$(jq -n --arg email "$EMAIL" --arg password "$PASSWORD" '{email: $email, password: $password}')"
expect "POST /register" 201
API_KEY=$(field .data.api_key)
# curl reads the key header from a file: the key then never shows in `ps`
printf 'X-API-Key: %s\n' "$API_KEY" >"$WORK/auth"
echo "1. registered $EMAIL, API key ${API_KEY:0:12}..."

# 2. Upload a small file (multipart/form-data, field "file"): 201 with its CID.
printf 'Hello from the curl example (%s)\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$WORK/hello.txt"
call POST /upload -H "@$WORK/auth" -F "file=@$WORK/hello.txt;filename=hello.txt"
expect "POST /upload" 201
CID=$(field .data.cid)
echo "2. uploaded hello.txt: $(field '"\(.data.size) bytes, \(.data.mime_type)"'), CID $CID"

# 3. List the account's files (newest first, one page of up to 100) and find it.
call GET "/files?limit=100" -H "@$WORK/auth"
expect "GET /files" 200
jq -e --arg cid "$CID" 'any(.data[]; .cid == $cid)' "$WORK/body" >/dev/null || fail "GET /files does not list $CID"
echo "3. listed: $(header X-Total-Count) file(s), $CID among them"

# 4. Retrieve it: the same bytes.
call GET "/retrieve/$CID" -H "@$WORK/auth"
expect "GET /retrieve/$CID" 200
cmp -s "$WORK/body" "$WORK/hello.txt" || die "GET /retrieve/$CID answered other bytes than were uploaded"
echo "4. retrieved $(wc -c <"$WORK/body") bytes ($(header Content-Type)), identical"

# 5. Pin it. A gateway that pins on a remote service answers 202 with a task instead of 200.
call POST "/pin/$CID" -H "@$WORK/auth"
expect "POST /pin/$CID" 200 202
if [[ $STATUS == 202 ]]; then follow_task "$(field .data.status_url)"; fi
echo "5. pinned: pinned is $(field 'if .data.result then .data.result.pinned else .data.pinned end')"

# 6. Unpin it (the same way).
call POST "/unpin/$CID" -H "@$WORK/auth"
expect "POST /unpin/$CID" 200 202
if [[ $STATUS == 202 ]]; then follow_task "$(field .data.status_url)"; fi
echo "6. unpinned: pinned is $(field 'if .data.result then .data.result.pinned else .data.pinned end')"

# 7. Upload a large file: the gateway keeps it and answers 202 with a task at once.
head -c "$LARGE_BYTES" /dev/urandom >"$WORK/large.bin"
LARGE_SHA256=$(sha256sum "$WORK/large.bin" | cut -d' ' -f1)
call POST /upload -H "@$WORK/auth" -F "file=@$WORK/large.bin;filename=large.bin;type=application/octet-stream"
expect "POST /upload (large)" 202 201
if [[ $STATUS == 202 ]]; then
  TASK_ID=$(field .data.task_id)
  echo "7. uploaded large.bin ($LARGE_BYTES bytes): 202, task $TASK_ID, Location $(header Location)"

  # 8. Follow the task until the file is stored; its result is the file, with the CID.
  started=$SECONDS
  follow_task "$(field .data.status_url)"
  LARGE_CID=$(field .data.result.cid)
  echo "8. task $TASK_ID succeeded after $((SECONDS - started))s: CID $LARGE_CID"
else
  # the gateway's GW_ASYNC_THRESHOLD is above GW_LARGE_BYTES: stored at once
  LARGE_CID=$(field .data.cid)
  echo "7. uploaded large.bin ($LARGE_BYTES bytes): 201 (no task: below this gateway's threshold), CID $LARGE_CID"
fi

# 9. Retrieve the large file and check its size and SHA-256.
call GET "/retrieve/$LARGE_CID" -H "@$WORK/auth"
expect "GET /retrieve/$LARGE_CID" 200
size=$(wc -c <"$WORK/body")
[[ $size == "$LARGE_BYTES" ]] || die "GET /retrieve/$LARGE_CID answered $size bytes, not $LARGE_BYTES"
[[ $(sha256sum "$WORK/body" | cut -d' ' -f1) == "$LARGE_SHA256" ]] || die "GET /retrieve/$LARGE_CID: SHA-256 differs"
echo "9. retrieved $size bytes, SHA-256 $LARGE_SHA256 as uploaded"
echo "done"
