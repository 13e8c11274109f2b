#!/usr/bin/env bash
# Gives one user N live files straight in the database, for the listing scenario of `./gw bench`
# (bench/scenarios/listing.sh): the interface GW_BENCH_SEED scripts share, around
# bench/seed_files.sql (what it writes and how the list counters follow: see that file).
# Usage: bench/seed_files.sh <database DSN (may write the app's tables)> <email> <count>
set -euo pipefail
dsn=${1:?usage: bench/seed_files.sh DSN EMAIL COUNT}
email=${2:?usage: bench/seed_files.sh DSN EMAIL COUNT}
count=${3:?usage: bench/seed_files.sh DSN EMAIL COUNT}
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "seed_files: COUNT must be a positive integer" >&2; exit 2; }
psql -v ON_ERROR_STOP=1 -q -X "$dsn" -v email="$email" -v files="$count" \
  -f "$(dirname "${BASH_SOURCE[0]}")/seed_files.sql"
