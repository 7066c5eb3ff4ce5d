#!/usr/bin/env bash
# Runs the Python SDK's own ValidatesRunner tests, as shipped in the installed apache-beam wheel,
# against a Beam job endpoint (Sluice's JobServer), with the LOOPBACK environment, batch by default.
#
# Usage: run_validates_runner.sh HOST:PORT OUTPUT_DIR [extra pytest args, e.g. -k test_pardo or --collect-only]
# Writes OUTPUT_DIR/pytest-validates-runner.xml (JUnit), OUTPUT_DIR/summary.txt (one line),
# OUTPUT_DIR/pytest.log and the generated pytest files under OUTPUT_DIR/.suite; each suite below is
# one pytest run (extra args go to both); exits with the worse pytest exit code (5 = none selected).
# Environment knobs:
#   SLUICE_VR_STREAMING=1     run streaming (--streaming) instead of batch
#   SLUICE_VR_TIMEOUT=SECS    per-test timeout (pytest-timeout), default 120
#   SLUICE_VR_SUITES=...      "portable", "marker" or "portable marker" (default: both)
#
# How the selection was chosen (apache-beam 2.70.0 wheel; it ships every apache_beam/**/*_test.py,
# but not sdks/python/conftest.py nor pytest.ini, so both are re-created below):
#
# 1. Suite "portable": apache_beam/runners/portability/portable_runner_test.py::PortableRunnerTest,
#    i.e. the whole FnApiRunnerTest suite (fn_api_runner/fn_runner_test.py) as run by a portable
#    runner. This is what Beam itself calls the Python ValidatesRunner suite of a portable runner:
#    the Gradle tasks flinkValidatesRunner / sparkValidatesRunner / samzaValidatesRunner /
#    prismValidatesRunner (sdks/python/test-suites/portable/common.gradle) run
#    {flink,spark,samza,prism}_runner_test.py, each a subclass of PortableRunnerTest that starts its
#    own job server (java -jar ...) in _create_job_endpoint(), with --environment_type=LOOPBACK
#    passed in --test-pipeline-options. Those subclasses cannot be pointed at an external endpoint
#    (they always launch their jar), so a small subclass is generated here that returns the given
#    endpoint from _create_job_endpoint() and sets LOOPBACK in create_options(); it keeps the skips
#    PortableRunnerTest applies to every portable runner (the 4 drain tests; its issue-35168 skips
#    name Beam's own classes, so those 2 tests run here) and none of the Flink-specific ones.
# 2. Suite "marker": tests marked @pytest.mark.it_validatesrunner, selected the way Beam's
#    validatesRunnerBatchTests does ("it_validatesrunner and not no_sickbay_batch"; streaming:
#    "... and not no_sickbay_streaming"). They build TestPipeline(), which takes its options from
#    --test-pipeline-options. The modules are the wheel's files containing the marker
#    (grep -rl it_validatesrunner apache_beam --include='*_test.py'), minus
#    runners/dataflow/dataflow_exercise_streaming_metrics_pipeline_test.py (Dataflow only) and
#    runners/portability/fn_api_runner/fn_runner_test.py (its marked class hard-codes FnApiRunner).
#    Collecting a fixed module list, not the whole package, avoids importing ~470 modules, many of
#    which need optional extras (gcp, aws, ml, ...).
# A guard in the generated plugin skips any test whose pipeline would run on a runner other than
# PortableRunner (e.g. TestPipeline(options=PipelineOptions(streaming=True)) ignores
# --test-pipeline-options and would silently pass on the DirectRunner); set
# SLUICE_VR_ALLOW_OTHER_RUNNERS=1 to let those run locally instead.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 HOST:PORT OUTPUT_DIR [pytest args...]" >&2
  exit 2
fi
ENDPOINT=$1
OUT=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
PY=${PYTHON:-python3}
TIMEOUT=${SLUICE_VR_TIMEOUT:-120}
SUITES=${SLUICE_VR_SUITES:-portable marker}

