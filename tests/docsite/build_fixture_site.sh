#!/usr/bin/env bash
# The docs site build itself (label docs), on the repository's docs plus the placeholder guides
# and example of tests/fixtures/docsite/ in a temp copy: whatever guides docs/guides/ has, the
# links real guides write (to another guide's section, the API reference, the README, an example,
# a source file) come out right, check_links.py passes the site, and it refuses the broken guide.
# Needs pandoc, jq, node/npm (docs/site's swagger-ui-dist); no stack.
# shellcheck source-path=SCRIPTDIR/../..
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=gw.d/common.sh
source "$REPO/gw.d/common.sh"
# shellcheck source=gw.d/docs.sh
source "$REPO/gw.d/docs.sh"

tmp=$(mktemp -d /tmp/ipfsgw-docsite.XXXXXX)
trap '[[ ${KEEP:-0} == 1 ]] || rm -rf "$tmp"' EXIT
fails=0
ok() { printf 'ok - %s\n' "$1"; }
not_ok() { printf 'not ok - %s\n' "$1"; fails=$((fails + 1)); }
# expect <file> <fixed string> <what>
expect() { if grep -qF -- "$2" "$1"; then ok "$3"; else not_ok "$3 (no '$2' in ${1#"$tmp"/})"; fi; }

src=$tmp/src site=$tmp/site fixtures=$REPO/tests/fixtures/docsite
mkdir -p "$src/monitoring" "$src/nginx"
(cd "$REPO" && tar -cf - --exclude=node_modules --exclude=docs/site docs) | tar -xf - -C "$src"
cp "$REPO/README.md" "$REPO/CHANGELOG.md" "$src/"
cp "$REPO/monitoring/README.md" "$src/monitoring/"
cp "$REPO/nginx/nginx.conf.in" "$src/nginx/"
mkdir -p "$src/docs/guides" "$src/docs/examples"
cp "$fixtures"/guides/*.md "$src/docs/guides/"
cp "$fixtures"/examples/* "$src/docs/examples/"

build_docs_site "$src" "$site" >"$tmp/build.out" 2>&1 || { cat "$tmp/build.out"; not_ok "the site builds"; exit 1; }
ok "the site builds"
if grep -q 'docs site:' "$tmp/build.out"; then cat "$tmp/build.out"; not_ok "no link warnings"; else ok "no link warnings"; fi

first=$site/guides/fixture-first.html
expect "$first" 'href="fixture-second.html#a-section-with-code"' "a link to another guide's section"
expect "$first" 'href="../api.html#rate-limits"' "a link to a section of the API reference"
expect "$first" 'href="../readme.html#configuration"' "a link to the README's configuration table"
expect "$first" 'href="../changelog.html"' "a link to the changelog"
expect "$first" 'href="../monitoring.html"' "a link to monitoring/README.md"
expect "$first" 'href="../openapi.yaml"' "a link to openapi.yaml"
expect "$first" 'href="../examples/fixture-hello.sh"' "a link to an example"
expect "$first" 'the nginx template (<code>nginx/nginx.conf.in</code>)' "a link to a source file becomes its path"
expect "$first" 'href="https://example.com/"' "an external link stays"
expect "$first" 'class="align-right"' "table alignment as a class"
expect "$first" '<title>Fixture guide: links – ipfs-gateway docs</title>' "the title is the first heading"
expect "$first" '<a href="../guides/fixture-first.html" aria-current="page">Fixture guide: links</a>' "the nav marks the page"
expect "$first" 'href="../reference/"' "the nav links Swagger UI"
expect "$site/index.html" '<a href="guides/fixture-first.html">Fixture guide: links</a>' "the landing page lists the guides"
expect "$site/examples/fixture-hello.sh" 'placeholder example' "examples are copied"
if grep -l 'style=' "$site"/*.html "$site"/guides/*.html; then not_ok "no style attributes (the CSP refuses them)"
else ok "no style attributes (the CSP refuses them)"; fi
if grep -l '<script' "$site"/*.html "$site"/guides/*.html; then not_ok "no scripts on the rendered pages"
else ok "no scripts on the rendered pages"; fi

if python3 -B "$REPO/tests/docsite/check_links.py" "$site" --guides-dir "$src/docs/guides" \
     --require index.html --require reference/index.html >"$tmp/check.out" 2>&1; then
  ok "check_links.py passes the site"
else
  cat "$tmp/check.out"; not_ok "check_links.py passes the site"
fi

build_docs_site "$src" "$site" >"$tmp/build.out" 2>&1
expect "$tmp/build.out" "docs site up to date" "an unchanged site is not rebuilt"

# the broken guide: the build warns, and the link check names each broken link
cp "$fixtures/broken/fixture-broken.md" "$src/docs/guides/"
build_docs_site "$src" "$site" >"$tmp/build.out" 2>&1 || { cat "$tmp/build.out"; not_ok "the broken site builds"; }
expect "$tmp/build.out" "link to a file that does not exist: no-such-guide.md" "the build warns about a missing page"
if python3 -B "$REPO/tests/docsite/check_links.py" "$site" >"$tmp/check.out" 2>&1; then
  cat "$tmp/check.out"; not_ok "check_links.py refuses the broken guide"
else
  ok "check_links.py refuses the broken guide"
fi
expect "$tmp/check.out" ": no-such-guide.html: no such file in the site" "... naming the missing page"
expect "$tmp/check.out" 'no id "no-such-section" in guides/fixture-second.html' "... the missing anchor"
expect "$tmp/check.out" 'no id "nowhere" in guides/fixture-broken.html' "... and the missing anchor on the page itself"

(( fails == 0 )) || { echo "$fails check(s) failed"; exit 1; }
echo "all checks passed"
