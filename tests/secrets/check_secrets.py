#!/usr/bin/env python3
"""The secrets check `./gw test` runs right after ctest (gw.d/secrets.sh, run_secrets_check).

Every API key and password the test suite used must stay where it belongs. The keys and passwords
are those the e2e clients recorded (GW_TEST_RECORD_FILE, tests/e2e/https_client.hpp: the keys that
/register and /renew issued, the X-API-Key and Authorization values sent, the "password" members
of JSON request bodies), plus the administrators' keys (--key). None of them, nor a key's stored
form (HMAC-SHA256 under the stack's pepper, domain/api_key.hpp; nor a bare SHA-256 of it), may
appear in:
  - a log file of any test stack (--logs DIR: every *.log, *.out, `out` file and every file in a
    directory named logs, recursively: nginx's access and error logs, the app's JSON logs and
    server.out, PostgreSQL's, redis-server's and the Filebase double's logs);
  - a recorded response body, except the api_key member of the /register or /renew response that
    issued that key (the only time a key is shown);
  - the audit log's rows (--database: a DSN of a stack's database; audit_log, every column);
  - a pg_dump of a stack's database: keys are stored as HMAC-SHA256(pepper, key) only, so a dump
    holds no usable key. The check also finds those HMACs in the dump (the keys really are stored
    peppered, and the check looks at the right thing), and no bare SHA-256 of a key.
Secrets are never printed: findings show a key's public prefix (ipfs_gw_ + 6, what logs may show)
or a password's length. Exit 0 when clean, 1 with findings, 2 on a usage or tool error.
Passwords shorter than 12 characters (the minimum the API accepts), longer than 1024 or made of
one repeated character are not looked for: they are the hostile-input tests' fillers, not secrets.
Nor are the "passwords" of the hostile-input corpus (the exchanges of the HostileInput.* tests):
it sends the same public payloads (SQL, traversal, CRLF, ...) into every string field, the
password among them, so they rightly turn up as filenames, paths and audit details. The keys
those tests use are looked for like any other.
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tempfile

KEY_RE = re.compile(r"ipfs_gw_[A-Za-z0-9_-]{43}")
ISSUING_PATHS = ("/register", "/renew")
# tests/e2e/hostile_input_test.cpp: its payloads are public strings sent into every field
HOSTILE_CORPUS_TESTS = "HostileInput."


def mask(secret):
    if KEY_RE.fullmatch(secret):
        return secret[:14] + "... (API key)"
    if re.fullmatch(r"[0-9a-f]{64}", secret):
        return secret[:8] + "... (key hash)"
    return "<password, %d chars>" % len(secret)


def is_password_worth_looking_for(value):
    return 12 <= len(value) <= 1024 and len(set(value)) > 1


def collect_secrets(recording, extra_keys):
    """(keys, passwords, exchanges) from the recording and the given keys."""
    keys, passwords, exchanges = set(extra_keys), set(), []
    if recording and os.path.exists(recording):
        with open(recording, encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    continue
                exchange = json.loads(line)
                exchanges.append(exchange)
                hostile_corpus = str(exchange.get("test") or "").startswith(HOSTILE_CORPUS_TESTS)
                for value in exchange.get("request_secrets") or []:
                    found = KEY_RE.findall(value)
                    keys.update(found)
                    if not found and not hostile_corpus and is_password_worth_looking_for(value):
                        passwords.add(value)
                body = exchange.get("body")
                if isinstance(body, str):
                    keys.update(KEY_RE.findall(body))
    return keys, passwords, exchanges


def hashes_of(keys, peppers):
    """key hash -> key: HMAC-SHA256(pepper, key) for every pepper, and a bare SHA-256."""
    out = {}
    for key in keys:
        out[hashlib.sha256(key.encode()).hexdigest()] = key
        for pepper in peppers:
            out[hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()] = key
    return out


def log_files(roots):
    for root in roots:
        for directory, _, names in os.walk(root):
            in_logs = "logs" in directory.split(os.sep)
            for name in names:
                if in_logs or name.endswith((".log", ".out")) or name == "out" or re.search(r"\.log\.\d+$", name):
                    path = os.path.join(directory, name)
                    if os.path.isfile(path) and not os.path.islink(path):
                        yield path


class Finder:
    """grep -F over many fixed strings at once (Aho-Corasick in GNU grep)."""

    def __init__(self, secrets, workdir):
        self.secrets = sorted(s for s in secrets if s and "\n" not in s)
        self.patterns = os.path.join(workdir, "patterns")
        fd = os.open(self.patterns, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(s + "\n" for s in self.secrets))

    def in_files(self, paths):
        """[(path, line number, secret)] for every secret found in the files."""
        if not self.secrets or not paths:
            return []
        result = subprocess.run(["grep", "-a", "-F", "-o", "-n", "-H", "-f", self.patterns, "--", *paths],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if result.returncode > 1:
            raise RuntimeError("grep failed: " + result.stderr.decode(errors="replace"))
        found = []
        for line in result.stdout.decode("utf-8", errors="replace").splitlines():
            # path:line:match (paths here hold no ':' followed by digits and ':')
            m = re.match(r"^(.*?):(\d+):(.*)$", line)
            if m:
                found.append((m.group(1), int(m.group(2)), m.group(3)))
        return found


def check_bodies(exchanges, finder, workdir):
    """Recorded response bodies, less the api_key member of the response that issued it."""
    path = os.path.join(workdir, "bodies")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for exchange in exchanges:
            body = exchange.get("body")
            if not isinstance(body, str):
                body = ""
            if exchange.get("path") in ISSUING_PATHS and 200 <= int(exchange.get("status") or 0) < 300:
                try:
                    parsed = json.loads(body)
                    issued = parsed.get("data", {}).get("api_key")
                    if isinstance(issued, str):
                        parsed["data"]["api_key"] = "<issued here>"
                        body = json.dumps(parsed)
                except (ValueError, AttributeError):
                    pass
            f.write(body.replace("\r", " ").replace("\n", " ") + "\n")  # one line per exchange
    findings = []
    for _, number, secret in finder.in_files([path]):
        exchange = exchanges[number - 1]
        findings.append("response body of %s %s (%s, test %s): %s" % (
            exchange.get("method"), exchange.get("path"), exchange.get("status"), exchange.get("test"), mask(secret)))
    return findings


def dump_database(pg_bin, dsn, workdir, name):
    path = os.path.join(workdir, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        # never check=True: the error would print the command, and the DSN holds a password
        done = subprocess.run([os.path.join(pg_bin, "pg_dump"), "--no-owner", "--dbname", dsn], stdout=out, check=False)
    if done.returncode != 0:
        raise RuntimeError("pg_dump failed (exit %d)" % done.returncode)
    return path


def audit_rows(pg_bin, dsn, workdir, name):
    path = os.path.join(workdir, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        done = subprocess.run([os.path.join(pg_bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn,
                               "-c", "SELECT a::text FROM audit_log a ORDER BY id"], stdout=out, check=False)
    if done.returncode != 0:
        raise RuntimeError("psql (the audit log) failed (exit %d)" % done.returncode)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recording", help="the e2e recording (GW_TEST_RECORD_FILE)")
    parser.add_argument("--key", action="append", default=[], help="another API key (repeatable)")
    parser.add_argument("--key-env", action="append", default=[], help="a variable holding an API key (repeatable)")
    parser.add_argument("--pepper-file", action="append", default=[], help="a stack's key pepper (repeatable)")
    parser.add_argument("--logs", action="append", default=[], help="a directory to search for logs (repeatable)")
    parser.add_argument("--database-env", action="append", default=[],
                        help="a variable holding a stack database's DSN (repeatable; not an argument: it has a password)")
    parser.add_argument("--pg-bin", default="", help="PostgreSQL's bin directory (pg_dump, psql)")
    args = parser.parse_args()

    extra = list(args.key) + [os.environ.get(v, "") for v in args.key_env]
    keys, passwords, exchanges = collect_secrets(args.recording, [k for k in extra if k])
    peppers = []
    for path in args.pepper_file:
        with open(path, encoding="utf-8") as f:
            peppers.append(f.read().strip())
    key_hashes = hashes_of(keys, peppers)
    findings = []
    with tempfile.TemporaryDirectory(prefix="gw-secrets-") as workdir:
        os.chmod(workdir, 0o700)
        finder = Finder(keys | passwords | set(key_hashes), workdir)
        logs = sorted(set(log_files(args.logs)))
        for path, number, secret in finder.in_files(logs):
            findings.append("log %s line %d: %s" % (path, number, mask(secret)))
        findings += check_bodies(exchanges, finder, workdir)

        # the dump holds the keys' HMACs by design: there, only a usable secret is a finding
        plain = Finder(keys | passwords, tempfile.mkdtemp(dir=workdir))
        dumps = 0
        peppered_found = 0
        for n, variable in enumerate(args.database_env):
            dsn = os.environ.get(variable, "")
            if not dsn:
                findings.append("%s is not set: no database to check" % variable)
                continue
            audit = audit_rows(args.pg_bin, dsn, workdir, "audit-%d" % n)
            for _, number, secret in finder.in_files([audit]):
                findings.append("audit_log row %d of %s: %s" % (number, variable, mask(secret)))
            dump = dump_database(args.pg_bin, dsn, workdir, "dump-%d.sql" % n)
            dumps += 1
            for _, number, secret in plain.in_files([dump]):
                findings.append("pg_dump of %s, line %d: a usable secret, %s" % (variable, number, mask(secret)))
            with open(dump, encoding="utf-8", errors="replace") as f:
                stored = set(re.findall(r"\b[0-9a-f]{64}\b", f.read()))
            for key in keys:
                if hashlib.sha256(key.encode()).hexdigest() in stored:
                    findings.append("pg_dump of %s: the bare SHA-256 of %s (not peppered)" % (variable, mask(key)))
            peppered_found += sum(1 for h, k in key_hashes.items()
                                  if h in stored and h != hashlib.sha256(k.encode()).hexdigest())
        if dumps and keys and peppers and peppered_found == 0:
            findings.append("no key's HMAC-SHA256(pepper, key) was found in any dump: are keys stored as the check "
                            "assumes (domain/api_key.hpp)?")

    print("secrets check: %d API keys, %d passwords, %d key hashes; %d log files, %d recorded responses, %d databases"
          % (len(keys), len(passwords), len(key_hashes), len(logs), len(exchanges), len(args.database_env)))
    if args.database_env:
        print("secrets check: %d stored key hashes (HMAC-SHA256 under a stack's pepper) found in the dumps"
              % peppered_found)
    for finding in findings:
        print("LEAK: " + finding, file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, ValueError) as error:
        print("secrets check: ERROR: %s" % error, file=sys.stderr)
        sys.exit(2)