# Test dependencies, with the bounds of apache-beam[test]; installed only where missing.
missing=()
"$PY" -c 'import pytest' 2>/dev/null || missing+=("pytest>=7.1.2,<9.0")
"$PY" -c 'import pytest_timeout' 2>/dev/null || missing+=("pytest-timeout>=2.1.0,<3")
"$PY" -c 'import hamcrest' 2>/dev/null || missing+=("pyhamcrest>=1.9,!=1.10.0,<3.0.0")
"$PY" -c 'import parameterized' 2>/dev/null || missing+=("parameterized>=0.7.1,<0.10.0")
"$PY" -c 'import mock' 2>/dev/null || missing+=("mock>=1.0.1,<6.0.0")
"$PY" -c 'import tenacity' 2>/dev/null || missing+=("tenacity>=8.0.0,<9")
if [[ ${#missing[@]} -gt 0 ]]; then
  "$PY" -m pip install -q --disable-pip-version-check "${missing[@]}" >"$OUT/pip-install.log" 2>&1 \
    || { echo "pip install ${missing[*]} failed, see $OUT/pip-install.log" >&2; exit 2; }
fi

SITE=$("$PY" -c 'import apache_beam, os; print(os.path.dirname(os.path.dirname(apache_beam.__file__)))')
WORK="$OUT/.suite"
mkdir -p "$WORK"

if [[ ${SLUICE_VR_STREAMING:-0} == 1 ]]; then
  STREAMING_FLAG=--streaming
  MARKEXPR="it_validatesrunner and not no_sickbay_streaming"
else
  STREAMING_FLAG=
  MARKEXPR="it_validatesrunner and not no_sickbay_batch"
fi
TEST_PIPELINE_OPTIONS="--runner=PortableRunner --job_endpoint=$ENDPOINT --environment_type=LOOPBACK \
--experiments=disable_logging_submission_environment $STREAMING_FLAG"

# What sdks/python/pytest.ini sets: discovery by file name, unittest.TestCase classes only.
cat >"$WORK/pytest.ini" <<EOF
[pytest]
python_files = test_*.py *_test.py
python_classes =
python_functions =
junit_family = xunit2
timeout = $TIMEOUT
EOF

# What sdks/python/conftest.py does that matters here, plus the markers and the runner guard.
cat >"$WORK/sluice_vr_plugin.py" <<'EOF'
import os

import pytest

from apache_beam.options import pipeline_options
from apache_beam.testing.test_pipeline import TestPipeline

MARKERS = [
    'it_validatesrunner', 'it_postcommit', 'it_postcommit_sickbay', 'no_sickbay_batch',
    'no_sickbay_streaming', 'no_xdist', 'sickbay_direct', 'sickbay_flink', 'sickbay_spark',
    'sickbay_dataflow', 'sickbay_prism', 'uses_pyarrow', 'uses_dill', 'examples_postcommit',
]


def pytest_addoption(parser):
  parser.addoption('--test-pipeline-options', help='Options for TestPipeline.')


def pytest_configure(config):
  for marker in MARKERS:
    config.addinivalue_line('markers', marker + ': Beam marker')
  TestPipeline.pytest_test_pipeline_options = config.getoption(
      'test_pipeline_options', default='')
  pipeline_options.enable_all_additional_type_checks()


@pytest.fixture(autouse=True)
def _only_on_the_job_endpoint(monkeypatch):
  if os.environ.get('SLUICE_VR_ALLOW_OTHER_RUNNERS'):
    yield
    return
  from apache_beam.pipeline import Pipeline
  from apache_beam.runners.portability.portable_runner import PortableRunner
  run = Pipeline.run

  def guarded_run(self, *args, **kwargs):
    if not isinstance(self.runner, PortableRunner):
      pytest.skip('pipeline would run on %s, not on the job endpoint' %
                  type(self.runner).__name__)
    return run(self, *args, **kwargs)

  monkeypatch.setattr(Pipeline, 'run', guarded_run)
  yield
EOF

cat >"$WORK/sluice_portable_runner_test.py" <<'EOF'
"""PortableRunnerTest (all of FnApiRunnerTest) against an external job endpoint, LOOPBACK."""
import shlex

import pytest

from apache_beam.options.pipeline_options import DebugOptions
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.options.pipeline_options import PortableOptions
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.runners.portability import portable_runner_test
from apache_beam.testing.test_pipeline import TestPipeline

pytestmark = pytest.mark.it_validatesrunner


def _given():
  return PipelineOptions(shlex.split(TestPipeline.pytest_test_pipeline_options or ''))


class SluicePortableRunnerTest(portable_runner_test.PortableRunnerTest):
  @classmethod
  def _create_job_endpoint(cls):
    endpoint = _given().view_as(PortableOptions).job_endpoint
    if not endpoint:
      raise RuntimeError('--test-pipeline-options has no --job_endpoint')
    return endpoint

  def create_options(self):
    options = super().create_options()
    given = _given()
    options.view_as(PortableOptions).environment_type = (
        given.view_as(PortableOptions).environment_type or 'LOOPBACK')
    options.view_as(PortableOptions).environment_config = None
    options.view_as(DebugOptions).add_experiment('disable_logging_submission_environment')
    options.view_as(StandardOptions).streaming = given.view_as(StandardOptions).streaming
    return options
EOF

PA="apache_beam"
MARKER_MODULES=(
  "$PA/pipeline_test.py"
  "$PA/metrics/metric_test.py"
  "$PA/ml/inference/base_test.py"
  "$PA/runners/portability/fn_api_runner/translations_test.py"
  "$PA/transforms/combinefn_lifecycle_test.py"
  "$PA/transforms/combiners_test.py"
  "$PA/transforms/deduplicate_test.py"
  "$PA/transforms/dofn_lifecycle_test.py"
  "$PA/transforms/ptransform_test.py"
  "$PA/transforms/sideinputs_test.py"
  "$PA/transforms/util_test.py")

# One pytest run per suite, each with its own rootdir (so node ids read
# sluice_portable_runner_test.py::... and apache_beam/...::...); their JUnit files are merged.
: >"$OUT/pytest.log"
rm -f "$WORK"/junit-*.xml
rc=5
for suite in $SUITES; do
  case $suite in
    portable) root=$WORK; targets=(sluice_portable_runner_test.py) ;;
    marker) root=$SITE; targets=("${MARKER_MODULES[@]}") ;;
    *) echo "unknown suite $suite" >&2; exit 2 ;;
  esac
  echo "=== suite $suite" >>"$OUT/pytest.log"
  set +e
  (cd "$root" && PYTHONPATH="$WORK${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m pytest \
    -c "$WORK/pytest.ini" --rootdir="$root" -p sluice_vr_plugin -p no:cacheprovider \
    -m "$MARKEXPR" --timeout="$TIMEOUT" -rfEs -W ignore::DeprecationWarning \
    -o junit_suite_name="sluice-validates-runner-$suite" -o junit_logging=all \
    -o junit_log_passing_tests=false --junitxml="$WORK/junit-$suite.xml" \
    "--test-pipeline-options=$TEST_PIPELINE_OPTIONS" \
    "${targets[@]}" "$@") >>"$OUT/pytest.log" 2>&1
  suite_rc=$?
  set -e
  echo "=== suite $suite exit $suite_rc" >>"$OUT/pytest.log"
  # 5 means "nothing selected" (e.g. -k matched only the other suite): not a failure by itself.
  if [[ $suite_rc -ne 5 && ( $rc -eq 5 || $suite_rc -gt $rc ) ]]; then rc=$suite_rc; fi
done

XML="$OUT/pytest-validates-runner.xml"
"$PY" - "$XML" "$rc" "$OUT/pytest.log" "$WORK"/junit-*.xml >"$OUT/summary.txt" <<'PYEOF'
import re
import sys
import xml.etree.ElementTree as ET
out, rc, log, parts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
merged = ET.Element('testsuites')
for part in parts:
  try:
    root = ET.parse(part).getroot()
  except (OSError, ET.ParseError):
    continue
  merged.extend([root] if root.tag == 'testsuite' else root.findall('testsuite'))
ET.ElementTree(merged).write(out, encoding='utf-8', xml_declaration=True)
n = {k: sum(int(s.get(k, 0)) for s in merged) for k in ('tests', 'failures', 'errors', 'skipped')}
collected = re.findall(r'^(?:(\d+)/)?(\d+) tests? collected', open(log).read(), re.M)
if n['tests'] == 0 and collected:  # --collect-only: nothing ran; report what was selected
  print('collected=%d exit=%s' % (sum(int(a or b) for a, b in collected), rc))
else:
  print('passed=%d failed=%d skipped=%d errors=%d total=%d exit=%s' % (
      n['tests'] - n['failures'] - n['errors'] - n['skipped'], n['failures'], n['skipped'],
      n['errors'], n['tests'], rc))
PYEOF
cat "$OUT/summary.txt"
exit $rc
