package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@code Wait.on(signal)} holds a window of the main input until the signal's window that covers it
 * is complete: until the signal's watermark passes that window's end plus its allowed lateness,
 * even when the signal's window was empty at its end and a late element fills it afterwards.
 */
class WaitOnTest {

  private static final AtomicBoolean SIGNAL_SEEN = new AtomicBoolean();
  /** For each main-input element let through: whether the signal had been seen by then. */
  private static final List<Boolean> SEEN_WHEN_RELEASED = Collections.synchronizedList(new ArrayList<>());

  private static Instant minutes(double m) {
    return new Instant((long) (m * 60_000));
  }

  private static List<Boolean> run(WindowFn<Object, ?> mainWindows) {
    SIGNAL_SEEN.set(false);
    SEEN_WHEN_RELEASED.clear();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=2").create());
    PCollection<String> events = p.apply(TestStream.create(StringUtf8Coder.of())
        .addElements(TimestampedValue.of("main", minutes(0.5)))
        // The signal's window [0, 10 min) is still empty when the watermark passes its end...
        .advanceWatermarkTo(minutes(11))
        // ...and a late signal element fills it, within the allowed lateness of 5 minutes.
        .addElements(TimestampedValue.of("signal", minutes(5)))
        .advanceWatermarkTo(minutes(20))
        .advanceWatermarkToInfinity());
    PCollection<String> signal = events
        .apply("Signals", Filter.equal("signal"))
        .apply("SignalWindows", Window.<String>into(FixedWindows.of(org.joda.time.Duration.standardMinutes(10)))
            .withAllowedLateness(org.joda.time.Duration.standardMinutes(5))
            .discardingFiredPanes())
        .apply("SeeSignal", ParDo.of(new SeeSignal()));
    events
        .apply("Mains", Filter.equal("main"))
        .apply("MainWindows", Window.into(mainWindows))
        .apply(Wait.on(signal))
        .apply("Released", ParDo.of(new Released()));
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> p.run().waitUntilFinish());
    return new ArrayList<>(SEEN_WHEN_RELEASED);
  }

  @Test
  void mainInFixedWindowsOfAnotherSizeWaitsForTheLateSignal() {
    assertEquals(List.of(true), run(cast(FixedWindows.of(org.joda.time.Duration.standardMinutes(1)))));
  }

  @Test
  void mainInSlidingWindowsWaitsForTheLateSignal() {
    assertEquals(List.of(true, true), run(cast(SlidingWindows.of(org.joda.time.Duration.standardMinutes(2))
        .every(org.joda.time.Duration.standardMinutes(1)))));
  }

  @SuppressWarnings("unchecked")
  private static WindowFn<Object, ?> cast(WindowFn<?, ?> fn) {
    return (WindowFn<Object, ?>) fn;
  }

  private static class SeeSignal extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String s, OutputReceiver<String> out) {
      SIGNAL_SEEN.set(true);
      out.output(s);
    }
  }

  private static class Released extends DoFn<String, Void> {
    @ProcessElement
    public void process(@Element String s) {
      SEEN_WHEN_RELEASED.add(SIGNAL_SEEN.get());
    }
  }
}
