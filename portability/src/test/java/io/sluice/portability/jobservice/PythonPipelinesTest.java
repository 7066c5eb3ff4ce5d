package io.sluice.portability.jobservice;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python batch pipelines on Sluice (src/test/python/batch_pipelines.py): GroupByKey, CombinePerKey
 * (lifted by the SDK), CombineGlobally, side inputs as singleton, dict and list, Flatten, fixed
 * windows. Each checks its own result with assert_that, so a wrong one fails its job and the script.
 */
class PythonPipelinesTest {

  private static final String[] PIPELINES = {"group_by_key", "combine_per_key", "combine_globally", "side_inputs",
      "flatten", "fixed_windows"};

  @TempDir
  Path dir;

  @Test
  void pythonBatchPipelinesRunOnSluice() throws Exception {
    PythonClient.assumeAvailable();
    Path script = Paths.get("src/test/python/batch_pipelines.py").toAbsolutePath();
    String output;
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 2)) {
      output = PythonClient.run(dir.resolve("python.log"), script.toString(), server.jobEndpoint());
    }
    for (String name : PIPELINES) {
      assertTrue(output.contains("PIPELINE-PASSED " + name + "\n"), name + " did not pass:\n" + output);
    }
  }

  /** User code that throws fails the job, and the client reports the user's error. */
  @Test
  void aFailingPythonPipelineReportsTheUsersError() throws Exception {
    PythonClient.assumeAvailable();
    Path script = Paths.get("src/test/python/batch_pipelines.py").toAbsolutePath();
    String output;
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 2)) {
      output = PythonClient.runFailing(dir.resolve("python.log"), script.toString(), server.jobEndpoint(), "failing");
    }
    assertTrue(output.contains("user code refuses 2 (sluice-test-failure)"), output);
    assertTrue(output.contains("FAILED"), output);
  }
}
