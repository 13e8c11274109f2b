#!/usr/bin/env python3
"""A tour of the ipfs-gateway API with Python and requests.

It registers a new account (a random email), uploads a small file, finds it in the listing,
downloads it again, pins and unpins it, then uploads a large generated file, which the gateway
answers with a task (202), follows the task until the file is stored and downloads that too.
Every step prints one line; any unexpected answer stops the program with exit status 1 after
printing the HTTP status, the error code and the request id.

Environment (all optional):
  GW_BASE_URL      the gateway (default https://localhost:8443, what `./gw up` serves)
  GW_CA_FILE       a CA certificate to trust, e.g. var/tls/cert.pem for `./gw up`'s
                   self-signed one (default: the system's CAs)
  GW_LARGE_BYTES   size of the large upload (default 11 MiB); the gateway makes uploads of
                   GW_ASYNC_THRESHOLD bytes and more (default 10 MiB) a task
  GW_TASK_TIMEOUT  seconds to wait for the task (default 300)

Needs Python 3 and requests (Debian: python3-requests). Run:
  GW_CA_FILE=var/tls/cert.pem python3 docs/examples/python_example.py
"""

import hashlib
import os
import secrets
import sys
import time
from urllib.parse import urljoin

import requests

BASE_URL = os.environ.get("GW_BASE_URL", "https://localhost:8443").rstrip("/")
CA_FILE = os.environ.get("GW_CA_FILE") or True  # True: verify against the system's CAs
LARGE_BYTES = int(os.environ.get("GW_LARGE_BYTES", 11 * 1024 * 1024))
TASK_TIMEOUT = float(os.environ.get("GW_TASK_TIMEOUT", 300))

session = requests.Session()  # one connection pool; X-API-Key joins its headers once registered


class Unexpected(Exception):
    """An answer the tour did not expect; `response` is printed before exiting."""

    def __init__(self, what, response=None):
        super().__init__(what)
        self.response = response


def call(method, path, *expected, **kwargs):
    """One request to `path` (relative to GW_BASE_URL, or a URL); fails unless its status is one
    of `expected`. A 429 (rate limited) is retried after the Retry-After it names: a refused
    request costs nothing, so the same request simply passes later."""
    url = path if path.startswith(("http://", "https://")) else BASE_URL + path
    for attempt in range(5):
        # verify= on each request, not session.verify: requests lets REQUESTS_CA_BUNDLE (and
        # CURL_CA_BUNDLE) from the environment override session.verify, not this
        response = session.request(method, url, verify=CA_FILE, timeout=(10, 600), **kwargs)
        if response.status_code != 429 or attempt == 4:
            break
        wait = int(response.headers.get("Retry-After", "1"))
        policy = error_of(response).get("details", {}).get("policy", "nginx")
        print(f"   429 rate_limited ({policy}): waiting {wait}s as Retry-After says")
        time.sleep(wait)
    if response.status_code not in expected:
        raise Unexpected(f"{method} {path} (expected {' or '.join(map(str, expected))})", response)
    return response


def error_of(response):
    """The `error` object of an error envelope ({} when the body is not one)."""
    try:
        return response.json().get("error") or {}
    except ValueError:
        return {}


def server_url(reference):
    """A URL the gateway gave (status_url, Location) is a path from its root: resolve it."""
    return urljoin(BASE_URL + "/", reference)


def follow_task(status_url):
    """Poll a task until it has succeeded and return it. Waits a little longer between polls
    each time (1, 2, 4, then 5 s) and gives up after TASK_TIMEOUT seconds."""
    deadline = time.monotonic() + TASK_TIMEOUT
    delay, last_state = 1, None
    while True:
        task = call("GET", server_url(status_url), 200).json()["data"]
        if task["state"] == "succeeded":
            return task
        if task["state"] == "failed":
            error = task["error"]
            raise Unexpected(f"task {task['task_id']} failed: {error['code']}: {error['message']}")
        if task["state"] != last_state:
            progress = task["progress"]  # in bytes, for uploads once the size is known
            shown = f" ({progress['done']} of {progress['total']} bytes)" if progress["total"] else ""
            print(f"   task is {task['state']}{shown}")
            last_state = task["state"]
        if time.monotonic() >= deadline:
            raise Unexpected(f"task still {task['state']} after {TASK_TIMEOUT:g}s")
        time.sleep(delay)
        delay = min(delay * 2, 5)


