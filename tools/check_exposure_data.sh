#!/usr/bin/env bash
# Checks the exposure data in rules/exposure before it is embedded: the
# three CSV headers are the expected ones, then exhunt's own consistency
# checks over the loaded table (every fixed build known and on its CU line,
# statuses and CU ranges valid, KEV dates agree, every KEV CVE covered).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${EXHUNT:-build/exhunt}
expect() {
  local file=$1 header=$2
  local got
  got=$(head -1 "rules/exposure/$file" | tr -d '\r')
  if [ "$got" != "$header" ]; then
    echo "rules/exposure/$file: unexpected header"
    echo "  want: $header"
    echo "  got:  $got"
    exit 1
  fi
}
expect exchange_builds.csv "product,cu_line,update,release_type,release_name,build_short,build_long,release_date,release_month,kb,sources,confidence,notes"
expect cve_fixed_builds.csv "cve,aka,kev_date_added,kev_source,product,cu_line,status,fixing_update,min_fixed_build,fix_release_name,fix_kb,fix_release_date,mitigation_that_counts,sources,confidence,notes"
expect kev_exchange.csv "cveID,dateAdded,dueDate,product,vulnerabilityName,knownRansomwareCampaignUse,source,confidence"
"$BIN" exposure --check-table
