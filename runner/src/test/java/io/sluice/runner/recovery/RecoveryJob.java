package io.sluice.runner.recovery;

import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.SluicePipelineResult;
import io.sluice.runner.SluiceRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The streaming job the recovery tests fail and compare: a rate-limited sequence (an unbounded
 * source read to a limit), keyed by {@code i mod 7}, in 5-second event-time windows, summed per key
 * and window in keyed state and emitted by an event-time timer, and summed again by Combine.perKey,
 * each written by TextIO as windowed files with fixed shards. Its output does not depend on timing, so a run with failures must
 * write exactly what a run without them writes.
 *
 * <p>{@code main} runs it in a JVM of its own, for the tests that kill that JVM.
 */
public final class RecoveryJob {

  /** Thrown once per JVM by the summing DoFn at the element the test chose. */
  static final AtomicBoolean THROWN = new AtomicBoolean();

  /**
   * The rate of a run the test interrupts (cancels, stops, fills the disk under, kills): slow enough
   * that it cannot end on its own before its first checkpoints, which on a loaded machine with a cold
   * JVM take seconds (6,000 elements last 24 s at this rate).
   */
  static final long INTERRUPTED_PER_SECOND = 250;

  private RecoveryJob() {}

  /** Builds the job: {@code failAt} is the element at which to throw once (-1: never). */
  static Pipeline build(SluicePipelineOptions options, long elements, long perSecond, Path output, long failAt) {
    return build(options, elements, perSecond, output, failAt, "Sum");
  }

  /** As above, with the stateful step named {@code sumStep}. */
  static Pipeline build(SluicePipelineOptions options, long elements, long perSecond, Path output, long failAt,
      String sumStep) {
    Pipeline p = Pipeline.create(options);
    PCollection<KV<String, Long>> windowed = p
        .apply("Sequence", GenerateSequence.from(0).to(elements).withRate(perSecond, Duration.standardSeconds(1))
            .withTimestampFn(i -> new Instant(i * 10)))
        .apply("Key", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
            .via(i -> KV.of("k" + (i % 7), i)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("Window", Window.into(FixedWindows.of(Duration.standardSeconds(5))));
    windowed
        .apply(sumStep, ParDo.of(new SumPerWindow(failAt)))
        .apply("Write", TextIO.write().to(output.resolve("out").toString()).withWindowedWrites().withNumShards(2)
            .withSuffix(".txt"));
    // Combine.perKey with the default trigger: an accumulator per key and window, fired at its end.
    windowed
        .apply("SumPerKey", Sum.longsPerKey())
        .apply("FormatSums", ParDo.of(new FormatSum()))
        .apply("WriteSums", TextIO.write().to(output.resolve("out-sums").toString()).withWindowedWrites()
            .withNumShards(2).withSuffix(".txt"));
    return p;
  }

  /** A combined sum as a line: key, window start, sum. */
  static final class FormatSum extends DoFn<KV<String, Long>, String> {
    @ProcessElement
    public void process(@Element KV<String, Long> sum, BoundedWindow window, OutputReceiver<String> out) {
      out.output(sum.getKey() + "," + ((IntervalWindow) window).start().getMillis() + "," + sum.getValue());
    }
  }

  /** Sums each key's values per window in state; the window's end timer emits the sum and count. */
  static final class SumPerWindow extends DoFn<KV<String, Long>, String> {
    private final long failAt;
    private final Counter elements = Metrics.counter(SumPerWindow.class, "elements");

    @StateId("sum")
    private final StateSpec<ValueState<Long>> sumSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("count")
    private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("key")
    private final StateSpec<ValueState<String>> keySpec = StateSpecs.value(StringUtf8Coder.of());

    @TimerId("end")
    private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    SumPerWindow(long failAt) {
      this.failAt = failAt;
    }

    @ProcessElement
    public void process(@Element KV<String, Long> element, BoundedWindow window,
        @StateId("sum") ValueState<Long> sum, @StateId("count") ValueState<Long> count,
        @StateId("key") ValueState<String> key, @TimerId("end") Timer end) {
      if (element.getValue() == failAt && !THROWN.getAndSet(true)) {
        throw new IllegalStateException("failing once at element " + failAt);
      }
      elements.inc();
      Long s = sum.read();
      Long c = count.read();
      sum.write((s == null ? 0 : s) + element.getValue());
      count.write((c == null ? 0 : c) + 1);
      key.write(element.getKey());
      end.set(window.maxTimestamp());
    }

    @OnTimer("end")
    public void onEnd(OnTimerContext context, @StateId("sum") ValueState<Long> sum,
        @StateId("count") ValueState<Long> count, @StateId("key") ValueState<String> key) {
      IntervalWindow window = (IntervalWindow) context.window();
      context.output(key.read() + "," + window.start().getMillis() + "," + count.read() + "," + sum.read());
    }
  }

  /**
   * Streaming options for the job in {@code temp}: checkpoints every {@code checkpointMillis} (-1:
   * none) under {@code temp/checkpoints}, restarts after 50 ms.
   */
  static SluicePipelineOptions options(Path temp, String jobName, int parallelism, long checkpointMillis) {
    SluicePipelineOptions options = PipelineOptionsFactory.create().as(SluicePipelineOptions.class);
    options.setRunner(SluiceRunner.class);
    options.setJobName(jobName);
    options.setStreaming(true);
    options.setParallelism(parallelism);
    options.setStateDirectory(temp.resolve("state").toString());
    options.setCheckpointDir(temp.resolve("checkpoints").toString());
    options.setCheckpointingInterval(checkpointMillis);
    options.setExecutionRetryDelay(50L);
    return options;
  }

  /**
   * Runs the job as it is never disturbed (no checkpoints, no failure, faster) into {@code output}:
   * what every disturbed run must end up writing.
   */
  static void runUndisturbed(Path temp, long elements, long perSecond, Path output) {
    THROWN.set(true);
    PipelineResult.State state = build(options(temp, "undisturbed", 2, -1), elements, 4 * perSecond, output, -1)
        .run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new AssertionError("the undisturbed run ended " + state);
    }
  }

  /**
   * Runs the job undisturbed into {@code output} and returns its lines: 7 keys in 16 windows, by the
   * stateful DoFn and by Combine.
   */
  static List<String> reference(Path temp, long elements, long perSecond, Path output) throws IOException {
    runUndisturbed(temp, elements, perSecond, output);
    List<String> lines = allLines(output);
    if (lines.size() != 2 * 7 * 16) {
      throw new AssertionError("the undisturbed run wrote " + lines.size() + " lines, not 2 x 7 keys x 16 windows");
    }
    return lines;
  }

  /** Whether the job's checkpoint root holds a complete checkpoint. */
  static boolean hasCompleteCheckpoint(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return false;
    }
    try (Stream<Path> list = Files.list(root)) {
      return list.anyMatch(d -> Files.exists(d.resolve("_metadata")));
    }
  }

