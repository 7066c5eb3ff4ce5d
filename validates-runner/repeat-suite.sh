#!/usr/bin/env bash
# Runs Beam's ValidatesRunner suite (batch, streaming and checkpointed) N times in a row and counts failures per
# run and per test: how a flaky test is found, and shown fixed. Not part of CI (it takes N x ~6 min).
#   validates-runner/repeat-suite.sh [N=5] [extra mvn args, e.g. -Dsluice.vr.tests='GroupByKeyTest*']
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
shift || true
mvn -B -q install -DskipTests >/dev/null || exit 1
out="validates-runner/target/repeat"
rm -rf "$out" && mkdir -p "$out"
failed_runs=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  mvn -B verify -pl validates-runner "$@" >"$out/run-$i.log" 2>&1
  rc=$?
  n=0
  for mode in batch streaming checkpointed; do
    report="validates-runner/target/vr-report-$mode.md"
    [ -f "$report" ] || continue
    cp "$report" "$out/run-$i-report-$mode.md"
    # The tests listed under "## Failed tests", one per line.
    awk '/^## Failed tests/ {on=1; next} /^## / {on=0} on && /^- `/ {split($2, t, "`"); print t[2]}' "$report" \
      | sed "s/^/$mode /" >"$out/run-$i-failed-$mode.txt"
    n=$((n + $(grep -c . "$out/run-$i-failed-$mode.txt")))
    cat "$out/run-$i-failed-$mode.txt" >>"$out/failures.txt"
  done
  echo "run $i: exit $rc, $n failed tests, $(( $(date +%s) - start )) s"
  [ "$rc" -ne 0 ] && failed_runs=$((failed_runs + 1))
done
echo "$failed_runs of $runs runs failed"
if [ -s "$out/failures.txt" ]; then
  echo "failures by test:"
  sort "$out/failures.txt" | uniq -c | sort -rn
fi
[ "$failed_runs" -eq 0 ]
