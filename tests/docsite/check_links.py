#!/usr/bin/env python3
"""Every link of the docs site resolves (label docs).

    check_links.py SITE_DIR [--base-path /docs/] [--require PAGE ...] [--guides-dir DIR]

Reads every .html file under SITE_DIR (what gw.d/docs.sh builds) and checks each link and
resource of it (a href, link href, img/script/iframe/source src):
  * a relative link, or an absolute one under --base-path (where nginx serves the site), must name
    a file inside SITE_DIR (a directory: its index.html, as nginx serves it);
  * its #fragment must be an id (or an <a name>) of the target page; "#top" and an empty fragment
    are always fine;
  * http(s) and protocol-relative links are external: listed, not fetched (the tests run offline);
    other absolute paths are the API's (/health): listed, not checked; javascript: URLs are errors.
--require names site pages that must exist; --guides-dir: each DIR/*.md must have become
guides/<name>.html. Exits 1 on any broken link or missing page, printing each.
"""

import argparse
import html.parser
import os
import sys
import urllib.parse

LINK_ATTRS = {"a": "href", "link": "href", "area": "href", "img": "src", "script": "src",
              "iframe": "src", "source": "src", "audio": "src", "video": "src"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []  # (line, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        wanted = LINK_ATTRS.get(tag)
        if wanted and attrs.get(wanted) is not None:
            # <link rel="icon" href="data:,"> and friends are fine; rel=preconnect etc. do not occur
            self.links.append((self.getpos()[0], attrs[wanted]))

    handle_startendtag = handle_starttag


def parse(path):
    page = Page()
    with open(path, encoding="utf-8") as f:
        page.feed(f.read())
    page.close()
    return page


class Checker:
    def __init__(self, site, base_path):
        self.site = os.path.realpath(site)
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        self.pages = {}
        self.errors = []
        self.external = set()
        self.server_paths = set()
        self.checked = 0

    def page(self, path):
        if path not in self.pages:
            self.pages[path] = parse(path)
        return self.pages[path]

    def target_file(self, source, path):
        """The file a link's path names, or None with an error recorded by the caller."""
        if path.startswith("/"):
            rel = path[len(self.base_path):]
            candidate = os.path.join(self.site, rel)
        else:
            candidate = os.path.join(os.path.dirname(source), path)
        candidate = os.path.realpath(candidate)
        if candidate != self.site and not candidate.startswith(self.site + os.sep):
            return None, "leaves the site"
        if os.path.isdir(candidate):
            candidate = os.path.join(candidate, "index.html")
        if not os.path.isfile(candidate):
            return None, "no such file in the site"
        return candidate, None

    def check_page(self, source):
        rel_source = os.path.relpath(source, self.site)
        for line, url in self.page(source).links:
            where = f"{rel_source}:{line}: {url}"
            parts = urllib.parse.urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme in ("http", "https") or url.startswith("//"):
                self.external.add(url)
                continue
            if scheme in ("data", "mailto"):
                continue
            if scheme:
                self.errors.append(f"{where}: {scheme}: links are not allowed")
                continue
            self.checked += 1
            path = urllib.parse.unquote(parts.path)
            fragment = urllib.parse.unquote(parts.fragment)
            if path.startswith("/") and not (path + "/").startswith(self.base_path):
                self.server_paths.add(url)
                continue
            if path == "":
                target = source
            else:
                target, why = self.target_file(source, path)
                if target is None:
                    self.errors.append(f"{where}: {why}")
                    continue
            if fragment in ("", "top") or not target.endswith(".html"):
                continue
            if fragment not in self.page(target).ids:
                self.errors.append(f"{where}: no id \"{fragment}\" in {os.path.relpath(target, self.site)}")

    def run(self):
        sources = []
        for directory, _, files in os.walk(self.site):
            sources += [os.path.join(directory, f) for f in files if f.endswith(".html")]
        for source in sorted(sources):
            self.check_page(source)
        return len(sources)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site")
    ap.add_argument("--base-path", default="/docs/", help="where nginx serves the site (default /docs/)")
    ap.add_argument("--require", action="append", default=[], help="a page that must exist (site-relative)")
    ap.add_argument("--guides-dir", help="each *.md here must have become guides/<name>.html")
    args = ap.parse_args()
    if not os.path.isdir(args.site):
        print(f"check_links: {args.site} is not a directory (is the docs site built?)", file=sys.stderr)
        return 1
    checker = Checker(args.site, args.base_path)
    required = list(args.require)
    if args.guides_dir:
        if os.path.isdir(args.guides_dir):  # no guides yet: nothing to require
            required += [f"guides/{f[:-3]}.html" for f in sorted(os.listdir(args.guides_dir)) if f.endswith(".md")]
    for page in required:
        if not os.path.isfile(os.path.join(args.site, page)):
            checker.errors.append(f"missing page: {page}")
    count = checker.run()
    if count == 0:
        checker.errors.append("no .html files in the site")
    for url in sorted(checker.external):
        print(f"external (not fetched): {url}")
    for url in sorted(checker.server_paths):
        print(f"server path (not checked): {url}")
    print(f"check_links: {count} pages, {checker.checked} site links checked, "
          f"{len(checker.external)} external, {len(checker.server_paths)} server paths, "
          f"{len(checker.errors)} broken")
    for error in checker.errors:
        print(f"BROKEN {error}")
    return 1 if checker.errors else 0


if __name__ == "__main__":
    sys.exit(main())