  /** Waits until the job's stats count {@code n} complete checkpoints (at most a minute). */
  static void awaitCheckpoints(SluicePipelineResult result, long n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (result.checkpointStats().completed() < n) {
      if (System.currentTimeMillis() > deadline || result.getState().isTerminal()) {
        throw new AssertionError("no " + n + " complete checkpoints; job " + result.getState() + ", "
            + result.checkpointStats());
      }
      Thread.sleep(10);
    }
  }

  /** The final files the job wrote (not its temporary ones), by name, each file's lines sorted. */
  static TreeMap<String, List<String>> outputFiles(Path output) throws IOException {
    TreeMap<String, List<String>> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(output)) {
      for (Path file : list.filter(f -> f.getFileName().toString().startsWith("out")).toList()) {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.sort(null);
        files.put(file.getFileName().toString(), lines);
      }
    }
    return files;
  }

  /** Every line of every final file, sorted: what the job computed, however it was sharded. */
  static List<String> allLines(Path output) throws IOException {
    List<String> lines = new ArrayList<>();
    outputFiles(output).values().forEach(lines::addAll);
    lines.sort(null);
    return lines;
  }

  /** Runs the job in this JVM: args are pipeline options plus --elements, --perSecond, --output. */
  public static void main(String[] args) {
    List<String> beamArgs = new ArrayList<>();
    long elements = 0;
    long perSecond = 0;
    Path output = null;
    for (String arg : args) {
      if (arg.startsWith("--elements=")) {
        elements = Long.parseLong(arg.substring("--elements=".length()));
      } else if (arg.startsWith("--perSecond=")) {
        perSecond = Long.parseLong(arg.substring("--perSecond=".length()));
      } else if (arg.startsWith("--output=")) {
        output = Path.of(arg.substring("--output=".length()));
      } else {
        beamArgs.add(arg);
      }
    }
    SluicePipelineOptions options = PipelineOptionsFactory.fromArgs(beamArgs.toArray(new String[0]))
        .as(SluicePipelineOptions.class);
    options.setRunner(SluiceRunner.class);
    SluicePipelineResult result = (SluicePipelineResult) build(options, elements, perSecond, output, -1).run();
    result.waitUntilFinish();
  }
}
