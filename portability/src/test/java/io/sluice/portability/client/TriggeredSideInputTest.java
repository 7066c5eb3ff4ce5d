package io.sluice.portability.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.Latest;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A side input that fires panes as it goes (Beam's ViewTest#testTriggeredLatestSingleton, with a
 * source short enough to read in one shard): main input reads it once a pane of its window has
 * come, and sees the latest pane only. Reading side inputs whole before any main input, a stage
 * served every pane's value to a singleton view, which then holds more than one.
 */
class TriggeredSideInputTest {

  private static final class ReadsLatest extends DoFn<byte[], Long> {
    @ProcessElement
    public void process(@SideInput("latest") Long latest, OutputReceiver<Long> out) {
      out.output(latest);
    }
  }

  @Test
  void mainInputReadsTheLatestPaneOfATriggeredSideInput() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluicePortableRunner").create());
    PCollectionView<Long> view = p
        .apply(GenerateSequence.from(0).to(25).withRate(1, Duration.millis(100)).withTimestampFn(Instant::new))
        .apply("Window side input", Window.<Long>into(FixedWindows.of(Duration.standardSeconds(1)))
            .triggering(Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane()))
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes())
        .apply(Reify.timestamps())
        .apply(Combine.globally(Latest.<Long>combineFn()).withoutDefaults().asSingletonView());
    PCollection<Long> read = p
        .apply(Impulse.create())
        .apply(WithTimestamps.of(impulse -> new Instant(0)))
        .apply("Window main input", Window.into(FixedWindows.of(Duration.standardSeconds(1))))
        .apply(ParDo.of(new ReadsLatest()).withSideInput("latest", view));
    PAssert.that(read).inWindow(new IntervalWindow(new Instant(0), new Instant(1000))).satisfies(values -> {
      long count = 0;
      for (Long value : values) {
        count++;
        if (value < 0 || value >= 25) {
          throw new AssertionError("not an element of the side input: " + value);
        }
      }
      assertEquals(1, count, "one read of the side input");
      return null;
    });

    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    long successes = 0;
    for (MetricResult<Long> counter : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PAssert.class, PAssert.SUCCESS_COUNTER)).build()).getCounters()) {
      successes += counter.getAttempted();
    }
    assertEquals(1, successes, "the PAssert ran");
  }
}
