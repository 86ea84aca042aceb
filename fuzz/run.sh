#!/usr/bin/env bash
# Run every fuzz target for a bounded time (default 300 s each), then print what each did.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1
# lets it use the sanitizer flags it needs. Crashes and hangs (an input past 10 s) are kept
# in fuzz/artifacts/<target>/.
#   fuzz/run.sh            # every target, 300 s each
#   SECS=30 fuzz/run.sh jsonpath
set -euo pipefail
cd "$(dirname "$0")"
SECS="${SECS:-300}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
# Seed the collection fuzzer with the real examples.
mkdir -p corpus/load_collection
find ../collections ../environments -name '*.yaml' -exec cp {} corpus/load_collection/ \; 2>/dev/null || true
# The importers start from real exports and commands.
mkdir -p corpus/import_postman corpus/import_curl
cp ../tests/fixtures/postman/*.json corpus/import_postman/ 2>/dev/null || true
i=0
while IFS= read -r cmd; do
  i=$((i + 1))
  printf '%s' "$cmd" >"corpus/import_curl/seed-$i"
done <seeds/curl.txt
# Templates: placeholders the shortcut renders, and syntax only the engine does.
mkdir -p corpus/render_template
i=0
while IFS= read -r tpl; do
  i=$((i + 1))
  printf '%s' "$tpl" >"corpus/render_template/seed-$i"
done <seeds/templates.txt
export RUSTC_BOOTSTRAP=1
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log="artifacts/$t/last-run.log"
  # Inputs that once crashed a target run first: each must pass again.
  if [ -d "regressions/$t" ] && ! cargo fuzz run "$t" "regressions/$t" -- -runs=0 >"artifacts/$t/regressions.log" 2>&1; then
    echo "   REGRESSION: an input in fuzz/regressions/$t crashes again (see artifacts/$t/regressions.log)"
    status=1
  fi
  echo "== $t ($SECS s)"
  # One input running past 10 s is a finding (a hang), not something to wait out: the
  # jsonpath target once sat 12 minutes on one nested filter.
  if cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$SECS" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result="CRASH (see $log and artifacts/$t/)"
    status=1
  fi
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  [ -n "$execs" ] || execs=$(grep -oE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -1 || true)
  echo "   $result: ${execs:-?} executions, corpus $(find "corpus/$t" -type f | wc -l) inputs"
done
exit $status
