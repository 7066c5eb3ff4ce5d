#!/usr/bin/env bash
# The kill -9 soak (not part of CI): KillRecoveryTest N times in one go, each round a new JVM
# running the recovery job, killed with SIGKILL at a random moment after its first checkpoint and
# finished by a second JVM with --restoreFrom; every round's output must equal the run never
# killed. Prints "kill -9 soak: N of N rounds ...". With ClusterKillRecoveryTest, the job runs on a
# local cluster (a coordinator and two worker processes) and a random worker is killed each round.
#   runner/soak-kill.sh [N=20] [KillRecoveryTest|ClusterKillRecoveryTest]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-20}"
test="${2:-KillRecoveryTest}"
mvn -B -q install -DskipTests >/dev/null
mvn -B test -pl runner -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsluice.kill.rounds="$rounds" 2>&1 | grep -E "kill -9 soak|Tests run:|FAIL|expected" | head -20
