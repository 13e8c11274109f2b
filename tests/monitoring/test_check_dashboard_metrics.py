#!/usr/bin/env python3
"""Self-tests of check_dashboard_metrics.py (ctest label monitoring), Python 3 standard library.

Run from anywhere: python3 -B tests/monitoring/test_check_dashboard_metrics.py [TestClass ...]
"""

import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import check_dashboard_metrics as checker  # noqa: E402

CHECKER = os.path.join(HERE, "check_dashboard_metrics.py")
DASHBOARD = os.path.join(REPO, "monitoring", "grafana-dashboard.json")
ALERTS = os.path.join(REPO, "monitoring", "alerts.yml")
SAMPLE = os.path.join(HERE, "sample_metrics.prom")
BOGUS = os.path.join(HERE, "bogus_dashboard.json")

# The names the app exports (issue #10), the contract the pack is built on.
CONTRACT = [
    "gw_http_requests_total", "gw_http_request_duration_seconds_bucket",
    "gw_http_request_duration_seconds_sum", "gw_http_request_duration_seconds_count",
    "gw_http_request_bytes_total", "gw_http_response_bytes_total", "gw_http_requests_in_flight",
    "gw_uploads_total", "gw_upload_bytes_total", "gw_jobs", "gw_job_queue_depth",
    "gw_job_queue_oldest_wait_seconds", "gw_storage_breaker_state", "gw_storage_retries_total",
    "gw_pg_connections", "gw_rate_limited_total", "gw_rate_limit_store_errors_total",
    "gw_worker_restarts_total", "gw_workers", "gw_store_disk_free_bytes", "gw_store_disk_size_bytes",
    "gw_build_info",
]


