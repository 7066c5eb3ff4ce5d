package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.operator.OperatorFactory;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.batch.BatchGroupByKeyOperator;
import io.sluice.translation.operators.streaming.StreamingGroupByKeyOperator;
import io.sluice.translation.records.KeyedRecord;
import java.util.List;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/** GroupByKey becomes a keyed edge (key encoded on the sending side) into a grouping operator. */
public final class GroupByKeyTranslator<K, V> implements TransformTranslator<GroupByKey<K, V>> {
  @Override
  public void translate(AppliedPTransform<?, ?, GroupByKey<K, V>> transform, TranslationContext context) {
    PCollection<KV<K, V>> input = Transforms.mainInput(transform);
    KvCoder<K, V> coder = KeyedInputs.kvCoder(input, transform.getFullName());
    TranslationContext.Port keyed = KeyedInputs.encodeKeys(input, coder.getKeyCoder(), transform.getFullName(), context);
    String step = transform.getFullName();
    OperatorFactory factory = context.settings().streaming()
        ? subtask -> new StreamingGroupByKeyOperator<>(coder, () -> SystemReduceFn.buffering(coder.getValueCoder()),
            input.getWindowingStrategy(), context.options(), step, context.metrics())
        : subtask -> new BatchGroupByKeyOperator<>(coder, input.getWindowingStrategy(), context.options());
    // Batch grouping keeps its input as bytes; streaming grouping works on decoded elements.
    TranslationContext.Input in = context.settings().streaming()
        ? new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf))
        : new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf),
            BatchGroupByKeyOperator.inputSerializer(coder, input.getWindowingStrategy()));
    context.setProducer(Transforms.onlyOutput(transform), context.addOperator(step, factory, List.of(in)), 0);
  }
}
