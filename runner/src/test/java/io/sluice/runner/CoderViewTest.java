package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.Group;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A PCollection's elements are what its coder makes of them: after a shuffle (GroupByKey,
 * Reshuffle, a side input), a consumer sees the decoded value, never the producer's object. Each
 * pipeline runs in batch and in streaming mode.
 */
class CoderViewTest {

  private static final java.time.Duration BOUND = java.time.Duration.ofSeconds(60);

  private static Pipeline pipeline(boolean streaming) {
    return Pipeline.create(PipelineOptionsFactory.fromArgs(
        "--runner=SluiceRunner", "--parallelism=2", "--streaming=" + streaming).create());
  }

  /** A value with a field its coder leaves out, as some of Beam's own coders do. */
  static final class Box {
    final int kept;
    final int dropped;

    Box(int kept, int dropped) {
      this.kept = kept;
      this.dropped = dropped;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Box && ((Box) o).kept == kept && ((Box) o).dropped == dropped;
    }

    @Override
    public int hashCode() {
      return Objects.hash(kept, dropped);
    }
  }

  /** Encodes only {@link Box#kept}; decoding gives {@code dropped == -1}. */
  static final class LossyBoxCoder extends AtomicCoder<Box> {
    @Override
    public void encode(Box value, OutputStream out) throws IOException {
      VarIntCoder.of().encode(value.kept, out);
    }

    @Override
    public Box decode(InputStream in) throws IOException {
      return new Box(VarIntCoder.of().decode(in), -1);
    }
  }

  /** Fails to decode the string "poison", as a coder that meets bytes it cannot read does. */
  static final class PoisonCoder extends AtomicCoder<String> {
    @Override
    public void encode(String value, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(value, out);
    }

    @Override
    public String decode(InputStream in) throws IOException {
      String value = StringUtf8Coder.of().decode(in);
      if (value.equals("poison")) {
        throw new PoisonException();
      }
      return value;
    }
  }

  static final class PoisonException extends CoderException {
    PoisonException() {
      super("cannot decode poison");
    }
  }

  /** Boxes made by a DoFn (a source would already give the decoded view), with 7 in the dropped field. */
  private static PCollection<Box> boxes(Pipeline p) {
    return p.apply("Numbers", Create.of(1, 2, 3))
        .apply("Boxes", MapElements.into(TypeDescriptor.of(Box.class)).via(i -> new Box(i, 7)))
        .setCoder(new LossyBoxCoder());
  }

  /** Strings made by a DoFn, one of them "poison", in a PCollection whose coder cannot decode it. */
  private static PCollection<String> withPoison(Pipeline p, String name, String... values) {
    return p.apply(name, Create.of(java.util.Arrays.asList(values)))
        .apply(name + "Poison", MapElements.into(TypeDescriptors.strings()).via(v -> v.equals("bad") ? "poison" : v))
        .setCoder(new PoisonCoder());
  }

  private static class DroppedField extends DoFn<Box, Integer> {
    @ProcessElement
    public void process(@Element Box box, OutputReceiver<Integer> out) {
      out.output(box.dropped);
    }
  }

