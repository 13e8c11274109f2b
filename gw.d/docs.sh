# gw.d/docs.sh: the docs site nginx serves at /docs/: the Markdown docs rendered to HTML by pandoc,
# Swagger UI on docs/openapi.yaml, and the files under docs/ (examples, openapi.yaml) as they are.
# shellcheck shell=bash
#
# Sources (paths relative to the repository):
#   docs/**/*.md (but docs/site/), README.md, CHANGELOG.md, monitoring/README.md
#   docs/site/: the pandoc template, Lua filter (site.lua: links .md -> .html, titles, tables),
#     stylesheet, the landing page (index.md) and the Swagger UI page (reference/); package.json
#     pins swagger-ui-dist, whose files are copied from node_modules (never a CDN)
# Output: DOCS_SITE_DIR ($BUILD_DIR/docs-site: build/docs-site for `up`, build-test/docs-site for
# `test`), never committed. nginx's /docs/ location aliases it (nginx/nginx.conf.in).

# the guides in the order the navigation lists them; guides not named here follow, by name
DOCS_GUIDE_ORDER=(getting-started dashboard authentication uploads retrieval pinning errors rate-limits
  operations developer-guide)
# the files of swagger-ui-dist the Swagger UI page uses (its licences go along)
DOCS_SWAGGER_FILES=(swagger-ui-bundle.js swagger-ui.css favicon-16x16.png favicon-32x32.png
  LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt)

# ensure_node: Debian's node and npm, installed when missing
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ensure_packages nodejs npm
  fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    die "node/npm still missing after installing nodejs npm"
  fi
}

# npm_ci <dir> [npm args]: `npm ci` in <dir> when its node_modules is missing or older than its
# package-lock.json (the exact versions the lockfile pins)
npm_ci() {
  local dir=$1; shift
  if [[ ! -d $dir/node_modules || $dir/package-lock.json -nt $dir/node_modules ]]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund "$@" </dev/null) || die "npm ci failed in $dir"
    touch "$dir/node_modules"
  fi
}

# docs_title <file> <fallback>: the text of the file's first level-1 heading
docs_title() {
  local title
  title=$(sed -n -e 's/^# \{1,\}//' -e 's/ *#* *$//p' "$1" | head -n 1)
  printf '%s' "${title:-$2}"
}

# docs_sources <src root>: the Markdown files of the site, relative to <src root>, into
# DOCS_SOURCES, and the HTML page each becomes into DOCS_PAGES (same index)
docs_sources() {
  local root=$1 f
  DOCS_SOURCES=() DOCS_PAGES=()
  while IFS= read -r -d '' f; do
    DOCS_SOURCES+=("$f") DOCS_PAGES+=("${f#docs/}")
  done < <(cd "$root" && find docs -path docs/site -prune -o -name node_modules -prune -o \
             -name '.*' -prune -o -type f -name '*.md' -print0 | sort -z)
  for f in README.md:readme CHANGELOG.md:changelog monitoring/README.md:monitoring; do
    [[ -f $root/${f%%:*} ]] || continue
    DOCS_SOURCES+=("${f%%:*}") DOCS_PAGES+=("${f##*:}.md")
  done
  local i
  for i in "${!DOCS_PAGES[@]}"; do DOCS_PAGES[i]=${DOCS_PAGES[i]%.md}.html; done
}

# docs_guides <src root>: the guides (docs/guides/*.md names without .md) in navigation order
docs_guides() {
  local root=$1 name
  local -a all=()
  DOCS_GUIDES=()
  [[ -d $root/docs/guides ]] || return 0
  mapfile -t all < <(find "$root/docs/guides" -maxdepth 1 -type f -name '*.md' ! -name '.*' -printf '%f\n' | sed 's/\.md$//' | sort)
  for name in "${DOCS_GUIDE_ORDER[@]}"; do
    [[ " ${all[*]} " == *" $name "* ]] && DOCS_GUIDES+=("$name")
  done
  for name in "${all[@]}"; do
    [[ " ${DOCS_GUIDE_ORDER[*]} " == *" $name "* ]] || DOCS_GUIDES+=("$name")
  done
}

