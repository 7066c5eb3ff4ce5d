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
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
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
 * validates-runner/exclusions.txt, which are not run). See {@link PythonClient} for when it runs.
 */
class PythonValidatesRunnerTest {

  private static final Logger LOG = LoggerFactory.getLogger(PythonValidatesRunnerTest.class);
  private static final Path EXCLUSIONS = Paths.get("..", "validates-runner", "exclusions.txt");
  /** Fewer run than this means the selection broke, not that the runner got better. */
  private static final int AT_LEAST_RUN = 90;

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"python-batch", "python-streaming"})
  void pythonsValidatesRunnerTestsPass(String mode) throws Exception {
    PythonClient.assumeAvailable();
    List<String> excluded = excludedIn(mode);
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 2)) {
      List<String> command = new ArrayList<>(List.of("bash", "src/test/python/run_validates_runner.sh",
          server.jobEndpoint(), dir.resolve("out").toString()));
      if (!excluded.isEmpty()) {
        command.add("-k");
        command.add("not (" + String.join(" or ", excluded) + ")");
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("run.log").toFile());
      if (mode.equals("python-streaming")) {
        builder.environment().put("SLUICE_VR_STREAMING", "1");
      }
      Process run = builder.start();
      if (!run.waitFor(20, TimeUnit.MINUTES)) {
        run.destroyForcibly().waitFor();
        throw new AssertionError("Python's suite did not end within 20 minutes:\n" + tail(dir.resolve("run.log")));
      }
    }
    Path report = dir.resolve("out").resolve("pytest-validates-runner.xml");
    assertTrue(Files.exists(report), "no report from Python's suite:\n" + tail(dir.resolve("run.log")));
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
    LOG.info("Python's ValidatesRunner tests in {}: {} ran, {} of them passed; {} skipped (by the SDK or our exclusions)",
        mode, ran, ran - failed.size(), skipped);
    assertEquals(Map.of(), failed, "Python's ValidatesRunner tests failed in " + mode + " (" + ran + " ran)");
    assertTrue(ran >= AT_LEAST_RUN, "only " + ran + " of Python's ValidatesRunner tests ran in " + mode);
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
