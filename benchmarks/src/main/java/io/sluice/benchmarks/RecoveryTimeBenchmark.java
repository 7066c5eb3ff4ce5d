package io.sluice.benchmarks;

import io.sluice.execution.checkpoint.CheckpointStats;
import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.SluicePipelineResult;
import io.sluice.runner.SluiceRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Recovery time with a large RocksDB state: a streaming job fills keyed state (one value of {@code
 * valueBytes} per key for {@code keys} keys, 1 GB by default), checkpoints every second, and once a
 * checkpoint holding all of it has completed a DoFn throws; the job restarts from that checkpoint.
 * Measured: from the throw to the first element the restored job emits downstream. Runs in a fresh
 * JVM with only Sluice on the classpath; writes RECOVERY.md. Options, as --name=value: keys
 * (1000000), valueBytes (1000), rate (100000 per second), out (benchmarks/results), work
 * (benchmarks/target/recovery-bench), heap (2g).
 */
public final class RecoveryTimeBenchmark {

  /** Set by the watcher thread once a checkpoint holds the whole state; read by the DoFn. */
  static final AtomicBoolean FAIL_NOW = new AtomicBoolean();
  static final AtomicLong FAILED_AT_NANOS = new AtomicLong();
  static final AtomicLong FIRST_OUTPUT_AFTER_FAILURE_NANOS = new AtomicLong();
  static final AtomicLong STATE_KEYS_WRITTEN = new AtomicLong();

