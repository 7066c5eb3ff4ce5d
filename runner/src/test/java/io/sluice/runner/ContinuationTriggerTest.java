package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A processing-time trigger upstream, its continuation (synchronized processing time) downstream:
 * while an upstream stage is busy the downstream fires early panes of what it has, but a pane the
 * upstream completes at the end reaches the downstream with its watermark and is fired on time, not
 * early (which counted it twice in an early pane: 84 where 42 was expected). Before the fix this
 * failed in most repetitions, so it repeats.
 */
class ContinuationTriggerTest {

  private static final List<String> PANES = new CopyOnWriteArrayList<>();

  /** Outputs 42, then sleeps at the end of input: the upstream stage is busy for a while. */
  static class OutputThenDelay extends DoFn<KV<String, Long>, Integer> {
    @TimerId("delay")
    private final TimerSpec delay = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(BoundedWindow window, OutputReceiver<Integer> out, @TimerId("delay") Timer timer) {
      out.output(42);
      timer.set(window.maxTimestamp().minus(org.joda.time.Duration.millis(10)));
    }

    @OnTimer("delay")
    public void onDelay() throws InterruptedException {
      Thread.sleep(500);
    }
  }

  static class RecordPane extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(ProcessContext c) {
      PaneInfo pane = c.pane();
      PANES.add(pane.getTiming() + " " + c.element());
    }
  }

  @RepeatedTest(8)
  void aPaneCompletedUpstreamIsFiredOnTimeDownstream() {
    PANES.clear();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=2").create());
    p.apply(GenerateSequence.from(0).to(1))
        .apply(WithKeys.of("k"))
        .apply(ParDo.of(new OutputThenDelay()))
        .apply(Window.<Integer>configure()
            .triggering(Repeatedly.forever(
                AfterProcessingTime.pastFirstElementInPane().plusDelayOf(org.joda.time.Duration.millis(1))))
            .accumulatingFiredPanes()
            .withAllowedLateness(org.joda.time.Duration.ZERO))
        .apply("First", Sum.integersGlobally().withoutDefaults())
        .apply("Second", Sum.integersGlobally().withoutDefaults())
        .apply(ParDo.of(new RecordPane()));
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> p.run().waitUntilFinish());
    List<String> early = new ArrayList<>();
    for (String pane : PANES) {
      if (pane.startsWith("EARLY")) {
        early.add(pane);
      }
    }
    assertEquals(List.of("EARLY 42"), early, "all panes: " + PANES);
    assertEquals("ON_TIME 84", PANES.get(PANES.size() - 1), "all panes: " + PANES);
  }
}
