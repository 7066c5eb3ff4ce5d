package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.batch.FinalCombineOperator;
import io.sluice.translation.operators.batch.PartialCombineOperator;
import io.sluice.translation.operators.streaming.EndOfWindowOperator;
import io.sluice.translation.operators.streaming.StreamingGroupByKeyOperator;
import io.sluice.translation.records.KeyedRecord;
import io.sluice.translation.records.KeyedRecordSerializer;
import java.util.List;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.util.AppliedCombineFn;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Combine.perKey with combiner lifting. In batch: a partial combine fused before the shuffle, so
 * only one accumulator per key and window per subtask crosses it, and a final merge after it,
 * where that is exactly what a GroupByKey then combine would compute: non-merging windows and the
 * default trigger. In streaming: where Beam defines one pane per key and window (the default
 * trigger and no lateness), an accumulator per key and window that fires at the window's end;
 * otherwise a combining GroupByKey, whose panes hold an accumulator rather than the elements
 * (runners-core's combining reduce function, so every trigger, merging windows, lateness and
 * accumulation mode behave as in Beam's expansion). Either needs a plain CombineFn
 * without side inputs; anything else takes Beam's expansion.
 */
public final class CombinePerKeyTranslator<K, I, O> implements TransformTranslator<Combine.PerKey<K, I, O>> {

  /** What one key and window of a partial combine is estimated to hold: key, window, accumulator, map entry. */
  private static final int BYTES_PER_PARTIAL_SLOT = 256;

  @Override
  public boolean canTranslate(AppliedPTransform<?, ?, Combine.PerKey<K, I, O>> transform, TranslationContext context) {
    PCollection<?> input = Transforms.mainInput(transform);
    WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
    boolean combinable = transform.getTransform().getFn() instanceof Combine.CombineFn
        && transform.getTransform().getSideInputs().isEmpty()
        && input.getCoder() instanceof KvCoder
        && KeyedInputs.isDeterministic(((KvCoder<?, ?>) input.getCoder()).getKeyCoder());
    // A partial combine holds its table until the input ends: in streaming, the combining GroupByKey.
    return combinable && (context.settings().streaming()
        || windowing.getWindowFn().isNonMerging() && windowing.getTrigger() instanceof DefaultTrigger);
  }

  @Override
  public void translate(AppliedPTransform<?, ?, Combine.PerKey<K, I, O>> transform, TranslationContext context) {
    if (context.settings().streaming()) {
      translateStreaming(transform, context);
      return;
    }
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

  private void translateStreaming(AppliedPTransform<?, ?, Combine.PerKey<K, I, O>> transform,
      TranslationContext context) {
    PCollection<KV<K, I>> input = Transforms.mainInput(transform);
    String step = transform.getFullName();
    KvCoder<K, I> coder = KeyedInputs.kvCoder(input, step);
    WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
    CoderRegistry registry = input.getPipeline().getCoderRegistry();
    byte[] serializedFn = SerializableUtils.serializeToByteArray(transform.getTransform().getFn());
    // Made here, so that a CombineFn without an accumulator coder fails the translation; kept
    // serialized, so that each subtask gets its own instance and the registry stays behind.
    byte[] serializedApplied = SerializableUtils.serializeToByteArray(applied(serializedFn, step, registry, coder, windowing));
    SerializablePipelineOptions options = context.shippedOptions();
    TranslationContext.Port keyed = KeyedInputs.encodeKeys(input, coder.getKeyCoder(), step, context);
    if (EndOfWindowOperator.appliesTo(windowing)) {
      Coder<?> accumulatorCoder = accumulatorCoder(instance(serializedFn, step), input, step);
      context.setProducer(Transforms.onlyOutput(transform), context.addOperator(step,
          subtask -> endOfWindowCombine(coder, windowing, accumulatorCoder, instance(serializedFn, step), step),
          List.of(new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf)))), 0);
      return;
    }
    context.setProducer(Transforms.onlyOutput(transform), context.addOperator(step,
        subtask -> new StreamingGroupByKeyOperator<K, I, O, BoundedWindow>(coder,
            () -> SystemReduceFn.combining(coder.getKeyCoder(), appliedInstance(serializedApplied, step)),
            windowing, options, step),
        List.of(new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf)))), 0);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static io.sluice.execution.operator.Operator endOfWindowCombine(KvCoder<?, ?> coder,
      WindowingStrategy<?, ?> windowing, Coder<?> accumulatorCoder, Combine.CombineFn<?, ?, ?> fn, String step) {
    return new EndOfWindowOperator(coder.getKeyCoder(), windowing.getWindowFn().windowCoder(),
        new EndOfWindowOperator.Combining(fn, accumulatorCoder), step);
  }

  @SuppressWarnings("unchecked")
  private static <K, I, O> AppliedCombineFn<K, I, ?, O> appliedInstance(byte[] serializedApplied, String step) {
    return (AppliedCombineFn<K, I, ?, O>) SerializableUtils.deserializeFromByteArray(serializedApplied, step);
  }

  @SuppressWarnings("unchecked")
  private static <K, I, O> AppliedCombineFn<K, I, ?, O> applied(byte[] serializedFn, String step,
      CoderRegistry registry, KvCoder<K, I> coder, WindowingStrategy<?, ?> windowing) {
    Combine.CombineFn<I, ?, O> fn = (Combine.CombineFn<I, ?, O>) instance(serializedFn, step);
    try {
      return AppliedCombineFn.withInputCoder(fn, registry, coder, List.of(), windowing);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(step + ": no coder for the accumulators of " + fn.getClass().getName()
          + ", which the combining state keeps: " + e.getMessage(), e);
    }
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
