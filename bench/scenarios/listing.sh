# bench/scenarios/listing.sh: GET /files?limit=20 for a user holding GW_BENCH_LISTING_FILES files
# (1,000,000; --quick 20,000), seeded straight into the database by bench/seed_files.sh
# (GW_BENCH_SEED: another script with the same arguments). The first page and the last page,
# one connection (wrk -c1, keep-alive): p50 and p99. Targets: first page p50 <= 20 ms; last page
# <= 2x the first. The first page's ceiling is nginx's `return 200` on one connection.
# shellcheck shell=bash

scenario_listing() {
  local email n=$BENCH_LISTING_FILES last run seeder=${GW_BENCH_SEED:-bench/seed_files.sh} hdr _
  local p50 p99 bad err started
  email=bench-list-$(date +%s)-$RANDOM@example.com
  bench_register "$email"
  hdr=$BENCH_TMP/$email.hdr
  started=$SECONDS
  "$seeder" "$BENCH_DB_DSN" "$email" "$n" || bench_die "seeding $n files with $seeder failed"
  bench_log "seeded $n files for $email in $(( SECONDS - started )) s"
  local total
  total=$(bench_curl -D - -o /dev/null -H @"$hdr" "$BENCH_BASE/files?page=1&limit=20" | tr -d '\r' | sed -n 's/^[Xx]-[Tt]otal-[Cc]ount: //p')
  [[ $total == "$n" ]] || bench_log "NOTE: X-Total-Count says ${total:-nothing}, seeded $n"
  last=$(( (n + 19) / 20 ))
  local -a f50=() f99=() l50=() l99=() c50=()
  local errs=0
  for run in $(seq "$BENCH_RUNS"); do
    read -r _ p50 _ _ _ _ <<<"$(GW_BENCH_METHOD=GET bench_wrk 1 "$BENCH_SECONDS" "$BENCH_BASE/_bench/return200" -s bench/lua/request.lua)"
    c50+=("$p50")
    read -r _ p50 p99 bad err _ <<<"$(GW_BENCH_KEY=$(sed 's/^X-API-Key: //' "$hdr") GW_BENCH_METHOD=GET bench_wrk 1 "$BENCH_SECONDS" "$BENCH_BASE/files?page=1&limit=20" -s bench/lua/request.lua)"
    f50+=("$p50") f99+=("$p99"); errs=$(( errs + bad + err ))
    read -r _ p50 p99 bad err _ <<<"$(GW_BENCH_KEY=$(sed 's/^X-API-Key: //' "$hdr") GW_BENCH_METHOD=GET bench_wrk 1 "$BENCH_SECONDS" "$BENCH_BASE/files?page=$last&limit=20" -s bench/lua/request.lua)"
    l50+=("$p50") l99+=("$p99"); errs=$(( errs + bad + err ))
    bench_log "listing run $run: p50 first page ${f50[-1]} ms, last page (page $last) ${l50[-1]} ms"
  done
  bench_record scenario=listing case="GET /files first page, $n files" metric=p50 unit=ms values="${f50[*]}" \
    ceiling_name="nginx return 200, c1" ceiling_values="${c50[*]}" errors="$errs" \
    target_on=value target_op="<=" target=20 target_text="<= 20 ms"
  bench_record scenario=listing case="GET /files first page, $n files" metric=p99 unit=ms values="${f99[*]}"
  bench_record scenario=listing case="GET /files last page ($last), $n files" metric=p50 unit=ms values="${l50[*]}" \
    ceiling_name="the first page" ceiling_values="${f50[*]}" \
    target_on=ratio target_op="<=" target=2 target_text="<= 2x the first page"
  bench_record scenario=listing case="GET /files last page ($last), $n files" metric=p99 unit=ms values="${l99[*]}"
}
