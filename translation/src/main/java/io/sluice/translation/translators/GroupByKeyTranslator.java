package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.operator.OperatorFactory;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.batch.BatchGroupByKeyOperator;
import io.sluice.translation.operators.streaming.EndOfWindowOperator;
import io.sluice.translation.operators.streaming.StreamingGroupByKeyOperator;
import io.sluice.translation.records.KeyedRecord;
import java.util.List;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * GroupByKey becomes a keyed edge (key encoded on the sending side) into a grouping operator: in
 * streaming, one that fires each window once at its end where Beam defines one pane per key and
 * window, else runners-core's ReduceFnRunner for triggers, lateness and merging windows.
 */
public final class GroupByKeyTranslator<K, V> implements TransformTranslator<GroupByKey<K, V>> {
  @Override
  public void translate(AppliedPTransform<?, ?, GroupByKey<K, V>> transform, TranslationContext context) {
    PCollection<KV<K, V>> input = Transforms.mainInput(transform);
    KvCoder<K, V> coder = KeyedInputs.kvCoder(input, transform.getFullName());
    TranslationContext.Port keyed = KeyedInputs.encodeKeys(input, coder.getKeyCoder(), transform.getFullName(), context);
    String step = transform.getFullName();
    WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
    SerializablePipelineOptions options = context.shippedOptions();
    OperatorFactory factory;
    if (!context.settings().streaming()) {
      factory = subtask -> new BatchGroupByKeyOperator<>(coder, windowing, options);
    } else if (EndOfWindowOperator.appliesTo(windowing)) {
      // One pane per key and window, at its end: no trigger machinery needed.
      factory = subtask -> new EndOfWindowOperator<>(coder.getKeyCoder(), windowing.getWindowFn().windowCoder(),
          new EndOfWindowOperator.Buffering<>(coder.getValueCoder()), step);
    } else {
      factory = subtask -> new StreamingGroupByKeyOperator<>(coder, () -> SystemReduceFn.buffering(coder.getValueCoder()),
          windowing, options, step);
    }
    // Batch grouping keeps its input as bytes; streaming grouping works on decoded elements.
    TranslationContext.Input in = context.settings().streaming()
        ? new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf))
        : new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf),
            BatchGroupByKeyOperator.inputSerializer(coder, input.getWindowingStrategy()));
    context.setProducer(Transforms.onlyOutput(transform), context.addOperator(step, factory, List.of(in)), 0);
  }
}
