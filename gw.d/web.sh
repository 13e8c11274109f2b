# gw.d/web.sh: the web dashboard nginx serves at /app/: the Next.js app in web/, exported to static
# files (no Node.js at run time), and the Content-Security-Policy of each of its pages.
# shellcheck shell=bash
#
# Sources: web/ (app/, components/, lib/, the configs, package-lock.json), without node_modules/,
#   .next/ and out/ (what the build writes there).
# Output: WEB_APP_DIR ($BUILD_DIR/web-app: build/web-app for `up`, build-test/web-app for `test`),
#   never committed, and beside it WEB_APP_DIR.csp.conf: the nginx `map $uri $gw_app_csp`
#   web/scripts/csp-hashes.mjs writes (the sha256 of every inline script, per page), which
#   render_nginx copies into the rendered config as snippets/web-app-csp.conf.

# web_stamp: a hash of everything the export is made of
web_stamp() {
  {
    (cd "$REPO" && find web -name node_modules -prune -o -path web/.next -prune -o -path web/out -prune \
       -o -name 'out.csp.conf' -prune -o -name '.build.lock' -prune -o -name '*.tsbuildinfo' -prune \
       -o -type f -print0 | sort -z | xargs -0 sha256sum)
    sha256sum "$REPO/gw.d/web.sh"
    node --version
  } | sha256sum | cut -d' ' -f1
}

# build_web_app [<out dir>]: `next build` in web/ (its static export lands in web/out) and the CSP
# map of its pages, copied to <out dir> (default WEB_APP_DIR) and <out dir>.csp.conf. A no-op when
# nothing changed since the last build (<out dir>.stamp). web/ is shared by `up` and `test` of one
# checkout: a lock keeps two builds from writing web/.next at once.
build_web_app() {
  local out=${1:-$WEB_APP_DIR} web=$REPO/web stamp log
  ensure_node
  npm_ci "$web"
  stamp=$(web_stamp)
  if [[ -d $out && -f $out.stamp && -f $out.csp.conf && $(cat "$out.stamp") == "$stamp" ]]; then
    say "web dashboard up to date ($out)"
    return 0
  fi
  say "building the web dashboard ($out)"
  mkdir -p "$(dirname "$out")"
  log=$out.build.log
  (
    flock -w 900 9 || { echo "gw: timed out waiting for another build of $web" >&2; exit 1; }
    cd "$web" || exit 1
    rm -rf out out.csp.conf
    # no telemetry, no network: the build uses only node_modules
    NEXT_TELEMETRY_DISABLED=1 npx --no-install next build </dev/null || exit 1
    node scripts/csp-hashes.mjs out out.csp.conf </dev/null || exit 1
    rm -rf "$out.new"
    cp -R out "$out.new" && cp out.csp.conf "$out.new.csp.conf"
  ) 9>"$web/.build.lock" >"$log" 2>&1 || { show_tail "$log" 60; die "building the web dashboard failed (see above)"; }
  rm -rf "$out.old"
  [[ -d $out ]] && mv "$out" "$out.old"
  mv "$out.new" "$out"
  mv "$out.new.csp.conf" "$out.csp.conf"
  rm -rf "$out.old"
  echo "$stamp" >"$out.stamp"   # beside the export, not in it: nginx serves all that is in it
}

# format_web: prettier --write on web/ (the style check_web, gw.d/test.sh, checks)
format_web() {
  ensure_node
  npm_ci "$REPO/web"
  say "formatting web/ (prettier --write)"
  (cd "$REPO/web" && npm run --silent format </dev/null) || die "prettier failed in web/"
}
