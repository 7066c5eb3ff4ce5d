package io.sluice.portability.jobservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Python SDK's own ValidatesRunner tests against a Sluice job server in this JVM
 * ({@code src/test/python/run_validates_runner.sh}: portable_runner_test's suite, which Beam runs for
 * every portable runner, and the tests marked it_validatesrunner), batch and streaming. Every test
 * must pass but those the checked-in exclusions list for the mode (entries "python:<test name>" in
 * validates-runner/exclusions.txt, which are not run). A test that runs longer than the suite's
 * per-test timeout by design ({@link #LONG_BY_DESIGN}) runs beside the suites, against a job server
 * of its own and under a timeout of its own, and must pass as well. See {@link PythonClient} for
 * when it runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PythonValidatesRunnerTest {

  private static final Logger LOG = LoggerFactory.getLogger(PythonValidatesRunnerTest.class);
  private static final Path EXCLUSIONS = Paths.get("..", "validates-runner", "exclusions.txt");
  /** Fewer run than this means the selection broke, not that the runner got better. */
  private static final int AT_LEAST_RUN = 90;

  /**
   * Tests whose pipelines run longer than the suite's per-test timeout by design, by the mode they
   * run in, with how long they may take.
   */
  private static final Map<String, LongTest> LONG_BY_DESIGN = Map.of(
      // Two PeriodicImpulses over 1200 s of wall time; it passed in 1167 s by hand.
      "test_run_inference_with_side_inputin_streaming", new LongTest("python-streaming", Duration.ofMinutes(30)));

  private record LongTest(String mode, Duration timeout) {}

  /** A long test running beside the suites: its job server, its pytest run, where it reports. */
  private record LongRun(String test, JobServer server, Process run, Path out, long deadlineNanos) {}

  // Derived, for the class's life: the long tests running.
  private static final List<LongRun> LONG_RUNS = new ArrayList<>();

  @TempDir
  Path dir;

  @BeforeAll
  static void startLongTests() throws Exception {
    PythonClient.assumeAvailable();
    for (Map.Entry<String, LongTest> test : LONG_BY_DESIGN.entrySet()) {
      Path out = Files.createTempDirectory("sluice-python-long");
      JobServer server = JobServer.start("localhost", 0, 0, out.resolve("artifacts"), 2);
      long timeoutSeconds = test.getValue().timeout().toSeconds();
      ProcessBuilder builder = pythonsTests(server, out, test.getValue().mode(), test.getKey());
      builder.environment().put("SLUICE_VR_TIMEOUT", Long.toString(timeoutSeconds));
      LOG.info("Python's {} runs beside the suites (up to {} s), log in {}", test.getKey(), timeoutSeconds, out);
      LONG_RUNS.add(new LongRun(test.getKey(), server, builder.start(), out,
          System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds + 120)));
    }
  }

  @AfterAll
  static void stopLongTests() throws Exception {
    for (LongRun run : LONG_RUNS) {
      run.run().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      run.server().close();
    }
    LONG_RUNS.clear();
  }

  @Order(1)
  @ParameterizedTest
  @ValueSource(strings = {"python-batch", "python-streaming"})
  void pythonsValidatesRunnerTestsPass(String mode) throws Exception {
    PythonClient.assumeAvailable();
    List<String> notHere = new ArrayList<>(excludedIn(mode));
    LONG_BY_DESIGN.forEach((test, run) -> {
      if (run.mode().equals(mode)) {
        notHere.add(test);
      }
    });
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 2)) {
      Process run = pythonsTests(server, dir, mode,
          notHere.isEmpty() ? null : "not (" + String.join(" or ", notHere) + ")").start();
      if (!run.waitFor(20, TimeUnit.MINUTES)) {
        run.destroyForcibly().waitFor();
        throw new AssertionError("Python's suite did not end within 20 minutes:\n" + tail(dir.resolve("run.log")));
      }
    }
    Outcome outcome = outcome(dir.resolve("out"), dir.resolve("run.log"));
    LOG.info("Python's ValidatesRunner tests in {}: {} ran, {} of them passed; {} skipped (by the SDK or our exclusions)",
        mode, outcome.ran(), outcome.ran() - outcome.failed().size(), outcome.skipped());
    assertEquals(Map.of(), outcome.failed(),
        "Python's ValidatesRunner tests failed in " + mode + " (" + outcome.ran() + " ran)");
    assertTrue(outcome.ran() >= AT_LEAST_RUN, "only " + outcome.ran() + " of Python's ValidatesRunner tests ran in "
        + mode);
  }

  @Order(2)
  @Test
  void pythonsLongTestsPass() throws Exception {
    PythonClient.assumeAvailable();
    for (LongRun run : LONG_RUNS) {
      long left = run.deadlineNanos() - System.nanoTime();
      if (!run.run().waitFor(Math.max(1, left), TimeUnit.NANOSECONDS)) {
        run.run().destroyForcibly().waitFor();
        throw new AssertionError("Python's " + run.test() + " did not end in time:\n" + tail(run.out().resolve("run.log")));
      }
      Outcome outcome = outcome(run.out().resolve("out"), run.out().resolve("run.log"));
      LOG.info("Python's {}: {} ran, {} passed", run.test(), outcome.ran(), outcome.ran() - outcome.failed().size());
      assertEquals(Map.of(), outcome.failed(), "Python's " + run.test() + " failed");
      assertEquals(1, outcome.ran(), "Python's " + run.test() + " did not run:\n" + tail(run.out().resolve("run.log")));
    }
  }

  /**
   * A run of Python's tests in {@code mode} against {@code server}, those {@code selection} selects
   * (a pytest -k expression; all if null): it reports in {@code dir}/out and logs to {@code dir}/run.log.
   */
  private static ProcessBuilder pythonsTests(JobServer server, Path dir, String mode, String selection) {
    List<String> command = new ArrayList<>(List.of("bash", "src/test/python/run_validates_runner.sh",
        server.jobEndpoint(), dir.resolve("out").toString()));
    if (selection != null) {
      command.add("-k");
      command.add(selection);
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("run.log").toFile());
    if (mode.equals("python-streaming")) {
      builder.environment().put("SLUICE_VR_STREAMING", "1");
    }
    return builder;
  }

  /** What a run of Python's tests reported: how many ran and were skipped, the failures by test. */
  private record Outcome(int ran, int skipped, Map<String, String> failed) {}

  private static Outcome outcome(Path out, Path log) throws Exception {
    Path report = out.resolve("pytest-validates-runner.xml");
    assertTrue(Files.exists(report), "no report from Python's tests:\n" + tail(log));
    Map<String, String> failed = new TreeMap<>();
    int ran = 0;
    int skipped = 0;
    NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
        .getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element test = (Element) cases.item(i);
      String name = test.getAttribute("classname") + "::" + test.getAttribute("name");
      if (test.getElementsByTagName("skipped").getLength() > 0) {
        skipped++;
        continue;
      }
      ran++;
      for (String kind : List.of("failure", "error")) {
        NodeList problems = test.getElementsByTagName(kind);
        if (problems.getLength() > 0) {
          failed.put(name, ((Element) problems.item(0)).getAttribute("message"));
        }
      }
    }
    return new Outcome(ran, skipped, failed);
  }

  /** The test names excluded in {@code mode}, from the one exclusions file. */
  private static List<String> excludedIn(String mode) throws Exception {
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(EXCLUSIONS, StandardCharsets.UTF_8)) {
      if (line.startsWith("python:")) {
        String[] fields = line.split("\\|", 3);
        assertTrue(fields.length == 3 && !fields[2].isBlank(), "an exclusion needs a reason: " + line);
        if (List.of(fields[1].strip().split("\\s*,\\s*")).contains(mode)) {
          names.add(fields[0].strip().substring("python:".length()));
        }
      }
    }
    return names;
  }

  private static String tail(Path log) throws Exception {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