def tour():
    print(f"gateway: {BASE_URL}")

    # 1. Register: a new account and its API key (shown this once only).
    email = f"example-{secrets.token_hex(6)}@example.com"
    password = secrets.token_urlsafe(18)
    account = call("POST", "/register", 201, json={"email": email, "password": password}).json()["data"]
    session.headers["X-API-Key"] = account["api_key"]  # every later request carries it
    print(f"1. registered {email}, API key {account['api_key'][:12]}...")

    # 2. Upload a small file (multipart/form-data, field "file"): 201 with its CID.
    hello = f"Hello from the Python example ({time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())})\n".encode()
    stored = call("POST", "/upload", 201, files={"file": ("hello.txt", hello, "text/plain")}).json()["data"]
    cid = stored["cid"]
    print(f"2. uploaded hello.txt: {stored['size']} bytes, {stored['mime_type']}, CID {cid}")

    # 3. List the account's files (newest first, one page of up to 100) and find it.
    listing = call("GET", "/files", 200, params={"limit": 100})
    if not any(file["cid"] == cid for file in listing.json()["data"]):
        raise Unexpected(f"GET /files does not list {cid}", listing)
    print(f"3. listed: {listing.headers['X-Total-Count']} file(s), {cid} among them")

    # 4. Retrieve it: the same bytes.
    retrieved = call("GET", f"/retrieve/{cid}", 200)
    if retrieved.content != hello:
        raise Unexpected(f"GET /retrieve/{cid} answered other bytes than were uploaded")
    print(f"4. retrieved {len(retrieved.content)} bytes ({retrieved.headers['Content-Type']}), identical")

    # 5. and 6. Pin and unpin. A gateway that pins on a remote service answers 202 with a task
    # instead of 200; the task's result is then what 200 would have said.
    for step, action in ((5, "pin"), (6, "unpin")):
        answer = call("POST", f"/{action}/{cid}", 200, 202)
        result = answer.json()["data"]
        if answer.status_code == 202:
            result = follow_task(result["status_url"])["result"]
        print(f"{step}. {action}ned: pinned is {str(result['pinned']).lower()}")

    # 7. Upload a large file: the gateway keeps it and answers 202 with a task at once.
    large = os.urandom(LARGE_BYTES)
    large_sha256 = hashlib.sha256(large).hexdigest()
    answer = call("POST", "/upload", 202, 201, files={"file": ("large.bin", large, "application/octet-stream")})
    accepted = answer.json()["data"]
    if answer.status_code == 202:
        task_id = accepted["task_id"]
        print(f"7. uploaded large.bin ({LARGE_BYTES} bytes): 202, task {task_id}, Location {answer.headers['Location']}")

        # 8. Follow the task until the file is stored; its result is the file, with the CID.
        started = time.monotonic()
        large_cid = follow_task(accepted["status_url"])["result"]["cid"]
        print(f"8. task {task_id} succeeded after {time.monotonic() - started:.0f}s: CID {large_cid}")
    else:
        # the gateway's GW_ASYNC_THRESHOLD is above GW_LARGE_BYTES: stored at once
        large_cid = accepted["cid"]
        print(f"7. uploaded large.bin ({LARGE_BYTES} bytes): 201 (no task: below this gateway's threshold), "
              f"CID {large_cid}")

    # 9. Retrieve the large file and check its size and SHA-256.
    retrieved = call("GET", f"/retrieve/{large_cid}", 200)
    if len(retrieved.content) != LARGE_BYTES:
        raise Unexpected(f"GET /retrieve/{large_cid} answered {len(retrieved.content)} bytes, not {LARGE_BYTES}")
    if hashlib.sha256(retrieved.content).hexdigest() != large_sha256:
        raise Unexpected(f"GET /retrieve/{large_cid}: SHA-256 differs")
    print(f"9. retrieved {len(retrieved.content)} bytes, SHA-256 {large_sha256} as uploaded")
    print("done")


def main():
    try:
        tour()
    except Unexpected as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        if failure.response is not None:
            response = failure.response
            print(f"  HTTP {response.status_code}", file=sys.stderr)
            error = error_of(response)
            if error:
                print(f"  error: {error.get('code')}: {response.json().get('message')}", file=sys.stderr)
                print(f"  details: {error.get('details', {})}", file=sys.stderr)
            else:
                print(f"  body: {response.text[:500]}", file=sys.stderr)
            print(f"  request id: {response.headers.get('X-Request-Id')}", file=sys.stderr)
        return 1
    except requests.RequestException as failure:  # no answer at all: DNS, TLS, refused, timeout
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
