package io.sluice.translation.translators;

import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.shared.KeyEncodingOperator;
import io.sluice.translation.records.KeyedRecordSerializer;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.values.PCollection;

/** The sending side of keyed edges, shared by every translator that groups by key. */
final class KeyedInputs {

  private KeyedInputs() {}

  @SuppressWarnings("unchecked")
  static <K, V> KvCoder<K, V> kvCoder(PCollection<?> input, String step) {
    if (!(input.getCoder() instanceof KvCoder)) {
      throw new IllegalArgumentException(step + " needs a keyed input with a KvCoder, but " + input.getName()
          + " has coder " + input.getCoder());
    }
    return (KvCoder<K, V>) input.getCoder();
  }

  /** Whether equal keys always encode to equal bytes, as grouping by encoded key requires. */
  static boolean isDeterministic(Coder<?> keyCoder) {
    try {
      keyCoder.verifyDeterministic();
      return true;
    } catch (Coder.NonDeterministicException e) {
      return false;
    }
  }

  /**
   * Fuses a key-encoding operator after {@code input}'s producer; its output feeds a hash edge, over
   * which elements travel decoded whole unless the consumer asks for its own encoding.
   */
  static <K> TranslationContext.Port encodeKeys(PCollection<?> input, Coder<K> keyCoder, String step, TranslationContext context) {
    try {
      keyCoder.verifyDeterministic();
    } catch (Coder.NonDeterministicException e) {
      throw new IllegalArgumentException(step + " groups by a key whose coder " + keyCoder
          + " is not deterministic: equal keys could land in different groups", e);
    }
    return context.portOf(context.addOperator(step + "/EncodeKey", subtask -> new KeyEncodingOperator<>(keyCoder),
        java.util.List.of(new TranslationContext.Input(context.producerOf(input), 0,
            io.sluice.execution.graph.Partitioning.forward()))), 0,
        KeyedRecordSerializer.decoding(input.getCoder(), input.getWindowingStrategy()));
  }
}
