#!/usr/bin/env python3
"""check_links.py on small sites written here (label docs): what it accepts and what it refuses."""

import io
import os
import shutil
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_links  # noqa: E402

PAGE = '<!DOCTYPE html><html><body><h1 id="{id}">t</h1><a name="old"></a>{body}</body></html>'


class CheckLinksTest(unittest.TestCase):
    def site(self, files):
        root = tempfile.mkdtemp(prefix="check-links-")
        self.addCleanup(shutil.rmtree, root)
        for path, content in files.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(content)
        return root

    def run_checker(self, root, *args):
        argv, out = sys.argv, io.StringIO()
        sys.argv = ["check_links.py", root, *args]
        try:
            with redirect_stdout(out):
                rc = check_links.main()
        finally:
            sys.argv = argv
        return rc, out.getvalue()

    def test_accepts_files_anchors_directories_and_the_base_path(self):
        root = self.site({
            "index.html": PAGE.format(id="top-h", body=(
                '<a href="guides/a.html#sec">a</a><a href="reference/">ui</a><a href="#top-h">self</a>'
                '<a href="/docs/guides/a.html#old">abs</a><a href="openapi.yaml#/paths">spec</a>'
                '<link rel="stylesheet" href="site.css"><link rel="icon" href="data:,">'
                '<a href="#top">top</a><a href="mailto:ops@example.com">mail</a>')),
            "guides/a.html": PAGE.format(id="sec", body='<a href="../index.html">back</a>'),
            "reference/index.html": PAGE.format(id="x", body='<script src="bundle.js"></script>'),
            "reference/bundle.js": "",
            "site.css": "",
            "openapi.yaml": "openapi: 3.1.0\n",
        })
        rc, out = self.run_checker(root, "--require", "index.html")
        self.assertEqual(rc, 0, out)
        self.assertIn("3 pages", out)
        self.assertIn("0 broken", out)

    def test_lists_external_links_and_server_paths_without_checking_them(self):
        root = self.site({"index.html": PAGE.format(id="i", body=(
            '<a href="https://example.com/x">e</a><a href="//cdn.example.com/y">p</a><a href="/health">h</a>'))})
        rc, out = self.run_checker(root)
        self.assertEqual(rc, 0, out)
        self.assertIn("external (not fetched): https://example.com/x", out)
        self.assertIn("external (not fetched): //cdn.example.com/y", out)
        self.assertIn("server path (not checked): /health", out)

    def test_refuses_missing_files_anchors_and_escapes(self):
        root = self.site({
            "index.html": PAGE.format(id="i", body=(
                '<a href="missing.html">m</a><a href="b.html#nope">n</a><a href="#gone">g</a>'
                '<a href="../outside.html">o</a><a href="empty/">d</a><a href="javascript:alert(1)">j</a>'
                '<img src="/docs/img/none.png">')),
            "b.html": PAGE.format(id="yes", body=""),
            "empty/file.txt": "",
        })
        rc, out = self.run_checker(root)
        self.assertEqual(rc, 1, out)
        for expected in ('missing.html: no such file in the site', 'no id "nope" in b.html',
                         '#gone: no id "gone" in index.html', '../outside.html: leaves the site',
                         'empty/: no such file in the site', 'javascript: links are not allowed',
                         '/docs/img/none.png: no such file in the site', '7 broken'):
            self.assertIn(expected, out)

    def test_requires_pages_and_one_page_per_guide(self):
        root = self.site({"index.html": PAGE.format(id="i", body="")})
        guides = self.site({"getting-started.md": "# x\n", "notes.txt": ""})
        rc, out = self.run_checker(root, "--require", "api.html", "--guides-dir", guides)
        self.assertEqual(rc, 1, out)
        self.assertIn("missing page: api.html", out)
        self.assertIn("missing page: guides/getting-started.html", out)
        self.assertNotIn("notes", out)

    def test_refuses_an_empty_site(self):
        rc, out = self.run_checker(self.site({"a.txt": ""}))
        self.assertEqual(rc, 1, out)
        self.assertIn("no .html files", out)


if __name__ == "__main__":
    unittest.main()
