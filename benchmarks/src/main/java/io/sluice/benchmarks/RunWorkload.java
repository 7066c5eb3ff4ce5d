package io.sluice.benchmarks;

import io.sluice.benchmarks.workloads.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * One benchmark run in a fresh JVM: runs a workload on one runner, checks the result, and prints
 * one line for the suite: {@code BENCH-RESULT ok=true inJvmMillis=... peakRssKb=...}.
 *
 * <p>Arguments: workload runner size dataDirectory outputDirectory [repeat]. With repeat > 1 the
 * workload runs that many times in this JVM and inJvmMillis lists every run (warm-JVM timing).
 */
public final class RunWorkload {

  private RunWorkload() {}

  public static void main(String[] args) throws Exception {
    Workload workload = Workloads.get(args[0]);
    Runner runner = Runner.valueOf(args[1]);
    long size = Long.parseLong(args[2]);
    Path data = Paths.get(args[3]);
    Path out = Paths.get(args[4]);
    int repeat = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    List<Long> millis = new ArrayList<>();
    String checkpoints = "none";
    try {
      for (int r = 0; r < repeat; r++) {
        Path runOut = out.resolve("run-" + r);
        clean(runOut);
        Files.createDirectories(runOut);
        long start = System.nanoTime();
        if (runner.isBeam()) {
          List<String> pipelineArgs = new ArrayList<>(Arrays.asList(runner.pipelineArgs()));
          String extra = System.getProperty("bench.args", "").trim();
          if (!extra.isEmpty()) {
            pipelineArgs.addAll(Arrays.asList(extra.split("\\s+")));
          }
          Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs(pipelineArgs.toArray(new String[0])).create());
          workload.build(pipeline, size, data, runOut);
          PipelineResult result = pipeline.run();
          result.waitUntilFinish();
          checkpoints = checkpointStats(result);
        } else {
          workload.runPlainJava(size, data, runOut);
        }
        millis.add((System.nanoTime() - start) / 1_000_000);
        workload.verify(size, data, runOut);
        clean(runOut);
      }
    } catch (Throwable t) {
      System.out.println("BENCH-RESULT ok=false error=" + String.valueOf(t).replace('\n', ' '));
      t.printStackTrace();
      System.exit(1);
    }
    System.out.println("BENCH-RESULT ok=true inJvmMillis=" + millis.toString().replace(" ", "")
        + " peakRssKb=" + peakRssKb() + " cpuMillis=" + cpuMillis() + " compileMillis=" + compileMillis()
        + " checkpoints=" + checkpoints);
    System.exit(0);
  }

  /**
   * A Sluice job's checkpoint figures, read by reflection (a Flink run has no Sluice classes), as
   * completed:declined:p50Millis:p99Millis:bytesWritten:bytesShared; "none" without them.
   */
  private static String checkpointStats(PipelineResult result) {
    try {
      Object summary = result.getClass().getMethod("checkpointStats").invoke(result);
      if (summary == null) {
        return "none";
      }
      StringBuilder fields = new StringBuilder();
      for (String name : List.of("completed", "declined", "durationP50Millis", "durationP99Millis", "bytesWritten",
          "bytesShared")) {
        fields.append(fields.length() == 0 ? "" : ":").append(summary.getClass().getMethod(name).invoke(summary));
      }
      return fields.toString();
    } catch (ReflectiveOperationException e) {
      return "none";
    }
  }

  private static void clean(Path directory) throws Exception {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * CPU time this process has used, native threads (RocksDB's) included: on a shared machine it
   * varies less than wall time with what the neighbours do, so costs are also given in it.
   */
  private static long cpuMillis() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean
        ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1_000_000
        : -1;
  }

  /**
   * CPU time of the JIT compiler threads, in ms (-1 without /proc): in a run of seconds they take a
   * large share of the CPU, and a code path the other variant never takes (checkpoints) is compiled
   * once per JVM, whatever the job's length. Read from /proc, as the JVM's own compilation time is
   * elapsed time, which on a busy machine counts waiting for a core.
   */
  private static long compileMillis() {
    long ticks = 0;
    try (Stream<Path> tasks = Files.list(Paths.get("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (java.io.IOException gone) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.contains("CompilerThre")) {
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
      }
    } catch (Exception e) {
      return -1;
    }
    // Clock ticks: 100 per second on Linux (USER_HZ).
    return ticks * 10;
  }

  /** The JVM's peak resident set (VmHWM), or -1 where /proc is not there. */
  private static long peakRssKb() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(Arrays.stream(line.split("\\s+")).skip(1).findFirst().orElse("-1"));
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }
}
