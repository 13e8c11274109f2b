#!/usr/bin/env python3
"""check_secrets.py catches each kind of leak it exists for, and passes what is allowed
(ctest secrets_checker_selftest, label secrets). No database: the pg_dump and audit parts run in
`./gw test` only (gw.d/secrets.sh)."""

import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import unittest

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_secrets.py")
KEY = "ipfs_gw_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v"  # 8 + 43
OTHER_KEY = "ipfs_gw_" + "z" * 20 + "Y" * 23
PASSWORD = "correct horse battery 0a1b2c3d"
PEPPER = "f" * 64


def exchange(path, status, body, secrets=(), test="Suite.Test"):
    return {"test": test, "stack": "local", "origin": "https://127.0.0.1:1", "method": "POST", "path": path,
            "query": None, "request_headers": [], "request_secrets": list(secrets), "status": status,
            "response_headers": [], "body": body, "body_bytes": len(body), "body_recorded": "full",
            "transport_error": None}


class CheckSecrets(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="gw-secrets-selftest-")
        self.root = self.dir.name
        os.makedirs(os.path.join(self.root, "logs"))
        os.makedirs(os.path.join(self.root, "secrets"))
        with open(os.path.join(self.root, "secrets", "key_pepper"), "w") as f:
            f.write(PEPPER + "\n")
        self.recording = os.path.join(self.root, "exchanges.jsonl")
        issued = json.dumps({"status": 201, "message": "ok", "data": {"email": "a@example.com", "api_key": KEY}})
        self.write_recording([
            exchange("/register", 201, issued, [PASSWORD]),
            exchange("/status", 200, '{"status":200,"data":{"key_prefix":"' + KEY[:14] + '"}}', [KEY]),
        ])
        self.log("logs/worker-0.log", '{"type":"request","key_prefix":"%s","status":200}\n' % KEY[:14])
        self.log("nginx-access.log", '127.0.0.1 - "POST /register HTTP/1.1" 201\n')

    def tearDown(self):
        self.dir.cleanup()

    def write_recording(self, exchanges):
        with open(self.recording, "w") as f:
            f.write("".join(json.dumps(e) + "\n" for e in exchanges))

    def log(self, name, text):
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as f:
            f.write(text)

    def run_checker(self, *extra):
        args = [sys.executable, CHECKER, "--recording", self.recording, "--logs", self.root,
                "--pepper-file", os.path.join(self.root, "secrets", "key_pepper"), *extra]
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        output = done.stdout + done.stderr
        for secret in (KEY, OTHER_KEY, PASSWORD):
            self.assertNotIn(secret, output, "the checker never prints a secret")
        return done.returncode, output

    def test_clean_stack_passes_and_the_issuing_response_is_allowed(self):
        code, output = self.run_checker()
        self.assertEqual(code, 0, output)
        self.assertIn("1 API keys, 1 passwords, 2 key hashes; 2 log files", output)

    def test_a_key_in_a_log_fails(self):
        self.log("logs/server.out", "oops: " + KEY + "\n")
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)
        self.assertIn("server.out line 1", output)
        self.assertIn(KEY[:14], output)

    def test_a_password_in_an_access_log_fails(self):
        self.log("nginx-access.log", "POST /register?password=" + PASSWORD + "\n")
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)
        self.assertIn("<password, %d chars>" % len(PASSWORD), output)

    def test_the_key_hash_under_the_pepper_in_a_log_fails(self):
        digest = hmac.new(PEPPER.encode(), KEY.encode(), hashlib.sha256).hexdigest()
        self.log("pg/postgres.log", "DETAIL: Key (key_hash)=(%s) already exists.\n" % digest)
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)
        self.assertIn("key hash", output)

    def test_a_key_in_another_response_body_fails(self):
        self.write_recording([exchange("/audit", 200, '{"data":[{"details":{"key":"%s"}}]}' % KEY, [KEY])])
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)
        self.assertIn("POST /audit", output)

    def test_a_key_twice_in_the_issuing_response_fails(self):
        body = json.dumps({"status": 201, "message": "your key " + KEY, "data": {"api_key": KEY}})
        self.write_recording([exchange("/register", 201, body)])
        code, output = self.run_checker()
        self.assertEqual(code, 1, output)

    def test_an_administrator_key_given_by_variable_is_looked_for(self):
        self.log("logs/admin.out", "created " + OTHER_KEY + "\n")
        code, output = self.run_checker()
        self.assertEqual(code, 0, "not known to the checker yet: " + output)
        os.environ["SELFTEST_ADMIN_KEY"] = OTHER_KEY
        code, output = self.run_checker("--key-env", "SELFTEST_ADMIN_KEY")
        self.assertEqual(code, 1, output)

    def test_a_rejected_password_is_a_secret_too_but_short_fillers_are_not(self):
        self.write_recording([exchange("/renew", 401, '{"status":401}', ["wrong password guess", "x" * 2000, "short"])])
        self.log("logs/worker-1.log", "x" * 3000 + " short\n")
        self.assertEqual(self.run_checker()[0], 0)
        self.log("logs/worker-1.log", "password was wrong password guess\n")
        self.assertEqual(self.run_checker()[0], 1)

    def test_the_hostile_corpus_payloads_are_not_secrets_but_its_keys_are(self):
        payload = "' OR 1=1 -- ../../etc/passwd"
        self.write_recording([
            exchange("/register", 422, '{"status":422}', [payload], test="HostileInput.EveryStringFieldOfEveryJsonBody"),
            exchange("/files", 200, '{"data":[]}', [KEY], test="HostileInput.EveryQueryParameter"),
        ])
        self.log("nginx-access.log", "GET /files?name=" + payload + "\n")
        code, output = self.run_checker()
        self.assertEqual(code, 0, output)
        self.log("logs/worker-2.log", "key " + KEY + "\n")
        self.assertEqual(self.run_checker()[0], 1)


if __name__ == "__main__":
    unittest.main()
