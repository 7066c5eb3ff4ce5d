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

/** How Flattens come out of fusion: run by the runner, each collection produced exactly once. */
class FlattenFusionTest {

  /** The shape of Beam's TestStreamTest#testMultiStage, on which Beam's fuser alone leaves a collection unproduced. */
  @Test
  void aFlattenOfARunnerPrimitiveAndAStageRunsInTheRunnerAndEveryInputIsProduced() throws Exception {
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
    QueryablePipeline graph = QueryablePipeline.forTransforms(fused.getRootTransformIdsList(), fused.getComponents());
    List<PipelineNode.PTransformNode> flattens = graph.getTransforms().stream()
        .filter(t -> PortablePipelineTranslator.RUNNER_FLATTEN_URN.equals(t.getTransform().getSpec().getUrn()))
        .toList();
    assertEquals(1, flattens.size(), "the Flatten runs once, in the runner");
    for (String id : fused.getRootTransformIdsList()) {
      RunnerApi.PTransform transform = fused.getComponents().getTransformsOrThrow(id);
      if (ExecutableStage.URN.equals(transform.getSpec().getUrn())) {
        RunnerApi.ExecutableStagePayload stage = RunnerApi.ExecutableStagePayload.parseFrom(
            transform.getSpec().getPayload());
        for (String inner : stage.getTransformsList()) {
          String urn = fused.getComponents().getTransformsOrThrow(inner).getSpec().getUrn();
          assertTrue(!urn.contains("flatten"), "stage " + id + " holds a flatten: " + inner);
        }
      }
    }
  }
}
