package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.batch.FinalCombineOperator;
import io.sluice.translation.operators.batch.PartialCombineOperator;
import io.sluice.translation.records.KeyedRecord;
import io.sluice.translation.records.KeyedRecordSerializer;
import java.util.List;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Combine.perKey with combiner lifting: a partial combine fused before the shuffle, so only one
 * accumulator per key and window per subtask crosses it, and a final merge after it. Applies where
 * that is exactly what a GroupByKey then combine would compute: a plain CombineFn without side
 * inputs, non-merging windows and the default trigger. Anything else takes Beam's expansion.
 */
public final class CombinePerKeyTranslator<K, I, O> implements TransformTranslator<Combine.PerKey<K, I, O>> {

  /** What one key and window of a partial combine is estimated to hold: key, window, accumulator, map entry. */
  private static final int BYTES_PER_PARTIAL_SLOT = 256;

  @Override
  public boolean canTranslate(AppliedPTransform<?, ?, Combine.PerKey<K, I, O>> transform, TranslationContext context) {
    PCollection<?> input = Transforms.mainInput(transform);
    WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
    // A partial combine holds its table until the input ends: in streaming, group first instead.
    return !context.settings().streaming()
        && transform.getTransform().getFn() instanceof Combine.CombineFn
        && transform.getTransform().getSideInputs().isEmpty()
        && windowing.getWindowFn().isNonMerging()
        && windowing.getTrigger() instanceof DefaultTrigger
        && input.getCoder() instanceof KvCoder
        && KeyedInputs.isDeterministic(((KvCoder<?, ?>) input.getCoder()).getKeyCoder());
  }

  @Override
  public void translate(AppliedPTransform<?, ?, Combine.PerKey<K, I, O>> transform, TranslationContext context) {
    PCollection<?> input = Transforms.mainInput(transform);
    Combine.CombineFn<?, ?, ?> fn = (Combine.CombineFn<?, ?, ?>) transform.getTransform().getFn();
    Coder<?> keyCoder = ((KvCoder<?, ?>) input.getCoder()).getKeyCoder();
    TimestampCombiner timestamps = input.getWindowingStrategy().getTimestampCombiner();
    String step = transform.getFullName();
    // Each subtask gets its own instance, as Beam's model promises: a CombineFn may keep fields.
    byte[] serializedFn = SerializableUtils.serializeToByteArray(fn);
    io.sluice.execution.graph.OperatorNode partial = context.addOperator(step + "/PartialCombine",
        subtask -> new PartialCombineOperator(instance(serializedFn, step), keyCoder, timestamps, BYTES_PER_PARTIAL_SLOT),
        List.of(new TranslationContext.Input(context.producerOf(input), 0, Partitioning.forward())));
    // Accumulators cross the shuffle with the CombineFn's accumulator coder, as in Beam's expansion.
    TranslationContext.Port partials = context.portOf(partial, 0, KeyedRecordSerializer.decoding(
        KvCoder.of(keyCoder, accumulatorCoder(fn, input, step)), input.getWindowingStrategy()));
    context.setProducer(Transforms.onlyOutput(transform), context.addOperator(step,
        subtask -> new FinalCombineOperator(instance(serializedFn, step), timestamps),
        List.of(new TranslationContext.Input(partials, 0, Partitioning.hash(KeyedRecord::keyHashOf)))), 0);
  }

  private static Combine.CombineFn<?, ?, ?> instance(byte[] serializedFn, String step) {
    return (Combine.CombineFn<?, ?, ?>) SerializableUtils.deserializeFromByteArray(serializedFn, "the CombineFn of " + step);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Coder<?> accumulatorCoder(Combine.CombineFn<?, ?, ?> fn, PCollection<?> input, String step) {
    Coder<?> valueCoder = ((KvCoder<?, ?>) input.getCoder()).getValueCoder();
    try {
      return ((Combine.CombineFn) fn).getAccumulatorCoder(input.getPipeline().getCoderRegistry(), valueCoder);
    } catch (CannotProvideCoderException e) {
      throw new IllegalArgumentException(step + ": no coder for the accumulators of " + fn.getClass().getName()
          + ", which must cross the shuffle: " + e.getMessage(), e);
    }
  }
}
