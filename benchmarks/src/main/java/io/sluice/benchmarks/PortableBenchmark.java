package io.sluice.benchmarks;

import io.sluice.benchmarks.workloads.Workload;
import io.sluice.portability.jobservice.JobServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Fn API's cost, and Python on Sluice; writes PORTABLE.md. Two parts:
 *
 * <ul>
 *   <li>java: the batch workloads on SluiceRunner against SluicePortableRunner (the same pipeline's
 *       proto to a job server in the client's JVM, user code in the Java SDK harness there), each run
 *       in a fresh JVM, start-up included, results checked;
 *   <li>python: Beam's Python wordcount example on a Sluice job server (LOOPBACK: the harness in the
 *       client's python process) against the Python SDK's own local runner (DirectRunner, which runs
 *       batch on its FnApiRunner), on the same generated text, each run a fresh python3 process; the
 *       two outputs must hold the same counts.
 * </ul>
 *
 * <p>Options, as --name=value: parts (java,python), workloads (wordcount,groupbykey,combine,
 * windowed-count), scale (0.2: times the default sizes), reps (3), warmup (1), pythonMegabytes (20),
 * out (benchmarks/results), data, logs, heap (4g), timeoutSeconds (900).
 */
public final class PortableBenchmark {

  private PortableBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchOptions bench = new BenchOptions(args);
    Map<String, String> options = bench.asMap();
    Path out = bench.out;
    Path data = bench.data;
    Path logs = bench.logs;
    int reps = bench.reps();
    int warmup = bench.warmup();
    List<String> parts = Arrays.asList(options.getOrDefault("parts", "java,python").split(","));
    StringBuilder md = new StringBuilder("# The portable path: the Fn API's cost, and Python on Sluice\n\n");
    md.append("Written by `PortableBenchmark` (").append(java.time.LocalDate.now()).append("); ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores. Median of ").append(reps)
        .append(" runs after ").append(warmup).append(" warm-up, each in a fresh process (start-up included).\n\n");
    if (parts.contains("java")) {
      md.append(javaPart(options, data, logs, reps, warmup));
    }
    if (parts.contains("python")) {
      md.append(pythonPart(options, data, logs, reps, warmup));
    }
    Files.writeString(out.resolve("PORTABLE.md"), md.toString(), StandardCharsets.UTF_8);
    log("wrote %s", out.resolve("PORTABLE.md"));
  }

  private static String javaPart(Map<String, String> options, Path data, Path logs, int reps, int warmup)
      throws Exception {
    double scale = Double.parseDouble(options.getOrDefault("scale", "0.2"));
    String classpath = System.getProperty("java.class.path");
    String heap = options.getOrDefault("heap", "4g");
    long timeout = Long.parseLong(options.getOrDefault("timeoutSeconds", "900"));
    StringBuilder md = new StringBuilder("## Java workloads: SluicePortableRunner against SluiceRunner\n\n")
        .append("Sizes are ").append(scale).append(" of BenchmarkSuite's. The ratio is classic time over portable"
            + " time: the share of the classic path's speed the portable path keeps.\n\n")
        .append("| workload | size | records | classic ms | portable ms | classic / portable | portable records/s |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (String name : options.getOrDefault("workloads", "wordcount,groupbykey,combine,windowed-count").split(",")) {
      Workload workload = Workloads.get(name);
      long size = Math.max(1, (long) (Workloads.DEFAULT_SIZES.get(name) * scale));
      workload.prepare(size, data);
      Measurement classic = new Measurement(name, Runner.SLUICE, size, workload.records(size));
      Measurement portable = new Measurement(name, Runner.SLUICE_PORTABLE, size, workload.records(size));
      ForkedRun.alternating(List.of(classic, portable), warmup, reps, classpath, data, logs, heap, timeout);
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %s |%n", name, size, workload.records(size),
          cell(classic), cell(portable),
          classic.ok() && portable.ok()
              ? String.format(Locale.ROOT, "%.3f", classic.medianWallMillis() / (double) portable.medianWallMillis())
              : "-",
          portable.ok() ? String.format(Locale.ROOT, "%.0f", portable.recordsPerSecond()) : "-"));
    }
    return md.append('\n').toString();
  }

  private static String cell(Measurement m) {
    return m.ok() ? Long.toString(m.medianWallMillis()) : "failed: " + m.failure;
  }

  private static String pythonPart(Map<String, String> options, Path data, Path logs, int reps, int warmup)
      throws Exception {
    int megabytes = Integer.parseInt(options.getOrDefault("pythonMegabytes", "20"));
    Path input = data.resolve("python-wordcount-" + megabytes + "mb.txt");
    if (!Files.exists(input)) {
      writeText(input, (long) megabytes << 20);
    }
    List<Long> onSluice = new ArrayList<>();
    List<Long> local = new ArrayList<>();
    Map<String, Long> sluiceCounts = null;
    Map<String, Long> localCounts = null;
    try (JobServer server = JobServer.start("localhost", 0, 0, Files.createTempDirectory("sluice-bench-artifacts"), 2)) {
      List<String> sluiceArgs = List.of("--runner=PortableRunner", "--job_endpoint=" + server.jobEndpoint(),
          "--environment_type=LOOPBACK");
      List<String> localArgs = List.of("--runner=DirectRunner", "--direct_num_workers=1");
      for (int rep = -warmup; rep < reps; rep++) {
        // Alternating which goes first.
        boolean sluiceFirst = Math.floorMod(rep, 2) == 0;
        for (boolean sluice : sluiceFirst ? List.of(true, false) : List.of(false, true)) {
          Path outDir = Files.createTempDirectory("sluice-bench-py-");
          long millis = wordcount(input, outDir, sluice ? sluiceArgs : localArgs,
              logs.resolve("python-wordcount-" + (sluice ? "sluice" : "local") + "-" + rep + ".log"));
          Map<String, Long> counts = readCounts(outDir);
          deleteTree(outDir);
          if (sluice) {
            sluiceCounts = counts;
          } else {
            localCounts = counts;
          }
          log("python wordcount %s rep %d: %d ms", sluice ? "on Sluice" : "local", rep, millis);
          if (rep >= 0) {
            (sluice ? onSluice : local).add(millis);
          }
        }
      }
    }
    if (!sluiceCounts.equals(localCounts)) {
      throw new IllegalStateException("python wordcount on Sluice and on the local runner disagree: "
          + sluiceCounts.size() + " against " + localCounts.size() + " words");
    }
    long sluiceMedian = Measurement.median(onSluice);
    long localMedian = Measurement.median(local);
    return "## Python wordcount: a Sluice job server against the Python SDK's local runner\n\n"
        + "`python3 -m apache_beam.examples.wordcount` (apache-beam " + pythonBeamVersion() + ") over " + megabytes
        + " MB of generated text (" + sluiceCounts.size() + " distinct words; both outputs equal). On Sluice:"
        + " `--runner=PortableRunner --environment_type=LOOPBACK`, job server parallelism 2; local: `--runner=DirectRunner"
        + " --direct_num_workers=1` (the FnApiRunner). The ratio is local time over Sluice time.\n\n"
        + "| runner | runs (ms) | median ms |\n|---|---|---:|\n"
        + "| Sluice job server | " + onSluice + " | " + sluiceMedian + " |\n"
        + "| Python local (DirectRunner) | " + local + " | " + localMedian + " |\n\n"
        + String.format(Locale.ROOT, "local / Sluice: **%.3f**%n%n", localMedian / (double) sluiceMedian);
  }

  private static long wordcount(Path input, Path outDir, List<String> runnerArgs, Path log) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", "-m", "apache_beam.examples.wordcount",
        "--input=" + input.toAbsolutePath(), "--output=" + outDir.resolve("counts").toAbsolutePath()));
    command.addAll(runnerArgs);
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(30, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException("python wordcount did not finish within 30 minutes: " + log);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (process.exitValue() != 0) {
      throw new IllegalStateException("python wordcount failed (exit " + process.exitValue() + "): " + log);
    }
    return millis;
  }

  /** Lines of "word: count" in every output shard. */
  private static Map<String, Long> readCounts(Path outDir) throws IOException {
    Map<String, Long> counts = new HashMap<>();
    try (Stream<Path> files = Files.list(outDir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          int colon = line.lastIndexOf(": ");
          if (counts.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 2))) != null) {
            throw new IllegalStateException("word counted twice in the output: " + line);
          }
        }
      }
    }
    return counts;
  }

  /** Lines of words drawn from a skewed vocabulary, as WordCount's own input has. */
  private static void writeText(Path file, long bytes) throws IOException {
    Random random = new Random(42);
    String[] vocabulary = new String[20_000];
    for (int i = 0; i < vocabulary.length; i++) {
      vocabulary[i] = "w" + Integer.toString(i, 36);
    }
    StringBuilder text = new StringBuilder();
    try (var writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      long written = 0;
      while (written < bytes) {
        text.setLength(0);
        for (int w = 0; w < 12; w++) {
          double u = random.nextDouble();
          text.append(vocabulary[(int) (u * u * vocabulary.length)]).append(' ');
        }
        text.append('\n');
        writer.write(text.toString());
        written += text.length();
      }
    }
  }

  private static String pythonBeamVersion() throws Exception {
    Process process = new ProcessBuilder("python3", "-c", "import apache_beam; print(apache_beam.__version__)")
        .redirectErrorStream(true).start();
    String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    process.waitFor(1, TimeUnit.MINUTES);
    String[] lines = version.split("\n");
    return lines[lines.length - 1];
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void log(String format, Object... args) {
    System.err.printf("[bench] " + format + "%n", args);
  }
}