  private static class GroupedDroppedFields extends DoFn<KV<Integer, Iterable<Box>>, Integer> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Box>> group, OutputReceiver<Integer> out) {
      for (Box b : group.getValue()) {
        out.output(b.dropped);
      }
    }
  }

  private static class SideInputDroppedFields extends DoFn<Integer, Integer> {
    private final PCollectionView<List<Box>> view;

    SideInputDroppedFields(PCollectionView<List<Box>> view) {
      this.view = view;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      for (Box b : c.sideInput(view)) {
        c.output(b.dropped);
      }
    }
  }

  private static class SideInputSize extends DoFn<Integer, Integer> {
    private final PCollectionView<List<String>> view;

    SideInputSize(PCollectionView<List<String>> view) {
      this.view = view;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.sideInput(view).size());
    }
  }

  private static class RowsWithOtherNames extends DoFn<Integer, Row> {
    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<Row> out) {
      out.output(Row.withSchema(OTHER_NAMES).addValues(i, "v" + i).build());
    }
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void groupByKeyGivesDecodedValues(boolean streaming) {
    Pipeline p = pipeline(streaming);
    PCollection<Integer> dropped = boxes(p)
        .apply(WithKeys.<Integer, Box>of(b -> b.kept % 2).withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), new LossyBoxCoder()))
        .apply(GroupByKey.create())
        .apply(ParDo.of(new GroupedDroppedFields()));
    PAssert.that(dropped).containsInAnyOrder(-1, -1, -1);
    assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish());
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void reshuffleGivesDecodedValues(boolean streaming) {
    Pipeline p = pipeline(streaming);
    PCollection<Integer> dropped = boxes(p).apply(Reshuffle.viaRandomKey()).apply(ParDo.of(new DroppedField()));
    PAssert.that(dropped).containsInAnyOrder(-1, -1, -1);
    assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish());
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void sideInputGivesDecodedValues(boolean streaming) {
    Pipeline p = pipeline(streaming);
    PCollectionView<List<Box>> view = boxes(p).apply(View.asList());
    PCollection<Integer> dropped = p.apply("Main", Create.of(0))
        .apply(ParDo.of(new SideInputDroppedFields(view)).withSideInputs(view));
    PAssert.that(dropped).containsInAnyOrder(-1, -1, -1);
    assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish());
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void undecodableValueFailsTheJobThroughGroupByKey(boolean streaming) {
    Pipeline p = pipeline(streaming);
    withPoison(p, "Values", "fine", "bad", "also fine")
        .apply(WithKeys.<String, String>of(v -> v.substring(0, 1)).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), new PoisonCoder()))
        .apply(GroupByKey.create())
        .apply(MapElements.into(TypeDescriptors.integers()).via(group -> {
          int n = 0;
          for (String ignored : group.getValue()) {
            n++;
          }
          return n;
        }));
    assertFailsWithPoison(p);
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void undecodableValueFailsTheJobThroughReshuffle(boolean streaming) {
    Pipeline p = pipeline(streaming);
    withPoison(p, "Values", "fine", "bad", "also fine")
        .apply(Reshuffle.viaRandomKey())
        .apply(Count.globally());
    assertFailsWithPoison(p);
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void undecodableValueFailsTheJobThroughASideInput(boolean streaming) {
    Pipeline p = pipeline(streaming);
    PCollectionView<List<String>> view = withPoison(p, "Side", "fine", "bad").apply(View.asList());
    p.apply("Main", Create.of(0)).apply(ParDo.of(new SideInputSize(view)).withSideInputs(view));
    assertFailsWithPoison(p);
  }

  private static void assertFailsWithPoison(Pipeline p) {
    Pipeline.PipelineExecutionException e = assertTimeoutPreemptively(BOUND,
        () -> assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish()));
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    assertTrue(chain.stream().anyMatch(t -> t instanceof PoisonException), "the coder's exception is a cause: " + chain);
  }

  private static final Schema DECLARED = Schema.builder().addInt32Field("a").addStringField("b").build();
  private static final Schema OTHER_NAMES = Schema.builder().addInt32Field("x").addStringField("y").build();

  /** Rows built with their own schema (other field names), in a PCollection of schema {@link #DECLARED}. */
  private static PCollection<Row> rowsWithOtherNames(Pipeline p) {
    return p.apply(Create.of(1, 2, 3, 1))
        .apply(ParDo.of(new RowsWithOtherNames()))
        .setRowSchema(DECLARED);
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void rowsTakeTheirPCollectionsSchemaThroughAShuffle(boolean streaming) {
    Pipeline p = pipeline(streaming);
    PCollection<String> names = rowsWithOtherNames(p)
        .apply(Reshuffle.viaRandomKey())
        .apply(MapElements.into(TypeDescriptors.strings()).via(row -> row.getSchema().getFieldNames().toString()));
    PAssert.that(names).containsInAnyOrder("[a, b]", "[a, b]", "[a, b]", "[a, b]");
    assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish());
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void schemaGroupingMatchesRowsByTheirDecodedFields(boolean streaming) {
    Pipeline p = pipeline(streaming);
    PCollection<String> counts = rowsWithOtherNames(p)
        .apply(Group.<Row>byFieldNames("a").aggregateField("b", Count.combineFn(), "n"))
        .apply(MapElements.into(TypeDescriptors.strings())
            .via(row -> row.getRow("key").getInt32("a") + "=" + row.getRow("value").getInt64("n")));
    PAssert.that(counts).containsInAnyOrder("1=2", "2=1", "3=1");
    assertTimeoutPreemptively(BOUND, () -> p.run().waitUntilFinish());
  }
}
