package io.sluice.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.ProcessingTimeMode;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/** What graph a pipeline becomes: which transforms fuse into one vertex, which edges shuffle. */
class PipelineTranslatorTest {

  private final PipelineOptions options = optionsWithoutRunner();

  /** Translation needs no runner; CrashingRunner makes sure nothing here runs a pipeline. */
  private static PipelineOptions optionsWithoutRunner() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(org.apache.beam.sdk.testing.CrashingRunner.class);
    return options;
  }

  private JobGraph translate(Pipeline p) {
    return PipelineTranslator.translate(p, "test", new TranslationSettings(options, 2, 100, false)).graph();
  }

  private static Vertex vertexOf(JobGraph graph, String operatorPrefix) {
    for (Vertex v : graph.vertices()) {
      for (OperatorNode n : v.operators()) {
        if (n.name().startsWith(operatorPrefix)) {
          return v;
        }
      }
    }
    throw new AssertionError("no operator named " + operatorPrefix + "* in\n" + graph.describe());
  }

  private static List<Partitioning.Kind> channelsInto(JobGraph graph, Vertex v) {
    return graph.incomingChannels(v).stream().map(e -> e.partitioning().kind()).collect(Collectors.toList());
  }

  private static SimpleFunction<Integer, Integer> plusOne() {
    return new SimpleFunction<Integer, Integer>() {
      @Override
      public Integer apply(Integer x) {
        return x + 1;
      }
    };
  }

  private static final class KeyByParity extends SimpleFunction<Integer, KV<Integer, Integer>> {
    @Override
    public KV<Integer, Integer> apply(Integer x) {
      return KV.of(x % 2, x);
    }
  }

  private static final class KeyOnly extends SimpleFunction<KV<Integer, Iterable<Integer>>, Integer> {
    @Override
    public Integer apply(KV<Integer, Iterable<Integer>> kv) {
      return kv.getKey();
    }
  }

  private static final class AddSideInputSize extends DoFn<Integer, Integer> {
    private final PCollectionView<List<Integer>> view;

    AddSideInputSize(PCollectionView<List<Integer>> view) {
      this.view = view;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element() + c.sideInput(view).size());
    }
  }

  @Test
  void chainedParDosFuseAndGroupByKeyShufflesByKey() {
    Pipeline p = Pipeline.create(options);
    p.apply("Source", Create.of(1, 2, 3))
        .apply("First", MapElements.via(plusOne()))
        .apply("Second", MapElements.via(plusOne()))
        .apply("Key", MapElements.via(new KeyByParity()))
        .apply("Group", GroupByKey.create())
        .apply("After", MapElements.via(new KeyOnly()));
    JobGraph graph = translate(p);

    Vertex source = vertexOf(graph, "Source");
    assertEquals(source, vertexOf(graph, "First"), graph.describe());
    assertEquals(source, vertexOf(graph, "Second"));
    assertEquals(source, vertexOf(graph, "Key"));
    assertEquals(source, vertexOf(graph, "Group/EncodeKey"), "keys are encoded before the shuffle");
    Vertex group = graph.vertices().stream()
        .filter(v -> v.operators().stream().anyMatch(n -> n.name().equals("Group")))
        .findFirst().orElseThrow();
    assertEquals(List.of(Partitioning.Kind.HASH), channelsInto(graph, group));
    assertEquals(group, vertexOf(graph, "After"), "a ParDo after a GroupByKey fuses into its vertex");
    assertEquals(2, graph.vertices().size(), graph.describe());
  }

  @Test
  void sideInputsArriveOverBroadcastEdges() {
    Pipeline p = Pipeline.create(options);
    PCollectionView<List<Integer>> view = p.apply("SideSource", Create.of(10, 20)).apply(View.asList());
    p.apply("MainSource", Create.of(1, 2))
        .apply("Use", ParDo.of(new AddSideInputSize(view)).withSideInputs(view));
    JobGraph graph = translate(p);

    Vertex use = vertexOf(graph, "Use");
    assertEquals(vertexOf(graph, "MainSource"), use, "the main input stays fused");
    assertEquals(List.of(Partitioning.Kind.BROADCAST), channelsInto(graph, use));
  }

  @Test
  void flattenOfTwoSourcesAndOfOnePCollectionTwice() {
    Pipeline p = Pipeline.create(options);
    PCollection<Integer> a = p.apply("A", Create.of(1));
    PCollection<Integer> b = p.apply("B", Create.of(2));
    PCollectionList.of(a).and(b).apply("AB", Flatten.pCollections());
    PCollectionList.of(a).and(a).apply("AA", Flatten.pCollections());
    JobGraph graph = translate(p);

    Vertex ab = vertexOf(graph, "AB");
    assertEquals(List.of(Partitioning.Kind.FORWARD), channelsInto(graph, ab),
        "fused with one input, the other arrives forward");
    Vertex aa = vertexOf(graph, "AA");
    assertEquals(vertexOf(graph, "A"), aa, "both inputs come from one vertex: fused");
    long aaInputs = graph.edges().stream().filter(e -> e.to().name().equals("AA")).count();
    assertEquals(2, aaInputs, "the same PCollection twice is two inputs");
  }

  @Test
  void combinePerKeyIsLiftedBeforeTheShuffle() {
    Pipeline p = Pipeline.create(options);
    p.apply("Source", Create.of(KV.of("a", 1), KV.of("b", 2))).apply("Sum", org.apache.beam.sdk.transforms.Sum.integersPerKey());
    JobGraph graph = translate(p);
    assertEquals(vertexOf(graph, "Source"), vertexOf(graph, "Sum/PartialCombine"), graph.describe());
    Vertex merge = graph.vertices().stream()
        .filter(v -> v.operators().stream().anyMatch(n -> n.name().equals("Sum")))
        .findFirst().orElseThrow();
    assertEquals(List.of(Partitioning.Kind.HASH), channelsInto(graph, merge));
    assertTrue(graph.vertices().stream().flatMap(v -> v.operators().stream())
        .noneMatch(n -> n.name().contains("GroupByKey")), "no GroupByKey left: " + graph.describe());
  }

  @Test
  void streamingCombinePerKeyIsOneCombiningGroupByKeyWhateverTheTrigger() {
    Pipeline p = Pipeline.create(options);
    p.apply("Endless", GenerateSequence.from(0))
        .apply("Keyed", WithKeys.of("k"))
        .apply(Window.<KV<String, Long>>into(Sessions.withGapDuration(Duration.standardSeconds(1)))
            .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(2)))
            .withAllowedLateness(Duration.standardSeconds(5)).accumulatingFiredPanes())
        .apply("Sum", org.apache.beam.sdk.transforms.Sum.longsPerKey());
    JobGraph graph = PipelineTranslator.translate(p, "test", new TranslationSettings(options, 2, 100, false)).graph();
    Vertex sum = graph.vertices().stream()
        .filter(v -> v.operators().stream().anyMatch(n -> n.name().equals("Sum")))
        .findFirst().orElseThrow();
    assertEquals(List.of("Sum"), sum.operators().stream().map(OperatorNode::name).collect(Collectors.toList()),
        "one operator, panes holding accumulators: " + graph.describe());
    assertTrue(graph.vertices().stream().flatMap(v -> v.operators().stream())
        .noneMatch(n -> n.name().contains("GroupByKey") || n.name().contains("Combine.GroupedValues")),
        "no Beam expansion left: " + graph.describe());
    assertEquals(List.of(Partitioning.Kind.HASH), channelsInto(graph, sum));
  }

  @Test
  void reshuffleHashesByKey() {
    Pipeline p = Pipeline.create(options);
    p.apply("Source", Create.of(KV.of(1, 1), KV.of(2, 2))).apply("Shuffle", Reshuffle.of());
    JobGraph graph = translate(p);
    assertEquals(List.of(Partitioning.Kind.HASH), channelsInto(graph, vertexOf(graph, "Shuffle")));
  }

  @Test
  void unboundedInputMakesTheJobStreamingOnTheSystemClock() {
    Pipeline p = Pipeline.create(options);
    p.apply("Endless", GenerateSequence.from(0)).apply(WithKeys.of("k"));
    PipelineTranslator.Translation t = PipelineTranslator.translate(p, "test", new TranslationSettings(options, 2, 100, false));
    assertTrue(t.streaming());
    assertEquals(ProcessingTimeMode.SYSTEM_CLOCK, t.processingTimeMode());
  }

  @Test
  void boundedInputStaysBatch() {
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(1, 2)).apply(WithKeys.of("k")).apply(GroupByKey.create());
    PipelineTranslator.Translation t = PipelineTranslator.translate(p, "test", new TranslationSettings(options, 2, 100, false));
    assertFalse(t.streaming());
  }

  @Test
  void testStreamDrivesProcessingTimeInBand() {
    Pipeline p = Pipeline.create(options);
    p.apply(TestStream.create(VarIntCoder.of()).addElements(1).advanceWatermarkToInfinity());
    PipelineTranslator.Translation t = PipelineTranslator.translate(p, "test", new TranslationSettings(options, 2, 100, false));
    assertTrue(t.streaming());
    assertEquals(ProcessingTimeMode.IN_BAND, t.processingTimeMode());
  }

  @Test
  void unknownPrimitiveIsRefusedNamingStepAndUrn() {
    Pipeline p = Pipeline.create(options);
    p.apply("Mystery", new PTransform<PBegin, PCollection<Integer>>() {
      @Override
      public PCollection<Integer> expand(PBegin input) {
        return PCollection.createPrimitiveOutputInternal(input.getPipeline(), WindowingStrategy.globalDefault(),
            PCollection.IsBounded.BOUNDED, org.apache.beam.sdk.coders.VarIntCoder.of());
      }
    });
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> translate(p));
    assertTrue(e.getMessage().contains("'Mystery'") && e.getMessage().contains("URN"), e.getMessage());
  }

  @Test
  void everyEdgeBetweenVerticesLeavesAnOperatorOfItsSourceVertex() {
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(KV.of("a", 1))).apply(GroupByKey.create());
    JobGraph graph = translate(p);
    for (Edge e : graph.edges()) {
      assertTrue(e.from().vertex().operators().contains(e.from()));
    }
  }
}