  private RecoveryTimeBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args);
      return;
    }
    String keys = option(args, "keys", "1000000");
    String valueBytes = option(args, "valueBytes", "1000");
    String rate = option(args, "rate", "100000");
    Path out = Paths.get(option(args, "out", "benchmarks/results"));
    Path work = Paths.get(option(args, "work", "benchmarks/target/recovery-bench")).toAbsolutePath();
    Files.createDirectories(out);
    Files.createDirectories(work);
    Path log = work.resolve("child.log");
    List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + option(args, "heap", "2g"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-cp", Runner.SLUICE.classpathFor(System.getProperty("java.class.path")),
        RecoveryTimeBenchmark.class.getName(), "--child", keys, valueBytes, rate, work.toString()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!child.waitFor(30, TimeUnit.MINUTES)) {
      child.destroyForcibly();
      throw new IllegalStateException("the recovery benchmark did not finish in 30 minutes; see " + log);
    }
    String result = null;
    for (String line : Files.readAllLines(log)) {
      if (line.startsWith("RECOVERY-RESULT ")) {
        result = line.substring("RECOVERY-RESULT ".length()).replace(" NL ", "\n");
      }
    }
    if (result == null) {
      throw new IllegalStateException("the recovery benchmark failed; see " + log);
    }
    String report = "# Recovery time\n\n" + result + "\n\nProduced by `RecoveryTimeBenchmark` (keys " + keys
        + ", value bytes " + valueBytes + ", " + rate + " elements per second, RocksDB, parallelism 2, checkpoints"
        + " every second). Measured from the DoFn's exception to the first element the restarted job emits"
        + " downstream of it (`--executionRetryDelay=0`).\n";
    Files.writeString(out.resolve("RECOVERY.md"), report, StandardCharsets.UTF_8);
    System.out.println(report);
  }

  private static void child(String[] args) throws Exception {
    long keys = Long.parseLong(args[1]);
    int valueBytes = Integer.parseInt(args[2]);
    long rate = Long.parseLong(args[3]);
    Path work = Paths.get(args[4]);
    SluicePipelineOptions options = PipelineOptionsFactory.create().as(SluicePipelineOptions.class);
    options.setRunner(SluiceRunner.class);
    options.setJobName("recovery-bench");
    options.setStreaming(true);
    options.setParallelism(2);
    options.setStateBackend("rocksdb");
    options.setStateDirectory(work.resolve("state").toString());
    options.setCheckpointDir(work.resolve("checkpoints").toString());
    options.setCheckpointingInterval(1000L);
    options.setExecutionRetryDelay(0L);
    options.setBlockOnRun(false);
    long total = keys + rate * 600;
    Pipeline p = Pipeline.create(options);
    p.apply(GenerateSequence.from(0).to(total).withRate(rate, Duration.standardSeconds(1)))
        .apply(MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
            .via(i -> KV.of(i < keys ? i : i % 1000, i)))
        .setCoder(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()))
        .apply("Hold", ParDo.of(new HoldState(keys, valueBytes)))
        .apply("Watch", ParDo.of(new Watch()));
    long start = System.nanoTime();
    SluicePipelineResult result = (SluicePipelineResult) p.run();
    long fullAtCheckpoint = -1;
    CheckpointStats.Summary holding = null;
    while (FIRST_OUTPUT_AFTER_FAILURE_NANOS.get() == 0) {
      if (result.getState().isTerminal()) {
        throw new IllegalStateException("the job ended: " + result.getState());
      }
      CheckpointStats.Summary stats = result.checkpointStats();
      if (fullAtCheckpoint < 0 && STATE_KEYS_WRITTEN.get() >= keys) {
        // The next checkpoint to start holds every key.
        fullAtCheckpoint = stats.last() == null ? 0 : stats.last().id() + 1;
      }
      if (fullAtCheckpoint >= 0 && !FAIL_NOW.get() && stats.last() != null && stats.last().id() > fullAtCheckpoint) {
        holding = stats;
        FAIL_NOW.set(true);
      }
      Thread.sleep(5);
    }
    long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(FIRST_OUTPUT_AFTER_FAILURE_NANOS.get() - FAILED_AT_NANOS.get());
    result.cancel();
    CheckpointStats.Summary.Last last = holding.last();
    System.out.println(String.format(Locale.ROOT, "RECOVERY-RESULT | state | checkpoint restored | its duration"
        + " | written anew / shared | recovery (failure to first output) |%n|---|---|---:|---|---:|%n"
        + "| %d keys x %d bytes, filled in %d s | %d | %d ms | %.1f MiB / %.1f MiB | **%d ms** |",
        keys, valueBytes, TimeUnit.NANOSECONDS.toSeconds(FAILED_AT_NANOS.get() - start), last.id(),
        last.durationMillis(), last.bytesWritten() / 1048576.0, last.bytesShared() / 1048576.0, recoveryMillis)
        .replace("\n", " NL "));
    System.exit(0);
  }

  private static String option(String[] args, String name, String fallback) {
    for (String arg : args) {
      if (arg.startsWith("--" + name + "=")) {
        return arg.substring(name.length() + 3);
      }
    }
    return fallback;
  }

  /** Keeps a random value per key; throws once when told to; passes on elements past the state-filling ones. */
  static final class HoldState extends DoFn<KV<Long, Long>, Long> {
    private final long keys;
    private final int valueBytes;

    @StateId("value")
    private final StateSpec<ValueState<byte[]>> valueSpec = StateSpecs.value(ByteArrayCoder.of());

    HoldState(long keys, int valueBytes) {
      this.keys = keys;
      this.valueBytes = valueBytes;
    }

    @ProcessElement
    public void process(@Element KV<Long, Long> element, @StateId("value") ValueState<byte[]> value,
        OutputReceiver<Long> out) {
      if (FAIL_NOW.get() && FAILED_AT_NANOS.get() == 0) {
        FAILED_AT_NANOS.set(System.nanoTime());
        throw new IllegalStateException("failing once, with the whole state checkpointed");
      }
      if (element.getValue() < keys) {
        // Random bytes: RocksDB compresses its files, and state that compresses to a tenth would not
        // be the size the benchmark claims.
        byte[] bytes = new byte[valueBytes];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
        value.write(bytes);
        STATE_KEYS_WRITTEN.incrementAndGet();
      } else {
        out.output(element.getValue());
      }
    }
  }

  /** Notes the first element a restarted attempt emits (an instance set up after the failure). */
  static final class Watch extends DoFn<Long, Void> {
    private transient long setUpNanos;

    @Setup
    public void setUp() {
      setUpNanos = System.nanoTime();
    }

    @ProcessElement
    public void process(@Element Long element) {
      long failedAt = FAILED_AT_NANOS.get();
      if (failedAt != 0 && setUpNanos > failedAt && FIRST_OUTPUT_AFTER_FAILURE_NANOS.get() == 0) {
        FIRST_OUTPUT_AFTER_FAILURE_NANOS.compareAndSet(0, System.nanoTime());
      }
    }
  }
}
