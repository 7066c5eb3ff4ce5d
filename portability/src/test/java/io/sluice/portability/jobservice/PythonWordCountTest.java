package io.sluice.portability.jobservice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python's wordcount example, submitted by Python's PortableRunner to Sluice's job server, its
 * user code in a LOOPBACK harness in the submitting process, or in a PROCESS environment (a harness
 * process the runner starts with {@code sluice-python-harness}): the counts must be exactly the
 * words of the input (see {@link PythonClient} for when it runs).
 */
class PythonWordCountTest {

  @TempDir
  Path dir;

  /** The PROCESS environment's command: the boot script the distribution ships as bin/sluice-python-harness. */
  private static final Path PYTHON_HARNESS = Path.of("src/main/python/sluice-python-harness").toAbsolutePath();

  @ParameterizedTest
  @ValueSource(strings = {"LOOPBACK", "PROCESS"})
  void pythonsWordCountRunsOnSluice(String environment) throws Exception {
    PythonClient.assumeAvailable();
    Map<String, Integer> expected = new TreeMap<>();
    StringBuilder text = new StringBuilder();
    String[] words = {"river", "sluice", "gate", "flow", "water", "beam"};
    for (int line = 0; line < 300; line++) {
      for (int w = 0; w <= line % 5; w++) {
        String word = words[(line * 7 + w * 3) % words.length];
        text.append(word).append(' ');
        expected.merge(word, 1, Integer::sum);
      }
      text.append('\n');
    }
    Path input = Files.writeString(dir.resolve("input.txt"), text.toString());
    Path output = dir.resolve("out/counts");
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 2)) {
      List<String> args = new ArrayList<>(List.of("-m", "apache_beam.examples.wordcount", "--runner=PortableRunner",
          "--job_endpoint=" + server.jobEndpoint(), "--environment_type=" + environment, "--input=" + input,
          "--output=" + output));
      if (environment.equals("PROCESS")) {
        args.add("--environment_config={\"command\": \"" + PYTHON_HARNESS + "\"}");
      }
      PythonClient.run(dir.resolve("python.log"), args.toArray(String[]::new));
    }
    Map<String, Integer> counted = new TreeMap<>();
    List<Path> shards = new ArrayList<>();
    try (Stream<Path> files = Files.list(output.getParent())) {
      files.filter(f -> f.getFileName().toString().startsWith("counts")).forEach(shards::add);
    }
    for (Path shard : shards) {
      for (String line : Files.readAllLines(shard, StandardCharsets.UTF_8)) {
        int colon = line.lastIndexOf(": ");
        counted.merge(line.substring(0, colon), Integer.parseInt(line.substring(colon + 2)), Integer::sum);
      }
    }
    assertEquals(expected, counted);
  }
}
