package io.sluice.portability.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.construction.PipelineTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.util.construction.graph.QueryablePipeline;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/** How Flattens come out of fusion: each collection they consume produced. */
class FlattenFusionTest {

  /** The shape of Beam's TestStreamTest#testMultiStage: a Flatten of a runner primitive's output and a stage's. */
  @Test
  void aFlattenOfARunnerPrimitiveAndAStageHasEveryInputProduced() throws Exception {
    Pipeline p = Pipeline.create();
    PCollection<String> input = p.apply(TestStream.create(StringUtf8Coder.of()).addElements("a")
        .advanceWatermarkToInfinity());
    PCollection<String> grouped = input.apply(Window.into(FixedWindows.of(Duration.standardSeconds(1))))
        .apply(MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
            .via(e -> KV.of(e, e)))
        .apply(GroupByKey.create()).apply(Keys.create())
        .apply("Upper", MapElements.into(TypeDescriptors.strings()).via(String::toUpperCase))
        .apply("Rewindow", Window.into(new GlobalWindows()));
    PCollectionList.of(input).and(grouped).apply(Flatten.pCollections())
        .apply("Key", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
            .via(e -> KV.of("key", e)));

    RunnerApi.Pipeline fused = PortablePipelineTranslator.fuse(PipelineTranslation.toProto(p));

    // Throws if a collection is consumed but never produced.
    QueryablePipeline.forTransforms(fused.getRootTransformIdsList(), fused.getComponents());
  }

  /**
   * Python's shape (fn_runner_test's test_flatten_and_gbk): an SDK's Flatten carries an
   * environment; a collection both flattened and grouped. Stripped of its environment, the Flatten
   * would be run by the runner and fused into a stage both.
   */
  @Test
  void aFlattenWithAnEnvironmentStaysInTheStagesThatProduceItsInputs() throws Exception {
    Pipeline p = Pipeline.create();
    PCollection<KV<String, String>> first = p.apply("First", org.apache.beam.sdk.transforms.Create.of(KV.of("a", "1")));
    PCollection<KV<String, String>> second = p.apply("Second", org.apache.beam.sdk.transforms.Create.of(KV.of("b", "2")));
    PCollectionList.of(first).and(second).apply(Flatten.pCollections())
        .apply("After", MapElements.into(TypeDescriptors.strings()).via(KV::getKey));
    first.apply(GroupByKey.create());
    RunnerApi.Pipeline proto = PipelineTranslation.toProto(p);
    RunnerApi.Pipeline.Builder withEnvironment = proto.toBuilder();
    String environment = proto.getComponents().getEnvironmentsMap().keySet().iterator().next();
    proto.getComponents().getTransformsMap().forEach((id, transform) -> {
      if (transform.getSpec().getUrn().equals(org.apache.beam.sdk.util.construction.PTransformTranslation.FLATTEN_TRANSFORM_URN)) {
        withEnvironment.getComponentsBuilder().putTransforms(id, transform.toBuilder().setEnvironmentId(environment).build());
      }
    });

    RunnerApi.Pipeline fused = PortablePipelineTranslator.fuse(withEnvironment.build());

    // Throws if a collection is consumed but never produced.
    QueryablePipeline.forTransforms(fused.getRootTransformIdsList(), fused.getComponents());
  }
}