# docs_metadata <src root> <file>: the pandoc metadata every page shares (JSON): the navigation
# and the map from Markdown file to HTML page that site.lua rewrites links with
docs_metadata() {
  local root=$1 out=$2 i name src page
  local -a lines=()   # group <TAB> href <TAB> title
  lines+=($'Start\tindex.html\tOverview')
  lines+=($'API reference\treference/\tInteractive reference (Swagger UI)')
  [[ -f $root/docs/api.md ]] && lines+=($'API reference\tapi.html\tAPI reference')
  lines+=($'API reference\topenapi.yaml\topenapi.yaml')
  for name in "${DOCS_GUIDES[@]}"; do
    lines+=("Guides"$'\t'"guides/$name.html"$'\t'"$(docs_title "$root/docs/guides/$name.md" "$name")")
  done
  [[ -f $root/docs/architecture.md ]] && lines+=($'Background\tarchitecture.html\tArchitecture')
  [[ -f $root/docs/filebase.md ]] && lines+=($'Background\tfilebase.html\tFilebase storage')
  [[ -f $root/docs/security.md ]] && lines+=($'Background\tsecurity.html\tSecurity (OWASP API Top 10)')
  [[ -f $root/monitoring/README.md ]] && lines+=($'Background\tmonitoring.html\tMonitoring')
  [[ -f $root/README.md ]] && lines+=($'Background\treadme.html\tREADME')
  [[ -f $root/CHANGELOG.md ]] && lines+=($'Background\tchangelog.html\tChangelog')
  # any other page (say docs/examples/README.md) is listed last
  for i in "${!DOCS_SOURCES[@]}"; do
    src=${DOCS_SOURCES[i]} page=${DOCS_PAGES[i]}
    case $src in docs/api.md|docs/architecture.md|docs/filebase.md|docs/security.md|docs/guides/*|README.md|CHANGELOG.md|monitoring/README.md) continue ;; esac
    lines+=("More"$'\t'"$page"$'\t'"$(docs_title "$root/$src" "$page")")
  done
  {
    printf '%s\n' "${lines[@]}"
    printf '\n'   # the page map follows the navigation
    for i in "${!DOCS_SOURCES[@]}"; do printf '%s\t%s\n' "${DOCS_SOURCES[i]}" "${DOCS_PAGES[i]}"; done
    printf 'docs/index.md\tindex.html\n'
    printf 'docs/reference/\treference/\n'   # Swagger UI, which the site adds
  } | jq -R -s '
      split("\n\n") as [$nav, $pages]
      | { nav: ($nav | split("\n") | map(select(. != "") | split("\t"))
                | reduce .[] as [$group, $href, $title] ([];
                    if length > 0 and .[-1].heading == $group
                    then .[-1].items += [{href: $href, title: $title}]
                    else . + [{heading: $group, items: [{href: $href, title: $title}]}] end)),
          pages: ($pages | split("\n") | map(select(. != "") | split("\t") | {key: .[0], value: .[1]})
                  | from_entries) }' >"$out" || die "cannot write the docs site's metadata ($out)"
}

# docs_landing <src root> <file>: docs/site/index.md with the list of guides in place of {{guides}}
docs_landing() {
  local root=$1 out=$2 name list=""
  for name in "${DOCS_GUIDES[@]}"; do
    list+="- [$(docs_title "$root/docs/guides/$name.md" "$name")](guides/$name.md)"$'\n'
  done
  [[ -n $list ]] || list="No guides yet."$'\n'
  awk -v list="$list" '$0 == "{{guides}}" { printf "%s", list; next } { print }' \
    "$REPO/docs/site/index.md" >"$out" || die "cannot write $out"
}

# docs_stamp <src root>: a hash of everything the site is made of
docs_stamp() {
  local root=$1
  {
    (cd "$root" && find docs README.md CHANGELOG.md monitoring/README.md -name node_modules -prune \
       -o -path docs/site -prune -o -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum)
    (cd "$REPO" && find docs/site -name node_modules -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
    sha256sum "$REPO/gw.d/docs.sh"
    printf '%s\n' "$root"
  } | sha256sum | cut -d' ' -f1
}

# build_docs_site [<src root> [<out dir>]]: the site, from the Markdown under <src root> (default:
# the repository) into <out dir> (default: DOCS_SITE_DIR). A no-op when nothing changed since the
# last build (<out dir>.stamp); otherwise built beside it and swapped in whole.
build_docs_site() {
  local root=${1:-$REPO} out=${2:-$DOCS_SITE_DIR}
  local site=$REPO/docs/site new=$out.new stamp i f log
  ensure_node
  npm_ci "$site" --ignore-scripts   # swagger-ui-dist's dependency @scarf/scarf would phone home
  stamp=$(docs_stamp "$root")
  if [[ -d $out && -f $out.stamp && $(cat "$out.stamp") == "$stamp" ]]; then
    say "docs site up to date ($out)"
    return 0
  fi
  say "building the docs site ($out)"
  rm -rf "$new"; mkdir -p "$new/reference"
  log=$new/.pandoc.log
  docs_sources "$root"
  docs_guides "$root"
  docs_metadata "$root" "$new/.meta.json"
  docs_landing "$root" "$new/.index.md"
  # every file under docs/ that is not Markdown (openapi.yaml, examples/) as it is
  (cd "$root" && find docs -path docs/site -prune -o -name node_modules -prune -o -name '.*' -prune \
     -o -type f ! -name '*.md' -printf '%P\0') |
    while IFS= read -r -d '' f; do
      mkdir -p "$new/$(dirname "$f")" && cp -p "$root/docs/$f" "$new/$f" || exit 1
    done || die "cannot copy the files under $root/docs into $new"
  local -a pandoc_args=(-f gfm -t html5 -s --wrap=none --template "$site/template.html" --lua-filter "$site/site.lua"
    --metadata-file "$new/.meta.json")
  # the pages: cwd is <src root>, where site.lua checks which link targets exist
  (
    cd "$root" || exit 1
    # (links in docs/site/index.md are written as from docs/index.md, where its page lands)
    pandoc "${pandoc_args[@]}" -M source=docs/index.md -M display-source=docs/site/index.md -M output=index.html \
      -o "$new/index.html" "$new/.index.md" 2>>"$log" || exit 1
    for i in "${!DOCS_SOURCES[@]}"; do
      mkdir -p "$new/$(dirname "${DOCS_PAGES[i]}")"
      pandoc "${pandoc_args[@]}" -M "source=${DOCS_SOURCES[i]}" -M "output=${DOCS_PAGES[i]}" \
        -o "$new/${DOCS_PAGES[i]}" "${DOCS_SOURCES[i]}" 2>>"$log" || exit 1
    done
  ) || { show_tail "$log"; die "pandoc failed (see above)"; }
  if [[ -s $log ]]; then warn "pandoc said:"; cat "$log" >&2; fi
  # pandoc's highlighting colours as a file (its default template would inline them)
  printf '%s\n' '~~~c' 'int x;' '~~~' | pandoc -f gfm -t html5 -s --template "$site/highlight.tpl" \
    -M pagetitle=x -o "$new/highlight.css" || die "pandoc could not write highlight.css"
  cp "$site/site.css" "$new/site.css"
  cp "$site/reference/index.html" "$site/reference/swagger-init.js" "$site/reference/reference.css" "$new/reference/"
  for f in "${DOCS_SWAGGER_FILES[@]}"; do
    cp "$site/node_modules/swagger-ui-dist/$f" "$new/reference/" || die "swagger-ui-dist has no $f"
  done
  rm -f "$new/.meta.json" "$new/.index.md" "$log"
  rm -rf "$out.old"
  [[ -d $out ]] && mv "$out" "$out.old"
  mv "$new" "$out"
  rm -rf "$out.old"
  echo "$stamp" >"$out.stamp"   # beside the site, not in it: nginx serves all that is in it
}
