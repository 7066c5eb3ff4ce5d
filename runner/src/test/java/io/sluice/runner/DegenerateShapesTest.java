package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Jobs of degenerate shapes end, DONE, at once: nothing to run, only empty sources, parallelism one. */
class DegenerateShapesTest {

  private static final Duration BOUND = Duration.ofSeconds(30);

  private static Pipeline pipeline(boolean streaming, String... extra) {
    String[] args = new String[extra.length + 2];
    args[0] = "--runner=SluiceRunner";
    args[1] = "--streaming=" + streaming;
    System.arraycopy(extra, 0, args, 2, extra.length);
    return Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
  }

  private static void assertDone(Pipeline p) {
    PipelineResult.State state = assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish());
    assertEquals(PipelineResult.State.DONE, state);
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void aPipelineWithNoTransformsIsDoneAtOnce(boolean streaming) {
    Pipeline p = pipeline(streaming);
    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> p.run());
    assertEquals(PipelineResult.State.DONE, assertTimeoutPreemptively(BOUND, () -> result.waitUntilFinish()));
    assertEquals(PipelineResult.State.DONE, result.getState());
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void aNonBlockingRunOfNothingIsDone(boolean streaming) {
    Pipeline p = pipeline(streaming, "--blockOnRun=false");
    PipelineResult result = assertTimeoutPreemptively(BOUND, () -> p.run());
    assertEquals(PipelineResult.State.DONE, assertTimeoutPreemptively(BOUND, () -> result.waitUntilFinish()));
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void everySourceEmpty(boolean streaming) {
    Pipeline p = pipeline(streaming, "--parallelism=3");
    PCollection<KV<String, Long>> empty =
        p.apply(Create.empty(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));
    PAssert.that(empty.apply(GroupByKey.create())).empty();
    PAssert.that(empty.apply(Sum.longsPerKey())).empty();
    PAssert.thatSingleton(empty.apply(Count.globally())).isEqualTo(0L);
    PAssert.thatSingleton(p.apply("Side", Create.empty(VarLongCoder.of())).apply(View.asList())
            .getPCollection().apply("CountSide", Count.globally()))
        .isEqualTo(0L);
    assertDone(p);
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void aFlattenOfNothingIsAVertexWithNoInput(boolean streaming) {
    Pipeline p = pipeline(streaming);
    PCollection<Long> nothing = PCollectionList.<Long>empty(p).apply(Flatten.pCollections());
    nothing.setCoder(VarLongCoder.of());
    PAssert.that(nothing).empty();
    PAssert.thatSingleton(nothing.apply(Count.globally())).isEqualTo(0L);
    assertDone(p);
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void parallelismOneEverywhere(boolean streaming) {
    Pipeline p = pipeline(streaming, "--parallelism=1");
    PCollection<KV<String, Long>> input = p.apply(Create.of(KV.of("a", 1L), KV.of("b", 2L), KV.of("a", 3L)));
    PAssert.that(input.apply(Sum.longsPerKey())).containsInAnyOrder(List.of(KV.of("a", 4L), KV.of("b", 2L)));
    PAssert.thatSingleton(input.apply(Count.globally())).isEqualTo(3L);
    assertDone(p);
  }
}
