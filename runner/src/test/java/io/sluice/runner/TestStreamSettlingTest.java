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
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A TestStream applies each event, its first one too, to a job that has settled: a bounded side
 * input that is slow to start is complete before the first element, so the bundle that element
 * opens ends at the next watermark, and its finalization callback runs before the next element.
 */
class TestStreamSettlingTest {

  private static final AtomicBoolean FINALIZED = new AtomicBoolean();
  private static final List<String> OUTPUT = Collections.synchronizedList(new ArrayList<>());

  @Test
  void aSlowSideInputIsCompleteBeforeTheFirstEvent() {
    FINALIZED.set(false);
    OUTPUT.clear();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=2").create());
    PCollectionView<String> side = p.apply("Side", Create.of("side"))
        .apply("SlowStart", ParDo.of(new SlowStart()))
        .apply(View.asSingleton());
    p.apply(TestStream.create(StringUtf8Coder.of())
            .addElements("first")
            .advanceWatermarkTo(GlobalWindow.INSTANCE.maxTimestamp())
            .addElements("second")
            .advanceWatermarkToInfinity())
        .apply("OutputOnceFinalized", ParDo.of(new OutputOnceFinalized(side)).withSideInputs(side));
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> p.run().waitUntilFinish());
    assertEquals(List.of("second/side"), new ArrayList<>(OUTPUT));
  }

  private static class SlowStart extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String s, OutputReceiver<String> out) throws InterruptedException {
      Thread.sleep(1000);
      out.output(s);
    }
  }

  /** Outputs an element only once an earlier bundle's finalization callback has run. */
  private static class OutputOnceFinalized extends DoFn<String, Void> {
    private final PCollectionView<String> side;

    OutputOnceFinalized(PCollectionView<String> side) {
      this.side = side;
    }

    @ProcessElement
    public void process(ProcessContext c, BundleFinalizer finalizer) {
      if (FINALIZED.get()) {
        OUTPUT.add(c.element() + "/" + c.sideInput(side));
      }
      finalizer.afterBundleCommit(Instant.now().plus(org.joda.time.Duration.standardMinutes(5)), () -> FINALIZED.set(true));
    }
  }
}
