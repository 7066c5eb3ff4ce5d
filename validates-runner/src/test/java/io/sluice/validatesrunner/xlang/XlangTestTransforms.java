package io.sluice.validatesrunner.xlang;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.ExternalTransforms.ExternalConfigurationPayload;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.expansion.service.ExpansionService;
import org.apache.beam.sdk.expansion.service.TransformProvider;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaTranslation;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Partition;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The Java side of Beam's cross-language ValidatesRunner tests (ValidateRunnerXlangTest): the
 * transforms its URNs name, served by Beam's Java expansion service in the suite's JVM. Beam's own
 * test expansion service is not published; what each transform does is what the test asserts.
 */
public final class XlangTestTransforms implements ExpansionService.ExpansionServiceRegistrar {

  private static final String PREFIX = "beam:transforms:xlang:test:";

  @Override
  public Map<String, TransformProvider> knownTransforms() {
    return Map.of(
        PREFIX + "prefix", (spec, options) -> new Prefix(configString(spec, "data")),
        PREFIX + "multi", (spec, options) -> new MainWithSide(),
        PREFIX + "gbk", (spec, options) -> GroupByKey.<Long, String>create(),
        PREFIX + "cgbk", (spec, options) -> new CoGroup(),
        PREFIX + "comgl", (spec, options) -> Sum.longsGlobally(),
        PREFIX + "compk", (spec, options) -> Sum.<String>longsPerKey(),
        PREFIX + "flatten", (spec, options) -> new FlattenAll(),
        PREFIX + "partition", (spec, options) -> Partition.of(2, (Long x, int n) -> (int) (x % n)));
  }

  private static String configString(RunnerApi.FunctionSpec spec, String field) {
    try {
      ExternalConfigurationPayload payload = ExternalConfigurationPayload.parseFrom(spec.getPayload());
      Schema schema = SchemaTranslation.schemaFromProto(payload.getSchema());
      Row row = RowCoder.of(schema).decode(payload.getPayload().newInput());
      return row.getString(field);
    } catch (IOException e) {
      throw new IllegalArgumentException("a configuration row with a string field " + field + " was expected", e);
    }
  }

  /** Each element with a prefix put before it. */
  private static final class Prefix extends PTransform<PCollection<String>, PCollection<String>> {
    private final String prefix;

    Prefix(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public PCollection<String> expand(PCollection<String> input) {
      String p = prefix;
      return input.apply(MapElements.into(TypeDescriptors.strings()).via((String x) -> p + x));
    }
  }

  /** main1 and main2 each with the side input's one value appended; the side doubled. */
  private static final class MainWithSide extends PTransform<PCollectionTuple, PCollectionTuple> {
    @Override
    public PCollectionTuple expand(PCollectionTuple input) {
      PCollection<String> side = input.get("side");
      PCollectionView<String> sideView = side.apply(View.asSingleton());
      PCollection<String> main = PCollectionList.of(input.<String>get("main1")).and(input.<String>get("main2"))
          .apply(Flatten.pCollections())
          .apply(ParDo.of(new DoFn<String, String>() {
            @ProcessElement
            public void process(ProcessContext c) {
              c.output(c.element() + c.sideInput(sideView));
            }
          }).withSideInputs(sideView));
      PCollection<String> doubled = side.apply(MapElements.into(TypeDescriptors.strings()).via((String x) -> x + x));
      return PCollectionTuple.of(new TupleTag<>("main"), main).and(new TupleTag<>("side"), doubled);
    }
  }

  /** col1 and col2 grouped together by key, each key with the values of both. */
  private static final class CoGroup extends PTransform<PCollectionTuple, PCollection<KV<Long, Iterable<String>>>> {
    @Override
    public PCollection<KV<Long, Iterable<String>>> expand(PCollectionTuple input) {
      TupleTag<String> first = new TupleTag<>("col1");
      TupleTag<String> second = new TupleTag<>("col2");
      return KeyedPCollectionTuple.of(first, input.<KV<Long, String>>get("col1"))
          .and(second, input.<KV<Long, String>>get("col2"))
          .apply(CoGroupByKey.create())
          .apply(ParDo.of(new DoFn<KV<Long, CoGbkResult>, KV<Long, Iterable<String>>>() {
            @ProcessElement
            public void process(@Element KV<Long, CoGbkResult> grouped, OutputReceiver<KV<Long, Iterable<String>>> out) {
              List<String> values = new ArrayList<>();
              grouped.getValue().getAll(first).forEach(values::add);
              grouped.getValue().getAll(second).forEach(values::add);
              out.output(KV.of(grouped.getKey(), values));
            }
          }));
    }
  }

  /** Every input collection in one. */
  private static final class FlattenAll extends PTransform<PCollectionTuple, PCollection<Long>> {
    @Override
    public PCollection<Long> expand(PCollectionTuple input) {
      PCollectionList<Long> all = PCollectionList.empty(input.getPipeline());
      for (PCollection<?> each : input.getAll().values()) {
        @SuppressWarnings("unchecked")
        PCollection<Long> longs = (PCollection<Long>) each;
        all = all.and(longs);
      }
      return all.apply(Flatten.pCollections());
    }
  }
}
