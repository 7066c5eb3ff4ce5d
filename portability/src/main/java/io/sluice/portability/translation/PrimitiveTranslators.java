package io.sluice.portability.translation;

import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.batch.BatchGroupByKeyOperator;
import io.sluice.translation.operators.shared.FlattenOperator;
import io.sluice.translation.operators.shared.ImpulseOperator;
import io.sluice.translation.operators.shared.KeyEncodingOperator;
import io.sluice.translation.records.KeyedRecord;
import io.sluice.translation.records.KeyedRecordSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * The primitives the runner runs itself, on the engine's operators that the Java path uses too:
 * Impulse, GroupByKey (on the keys' wire bytes, so any SDK's keys group) and Flatten.
 */
final class PrimitiveTranslators {

  private PrimitiveTranslators() {}

  static void impulse(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    OperatorNode node = context.sluice().addSource(transform.getTransform().getUniqueName(),
        subtask -> new ImpulseOperator());
    context.produces(onlyOutput(transform), node, 0);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static void groupByKey(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    String step = transform.getTransform().getUniqueName();
    String input = onlyInput(transform);
    Coder<?> elements = context.wireCoder(input).getValueCoder();
    if (!(elements instanceof KvCoder<?, ?> kv)) {
      throw new IllegalArgumentException(step + " groups " + input + ", whose elements are not key-value pairs: "
          + elements);
    }
    kv.getKeyCoder().verifyDeterministic();
    WindowingStrategy<?, ?> windowing = context.windowing(input);
    TranslationContext sluice = context.sluice();
    TranslationContext.Port keyed = sluice.portOf(sluice.addOperator(step + "/EncodeKey",
        subtask -> new KeyEncodingOperator(kv.getKeyCoder()),
        List.of(new TranslationContext.Input(sluice.producerOf(input), 0, Partitioning.forward()))), 0,
        KeyedRecordSerializer.decoding(kv, windowing));
    SerializablePipelineOptions options = sluice.shippedOptions();
    OperatorNode node = sluice.addOperator(step, subtask -> new BatchGroupByKeyOperator(kv, windowing, options),
        List.of(new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf),
            BatchGroupByKeyOperator.inputSerializer(kv, windowing))));
    context.produces(onlyOutput(transform), node, 0);
  }

  static void flatten(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    TranslationContext sluice = context.sluice();
    List<TranslationContext.Input> inputs = new ArrayList<>();
    for (String input : transform.getTransform().getInputsMap().values()) {
      inputs.add(new TranslationContext.Input(sluice.producerOf(input), inputs.size(), Partitioning.forward()));
    }
    OperatorNode node = sluice.addOperator(transform.getTransform().getUniqueName(), subtask -> new FlattenOperator(),
        inputs);
    context.produces(onlyOutput(transform), node, 0);
  }

  static String onlyInput(PipelineNode.PTransformNode transform) {
    return only(transform.getTransform().getInputsMap().values(), transform, "input");
  }

  static String onlyOutput(PipelineNode.PTransformNode transform) {
    return only(transform.getTransform().getOutputsMap().values(), transform, "output");
  }

  private static String only(java.util.Collection<String> ids, PipelineNode.PTransformNode transform, String what) {
    if (ids.size() != 1) {
      throw new IllegalArgumentException(transform.getTransform().getUniqueName() + " has " + ids.size() + " "
          + what + "s, not one");
    }
    return ids.iterator().next();
  }
}
