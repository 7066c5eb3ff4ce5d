package io.sluice.benchmarks;

import io.sluice.benchmarks.cluster.ShuffleJob;
import io.sluice.benchmarks.cluster.TimelineJob;
import io.sluice.benchmarks.workloads.Workload;
import io.sluice.execution.cluster.ClusterClient;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.runtime.JobExecution;
import io.sluice.execution.runtime.JobHandle;
import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.cluster.LocalCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Sluice on a cluster of a coordinator and two worker processes on this machine against Sluice
 * embedded in one process; writes CLUSTER.md. Three parts:
 *
 * <ul>
 *   <li>shuffle: the engine's data path alone ({@link ShuffleJob}), every record crossing a loopback
 *       connection between the workers against an in-memory channel, in GB/s and records/s;
 *   <li>workloads: WordCount over 100 MB and the streaming workloads, each in a fresh client JVM,
 *       embedded against submitted to the running cluster (the job's class path is staged each time);
 *   <li>recovery: a streaming job with a checkpoint every 200 ms ({@link TimelineJob}); one worker is
 *       killed with SIGKILL at a random moment; the time from the kill to the first output of the
 *       job restarted on the other worker, with the default restart delay and with none.
 * </ul>
 *
 * <p>Options, as --name=value: parts (shuffle,workloads,recovery), reps (3), warmup (1), workloads
 * (wordcount and the streaming ones), rounds (5, recovery), out (benchmarks/results), data, logs,
 * heap (2g), timeoutSeconds (900), workerJvmArgs (added to the workers' JVM options, space-separated).
 */
public final class ClusterBenchmark {

  private ClusterBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchOptions bench = new BenchOptions(args);
    Map<String, String> options = bench.asMap();
    List<String> parts = Arrays.asList(options.getOrDefault("parts", "shuffle,workloads,recovery").split(","));
    int reps = Integer.parseInt(options.getOrDefault("reps", "3"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
    Path out = bench.out;
    Path data = bench.data;
    Path logs = bench.logs;
    StringBuilder report = new StringBuilder("# Sluice on a cluster against embedded\n\n")
        .append("A coordinator and two worker processes (2 slots, -Xmx2g each) on this machine, started once;")
        .append(" medians of ").append(reps).append(" runs after ").append(warmup).append(" warm-up. ")
        .append(String.format(Locale.ROOT, "%d cores, Java %s.%n%n", Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version")));
    List<String> workerJvm = new ArrayList<>(List.of("-Xmx2g"));
    if (options.containsKey("workerJvmArgs")) {
      // For profiling, e.g. -XX:StartFlightRecording=filename=worker.jfr
      workerJvm.addAll(Arrays.asList(options.get("workerJvmArgs").split(" ")));
    }
    try (LocalCluster cluster = LocalCluster.start(2, 2, workerJvm)) {
      if (parts.contains("shuffle")) {
        shuffle(cluster, reps, warmup, report);
      }
      if (parts.contains("workloads")) {
        workloads(cluster, options, reps, warmup, data, logs, report);
      }
      if (parts.contains("recovery")) {
        recovery(cluster, Integer.parseInt(options.getOrDefault("rounds", "5")), data, report);
      }
    }
    Files.writeString(out.resolve("CLUSTER.md"), report.toString(), StandardCharsets.UTF_8);
    System.err.print(report);
  }

  private static void shuffle(LocalCluster cluster, int reps, int warmup, StringBuilder report) throws Exception {
    report.append("## Shuffle: every record from one worker to the other over loopback, against in-process\n\n")
        .append("| record bytes | records | in-process GB/s | loopback GB/s | in-process Mrec/s | loopback Mrec/s |")
        .append(" loopback / in-process |\n|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int[] shape : new int[][] {{100, 5_000_000}, {1000, 1_000_000}}) {
      int recordBytes = shape[0];
      long records = shape[1];
      List<Long> local = new ArrayList<>();
      List<Long> remote = new ArrayList<>();
      for (int r = 0; r < warmup + reps; r++) {
        long l = shuffleOnce(null, records, recordBytes);
        long c = shuffleOnce(cluster, records, recordBytes);
        log("shuffle %d x %d B: in-process %d ms, loopback %d ms", records, recordBytes, l, c);
        if (r >= warmup) {
          local.add(l);
          remote.add(c);
        }
      }
      long l = Measurement.median(local);
      long c = Measurement.median(remote);
      double gb = (double) records * recordBytes / 1e9;
      report.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f |%n", recordBytes, records,
          gb / (l / 1e3), gb / (c / 1e3), records / 1e6 / (l / 1e3), records / 1e6 / (c / 1e3), (double) l / c));
    }
    report.append("\nThroughput is bytes of record payload per second of the job's run, from submission to its end.\n\n");
  }

  /** One shuffle job's milliseconds, on the cluster or (null) in this process; checks what arrived. */
  private static long shuffleOnce(LocalCluster cluster, long records, int recordBytes) throws Exception {
    JobGraph graph = ShuffleJob.graph(records, recordBytes);
    ShuffleJob.Received received = new ShuffleJob.Received();
    long start = System.nanoTime();
    if (cluster == null) {
      JobExecution.start(graph, ShuffleJob.config(received)).completion().get(10, TimeUnit.MINUTES);
    } else {
      JobHandle job = ClusterClient.submit(new NetConfig(cluster.secret()), cluster.coordinator(), graph,
          ShuffleJob.config(received), List.of());
      job.completion().get(10, TimeUnit.MINUTES);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (received.records() != records || received.bytes() != records * recordBytes) {
      throw new IllegalStateException("the shuffle lost data: " + received.records() + " records, "
          + received.bytes() + " bytes of " + records + " x " + recordBytes);
    }
    return millis;
  }

  private static void workloads(LocalCluster cluster, Map<String, String> options, int reps, int warmup, Path data,
      Path logs, StringBuilder report) throws Exception {
    List<String> names = new ArrayList<>();
    if (options.containsKey("workloads")) {
      names.addAll(Arrays.asList(options.get("workloads").split(",")));
    } else {
      names.add("wordcount");
      names.addAll(Workloads.STREAMING);
    }
    String heap = options.getOrDefault("heap", "2g");
    long timeout = Long.parseLong(options.getOrDefault("timeoutSeconds", "900"));
    String clusterArgs = "--coordinator=" + cluster.coordinator().getHostString() + ":"
        + cluster.coordinator().getPort() + " --clusterSecretFile=" + cluster.secretFile();
    String classpath = System.getProperty("java.class.path");
    report.append("## Workloads: embedded against submitted to the cluster\n\n")
        .append("Each run is a fresh client JVM (wall time, its start-up included); on the cluster the client")
        .append(" stages its class path to the coordinator (content-addressed: only the first run uploads).\n\n")
        .append("| workload | size | embedded ms | cluster ms | cluster / embedded | embedded rec/s | cluster rec/s |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (String name : names) {
      Workload workload = Workloads.get(name);
      long size = Workloads.DEFAULT_SIZES.get(name);
      workload.prepare(size, data);
      Measurement embedded = new Measurement(name, Runner.SLUICE, size, workload.records(size), "");
      Measurement onCluster = new Measurement(name, Runner.SLUICE, size, workload.records(size), clusterArgs);
      for (int r = 0; r < warmup + reps; r++) {
        boolean record = r >= warmup;
        ForkedRun.runOnce(embedded, record ? "rep" + r : "warmup" + r, 1, record, classpath, data, logs, heap, timeout);
        ForkedRun.runOnce(onCluster, record ? "rep" + r : "warmup" + r, 1, record, classpath, data, logs, heap,
            timeout);
      }
      if (!embedded.ok() || !onCluster.ok()) {
        report.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | | | |%n", name, size,
            embedded.ok() ? embedded.medianWallMillis() : "FAILED: " + embedded.failure,
            onCluster.ok() ? onCluster.medianWallMillis() : "FAILED: " + onCluster.failure));
        continue;
      }
      report.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %.0f | %.0f |%n", name, size,
          embedded.medianWallMillis(), onCluster.medianWallMillis(),
          (double) onCluster.medianWallMillis() / embedded.medianWallMillis(), embedded.recordsPerSecond(),
          onCluster.recordsPerSecond()));
    }
    report.append('\n');
  }

  private static void recovery(LocalCluster cluster, int rounds, Path data, StringBuilder report) throws Exception {
    report.append("## Recovery: from a worker's SIGKILL to the first output of the restarted job\n\n")
        .append("A streaming job at 2,000 elements/s, parallelism 2 over both workers, a checkpoint every 200 ms;")
        .append(" a random worker is killed 0 to 1 s after the first complete checkpoint. The job restarts from")
        .append(" its latest checkpoint on the worker that remains.\n\n")
        .append("| restart delay | rounds | median ms | min ms | max ms |\n|---|---:|---:|---:|---:|\n");
    Random random = new Random();
    for (long delay : new long[] {-1, 0}) {
      List<Long> times = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        Path dir = Files.createTempDirectory(data, "timeline-");
        Path output = Files.createDirectories(dir.resolve("output"));
        String jobName = "timeline-" + (delay < 0 ? "default" : delay) + "-" + round;
        SluicePipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--streaming=true",
            "--parallelism=2", "--checkpointingInterval=200", "--executionRetryDelay=" + delay,
            "--checkpointDir=" + dir.resolve("checkpoints"), "--jobName=" + jobName,
            "--coordinator=" + cluster.coordinator().getHostString() + ":" + cluster.coordinator().getPort(),
            "--clusterSecretFile=" + cluster.secretFile()).as(SluicePipelineOptions.class);
        options.setBlockOnRun(false);
        PipelineResult result = TimelineJob.build(options, 2_000L * 600, 2_000, output).run();
        Path root = dir.resolve("checkpoints").resolve(jobName);
        long deadline = System.currentTimeMillis() + 120_000;
        while (!hasCompleteCheckpoint(root)) {
          check(result.getState() == PipelineResult.State.RUNNING, "the job ended before its first checkpoint");
          check(System.currentTimeMillis() < deadline, "no checkpoint within 120 s");
          Thread.sleep(20);
        }
        Thread.sleep(random.nextInt(1000));
        int victim = random.nextInt(2);
        long killed = System.currentTimeMillis();
        cluster.killWorker(victim);
        long first;
        while ((first = TimelineJob.firstOutputAfter(output, killed)) < 0) {
          check(result.getState() == PipelineResult.State.RUNNING, "the job ended instead of recovering");
          check(System.currentTimeMillis() < killed + 120_000, "no output within 120 s of the kill");
          Thread.sleep(5);
        }
        times.add(first - killed);
        log("recovery (delay %d) round %d: worker-%d killed, first output after %d ms", delay, round, victim,
            first - killed);
        result.cancel();
        result.waitUntilFinish(org.joda.time.Duration.standardMinutes(1));
        cluster.startWorker(victim);
        cluster.awaitReady(victim);
      }
      times.sort(null);
      report.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d |%n",
          delay < 0 ? "default (1000 ms)" : delay + " ms", rounds, Measurement.median(times), times.get(0),
          times.get(times.size() - 1)));
    }
    report.append('\n');
  }

  private static boolean hasCompleteCheckpoint(Path root) throws Exception {
    if (!Files.isDirectory(root)) {
      return false;
    }
    try (var list = Files.list(root)) {
      return list.anyMatch(d -> Files.exists(d.resolve("_metadata")));
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  private static void log(String format, Object... args) {
    System.err.printf("[cluster-bench] " + format + "%n", args);
  }
}
