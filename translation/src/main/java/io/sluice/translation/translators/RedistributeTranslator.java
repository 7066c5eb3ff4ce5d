package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.shared.FlattenOperator;
import io.sluice.translation.records.KeyedRecord;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Reshuffle and Redistribute: the elements, untouched (timestamps, windows and panes kept), moved
 * to the next vertex's subtasks. Keyed variants hash the encoded key, so one key's elements keep
 * their order; arbitrary ones are dealt round-robin. Beam's expansion through a GroupByKey would
 * cost a sort and lose the metadata it must keep.
 */
public final class RedistributeTranslator implements TransformTranslator<PTransform<?, ?>> {

  private final boolean byKey;

  /** @param byKey whether the input is keyed and elements of one key must stay together */
  public RedistributeTranslator(boolean byKey) {
    this.byKey = byKey;
  }

  @Override
  public void translate(AppliedPTransform<?, ?, PTransform<?, ?>> transform, TranslationContext context) {
    Partitioning partitioning = Partitioning.roundRobin();
    if (byKey) {
      Coder<Object> keyCoder = KeyedInputs.kvCoder(Transforms.mainInput(transform), transform.getFullName()).getKeyCoder();
      partitioning = Partitioning.hash(record -> keyHash(keyCoder, record));
    }
    TranslationContext.Input input = new TranslationContext.Input(
        context.producerOf(Transforms.mainInput(transform)), 0, partitioning);
    context.setProducer(Transforms.onlyOutput(transform),
        context.addOperator(transform.getFullName(), subtask -> new FlattenOperator(), List.of(input)), 0);
  }

  /** The partition hash of a windowed key-value record: its key's encoding under {@code keyCoder}. */
  @SuppressWarnings("unchecked")
  public static int keyHash(Coder<Object> keyCoder, Object record) {
    try {
      return KeyedRecord.hashOf(CoderUtils.encodeToByteArray(keyCoder, ((WindowedValue<KV<Object, ?>>) record).getValue().getKey()));
    } catch (CoderException e) {
      throw new IllegalStateException("cannot encode a key to redistribute it", e);
    }
  }
}
