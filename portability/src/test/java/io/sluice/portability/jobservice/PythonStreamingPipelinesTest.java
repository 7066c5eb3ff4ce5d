package io.sluice.portability.jobservice;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python streaming pipelines on Sluice (src/test/python/streaming_pipelines.py), each driven by a
 * TestStream: fixed windows summed as the watermark passes them, early firings by element count,
 * a stateful DoFn flushed by event-time timers, processing-time timers on the stream's clock. Each
 * checks its own result with assert_that.
 */
class PythonStreamingPipelinesTest {

  private static final String[] PIPELINES = {"windowed_sums", "early_firings", "stateful_timers",
      "processing_time_timers"};

  @TempDir
  Path dir;

  @Test
  void pythonStreamingPipelinesRunOnSluice() throws Exception {
    PythonClient.assumeAvailable();
    List<String> args = new ArrayList<>();
    args.add(Paths.get("src/test/python/streaming_pipelines.py").toAbsolutePath().toString());
    String output;
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 2)) {
      args.add(server.jobEndpoint());
      output = PythonClient.run(dir.resolve("python.log"), args.toArray(new String[0]));
    }
    for (String name : PIPELINES) {
      assertTrue(output.contains("PIPELINE-PASSED " + name + "\n"), name + " did not pass:\n" + output);
    }
  }
}