def run_checker(*args):
    result = subprocess.run([sys.executable, "-B", CHECKER, *args], capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


class ExtractionTest(unittest.TestCase):
    def test_functions_matchers_ranges_and_grouping_are_not_names(self):
        expr = ('histogram_quantile(0.99, sum by (route, le) '
                '(rate(gw_http_request_duration_seconds_bucket{route!~"/upload|x", instance=~"$instance"}[$__rate_interval])))')
        self.assertEqual(checker.metric_names(expr), ["gw_http_request_duration_seconds_bucket"])

    def test_binary_operators_keywords_and_numbers(self):
        expr = ('sum without (type) (a_total offset 5m) / on (instance) group_left (version) b_info '
                'and c > bool 1e3 unless d or e_seconds > 0x1f')
        self.assertEqual(checker.metric_names(expr), ["a_total", "b_info", "c", "d", "e_seconds"])

    def test_strings_are_not_names(self):
        expr = 'label_replace(up{job="x"}, "dst", "$1", "src", "(.*)") * count_values("version", gw_build_info)'
        self.assertEqual(checker.metric_names(expr), ["up", "gw_build_info"])

    def test_grafana_variables_are_not_names(self):
        self.assertEqual(checker.metric_names("rate(x_total[${__interval}]) * $scale + [[factor]]"), ["x_total"])

    def test_templating_label_values(self):
        self.assertEqual(checker.templating_expr("label_values(gw_build_info{job=\"a\"}, instance)"),
                         'gw_build_info{job="a"}')
        self.assertEqual(checker.templating_expr("label_values(instance)"), "")
        self.assertEqual(checker.templating_expr("query_result(topk(3, gw_jobs))"), "topk(3, gw_jobs)")

    def test_rule_file_inline_quoted_and_block_exprs(self):
        text = ("groups:\n  - name: g\n    rules:\n"
                "      - record: job:a:rate5m\n        expr: sum(rate(a_total[5m]))\n"
                "      - alert: B\n        expr: 'b_bytes > 1'\n"
                "      - alert: C\n        expr: |\n          c_seconds\n            > 2\n        for: 1m\n")
        queries, recorded = checker.rule_queries(text, "r.yml")
        self.assertEqual([(w, e) for w, e in queries],
                         [("rule job:a:rate5m (r.yml)", "sum(rate(a_total[5m]))"),
                          ("rule B (r.yml)", "b_bytes > 1"),
                          ("rule C (r.yml)", "c_seconds > 2")])
        self.assertEqual(recorded, ["job:a:rate5m"])

    def test_histogram_families_know_their_series_not_the_bare_name(self):
        known = checker.known_names("# TYPE h histogram\n# TYPE s summary\n# TYPE c counter\nc 1\n")
        self.assertTrue({"h_bucket", "h_sum", "h_count", "s", "s_sum", "s_count", "c", "c_total"} <= known)
        self.assertNotIn("h", known)


class SampleTest(unittest.TestCase):
    """The committed dashboard and alert rules against the committed sample exposition."""

    def test_sample_has_every_name_of_the_contract(self):
        with open(SAMPLE, encoding="utf-8") as f:
            known = checker.known_names(f.read())
        self.assertEqual([n for n in CONTRACT if n not in known], [])

    def test_dashboard_uses_every_name_of_the_contract(self):
        with open(DASHBOARD, encoding="utf-8") as f:
            used = set()
            for _, expr in checker.dashboard_queries(json.load(f)):
                used.update(checker.metric_names(expr))
        unused = [n for n in CONTRACT if n not in used and not n.endswith(("_sum", "_count"))]
        self.assertEqual(unused, [], "metrics of the contract that no panel shows")

    def test_dashboard_and_alerts_pass_against_the_sample(self):
        rc, out = run_checker(DASHBOARD, SAMPLE, "--rules", ALERTS)
        self.assertEqual(rc, 0, out)
        self.assertIn("0 missing", out)

    def test_dashboard_is_importable_shape(self):
        with open(DASHBOARD, encoding="utf-8") as f:
            d = json.load(f)
        self.assertEqual(d["__inputs"][0]["name"], "DS_PROMETHEUS")
        self.assertGreaterEqual(d["schemaVersion"], 36)
        ids = [p["id"] for p in d["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "panel ids must be unique")
        for p in d["panels"]:
            for t in p.get("targets", []):
                self.assertEqual(t["datasource"]["uid"], "${DS_PROMETHEUS}", p["title"])


class SourceTest(unittest.TestCase):
    """The source as stdin, over HTTP, and over HTTPS verified with a CA file."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="gw-monitoring-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def serve(self, context=None):
        with open(SAMPLE, "rb") as f:
            body = f.read()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                code = 200 if self.path == "/metrics" else 404
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                if code == 200:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if context:
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return server.server_address[1]

    def test_stdin(self):
        with open(SAMPLE, encoding="utf-8") as f:
            result = subprocess.run([sys.executable, "-B", CHECKER, DASHBOARD, "-"], stdin=f,
                                    capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_http_url(self):
        port = self.serve()
        rc, out = run_checker(DASHBOARD, f"http://127.0.0.1:{port}/metrics")
        self.assertEqual(rc, 0, out)

    def test_http_404_is_an_input_error(self):
        port = self.serve()
        rc, out = run_checker(DASHBOARD, f"http://127.0.0.1:{port}/nothing")
        self.assertEqual(rc, 2, out)
        self.assertIn("HTTP 404", out)

    def test_https_url_is_verified_with_the_ca_file(self):
        openssl = shutil.which("openssl")
        if not openssl:
            self.skipTest("openssl not installed")
        cert, key = os.path.join(self.tmp, "cert.pem"), os.path.join(self.tmp, "key.pem")
        subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        port = self.serve(context)
        url = f"https://127.0.0.1:{port}/metrics"
        rc, out = run_checker(DASHBOARD, url, "--ca-file", cert)
        self.assertEqual(rc, 0, out)
        rc, out = run_checker(DASHBOARD, url)  # the system CAs do not know the self-signed certificate
        self.assertEqual(rc, 2, out)


class RejectsUnknownTest(unittest.TestCase):
    """Negative self-tests: a name the source lacks must fail the check, and be named."""

    def test_bogus_dashboard_fails_naming_only_the_unknown_metrics(self):
        rc, out = run_checker(BOGUS, SAMPLE)
        self.assertEqual(rc, 1, out)
        self.assertIn("MISSING gw_bogus_metric_total", out)
        self.assertIn('panel "Bogus"', out)
        self.assertIn("MISSING gw_http_request_duration_seconds:", out)  # a histogram's bare name has no series
        self.assertNotIn("MISSING gw_http_requests_total", out)
        self.assertNotIn("MISSING node_", out)  # another exporter's: not checked

    def test_bogus_rule_fails(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write("groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: gw_no_such_gauge > 1\n")
        self.addCleanup(os.unlink, f.name)
        rc, out = run_checker(DASHBOARD, SAMPLE, "--rules", f.name)
        self.assertEqual(rc, 1, out)
        self.assertIn("MISSING gw_no_such_gauge: not in", out)
        self.assertIn("rule X", out)

    def test_source_without_gw_metrics_is_an_input_error(self):
        with tempfile.NamedTemporaryFile("w", suffix=".prom", delete=False) as f:
            f.write("# TYPE up gauge\nup 1\n")
        self.addCleanup(os.unlink, f.name)
        rc, out = run_checker(DASHBOARD, f.name)
        self.assertEqual(rc, 2, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
