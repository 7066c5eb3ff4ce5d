package io.sluice.portability.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A portable streaming job with checkpoints (its user code in the SDK harness): a DoFn that reads a
 * side input throws once, after the side input has ended; the job restarts from its latest
 * checkpoint and must give each key and window the sums a run without the failure gives. The side
 * input, which ended before the checkpoint, is not sent again: the stage has it from the checkpoint.
 */
class PortableRecoveryTest {

  private static final int KEYS = 5;
  private static final int WINDOWS = 4;
  private static final long PER_WINDOW = 100;
  private static final AtomicBoolean THROWN = new AtomicBoolean();
  /** By run: each key and window's sum, as the job last wrote it. */
  private static final Map<String, Map<String, Long>> SUMS = new ConcurrentHashMap<>();

  @TempDir
  Path temp;

  private static final class TimesSide extends DoFn<KV<Long, Long>, KV<Long, Long>> {
    private final PCollectionView<Iterable<Long>> side;
    private final long failAt;

    TimesSide(PCollectionView<Iterable<Long>> side, long failAt) {
      this.side = side;
      this.failAt = failAt;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      long factor = 0;
      for (long value : c.sideInput(side)) {
        factor += value;
      }
      if (c.element().getValue() == failAt && THROWN.compareAndSet(false, true)) {
        throw new IllegalStateException("thrown once, at element " + failAt);
      }
      c.output(KV.of(c.element().getKey(), c.element().getValue() * factor));
    }
  }

  private static final class Record extends DoFn<KV<Long, Long>, Void> {
    private final String run;

    Record(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process(@Element KV<Long, Long> sum, BoundedWindow window) {
      SUMS.computeIfAbsent(run, r -> new ConcurrentHashMap<>())
          .put(sum.getKey() + "@" + ((IntervalWindow) window).start().getMillis(), sum.getValue());
    }
  }

  @Test
  void aFailureAfterTheSideInputEndedLosesNothing() throws Exception {
    Map<String, Long> expected = new TreeMap<>();
    for (long i = 0; i < WINDOWS * PER_WINDOW; i++) {
      expected.merge((i % KEYS) + "@" + (i / PER_WINDOW) * 1000, i * 6, Long::sum);
    }
    THROWN.set(true);
    assertEquals(expected, run("clean", -1));
    THROWN.set(false);
    long failAt = 250 + new java.util.Random().nextInt(100);
    assertEquals(expected, run("failing", failAt), "failing at element " + failAt);
    assertTrue(THROWN.get(), "the DoFn never threw");
    try (Stream<Path> checkpoints = Files.walk(temp.resolve("checkpoints-failing"))) {
      assertTrue(checkpoints.anyMatch(p -> p.getFileName().toString().startsWith("chk-")), "no checkpoint was taken");
    }
  }

  /** Runs the job until the first windows are summed, then cancels it; returns those windows' sums. */
  private Map<String, Long> run(String name, long failAt) throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluicePortableRunner", "--streaming=true",
        "--blockOnRun=false", "--checkpointingInterval=100",
        "--checkpointDir=" + temp.resolve("checkpoints-" + name), "--jobName=recovery-" + name).create());
    PCollectionView<Iterable<Long>> side = p.apply("Side", Create.of(1L, 2L, 3L)).apply(View.asIterable());
    p.apply(GenerateSequence.from(0).withRate(200, Duration.standardSeconds(1))
            .withTimestampFn(i -> new Instant(i * 1000 / PER_WINDOW)))
        .apply(WithKeys.of((Long i) -> i % KEYS).withKeyType(TypeDescriptors.longs()))
        .setCoder(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()))
        // A stage of its own reads the side input, in short bundles between checkpoints.
        .apply(Reshuffle.of())
        .apply(ParDo.of(new TimesSide(side, failAt)).withSideInputs(side))
        .apply(Window.into(FixedWindows.of(Duration.standardSeconds(1))))
        .apply(Sum.longsPerKey())
        .apply(ParDo.of(new Record(name)));
    PipelineResult result = p.run();
    try {
      long deadline = System.currentTimeMillis() + 120_000;
      while (firstWindows(name).size() < KEYS * WINDOWS) {
        assertTrue(System.currentTimeMillis() < deadline, "the first windows were not all summed in 2 minutes: "
            + firstWindows(name) + " (" + result.getState() + ")");
        Thread.sleep(100);
      }
      return firstWindows(name);
    } finally {
      result.cancel();
    }
  }

  private static Map<String, Long> firstWindows(String run) {
    Map<String, Long> first = new TreeMap<>();
    SUMS.getOrDefault(run, Map.of()).forEach((window, sum) -> {
      if (Long.parseLong(window.substring(window.indexOf('@') + 1)) < WINDOWS * 1000L) {
        first.put(window, sum);
      }
    });
    return first;
  }
}
