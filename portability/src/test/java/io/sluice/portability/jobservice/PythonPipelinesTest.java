package io.sluice.portability.jobservice;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python batch pipelines on Sluice (src/test/python/batch_pipelines.py): GroupByKey, CombinePerKey
 * (lifted by the SDK), CombineGlobally, side inputs as singleton, dict and list, Flatten, fixed
 * windows, stateful DoFns (value, bag, combining, ordered list and set state; event-time timers in
 * global and fixed windows, a processing-time timer), a user counter read back through the job's
 * metrics, bundle finalization callbacks (run before the job ends). Each checks its own result (with
 * assert_that), so a wrong one fails its job and the script.
 */
class PythonPipelinesTest {

  private static final String[] PIPELINES = {"group_by_key", "combine_per_key", "combine_globally", "side_inputs",
      "flatten", "fixed_windows", "stateful_global", "stateful_windows", "ordered_and_set_state", "metrics", "finalization"};

  @TempDir
  Path dir;

  @Test
  void pythonBatchPipelinesRunOnSluice() throws Exception {
    String output = script(true);
    for (String name : PIPELINES) {
      assertTrue(output.contains("PIPELINE-PASSED " + name + "\n"), name + " did not pass:\n" + output);
    }
  }

  /** User code that throws fails the job, and the client reports the user's error. */
  @Test
  void aFailingPythonPipelineReportsTheUsersError() throws Exception {
    String output = script(false, "failing");
    assertTrue(output.contains("user code refuses 2 (sluice-test-failure)"), output);
    assertTrue(output.contains("FAILED"), output);
  }

  /** Runs the script's pipelines {@code names} (all by default) on a job server; what it printed. */
  private String script(boolean succeeds, String... names) throws Exception {
    PythonClient.assumeAvailable();
    java.util.List<String> args = new java.util.ArrayList<>();
    args.add(Paths.get("src/test/python/batch_pipelines.py").toAbsolutePath().toString());
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 2)) {
      args.add(server.jobEndpoint());
      args.addAll(java.util.List.of(names));
      Path log = dir.resolve("python.log");
      String[] command = args.toArray(new String[0]);
      return succeeds ? PythonClient.run(log, command) : PythonClient.runFailing(log, command);
    }
  }
}
