package io.sluice.translation.operators;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.sort.ExternalSorter;
import io.sluice.execution.sort.GroupIterator;
import java.util.Iterator;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The whole input of a keyed batch operator, grouped by encoded key. Memory-bounded: it keeps
 * encoded elements in the engine's external sorter, which spills sorted runs to disk past the
 * operator's budget.
 */
final class KeyGroupedInput<V> implements AutoCloseable {

  /** Receives one key's elements; {@code values} may be iterated once. */
  interface GroupConsumer<V> {
    void accept(byte[] key, Iterator<WindowedValue<V>> values) throws Exception;
  }

  private final ExternalSorter sorter;
  private final WindowedValueCodec<V> coder;

  KeyGroupedInput(OperatorContext context, WindowedValueCodec<V> coder) {
    this.sorter = new ExternalSorter(context.spillDirectory(), context.memoryBudgetBytes());
    this.coder = coder;
  }

  void add(byte[] key, WindowedValue<V> value) throws Exception {
    sorter.add(key, coder.encode(value));
  }

  int spilledRuns() {
    return sorter.spilledRuns();
  }

  void forEachGroup(GroupConsumer<V> consumer) throws Exception {
    try (GroupIterator groups = sorter.groups()) {
      while (groups.nextGroup()) {
        Iterator<byte[]> encoded = groups.values();
        consumer.accept(groups.key(), new Iterator<WindowedValue<V>>() {
          @Override
          public boolean hasNext() {
            return encoded.hasNext();
          }

          @Override
          public WindowedValue<V> next() {
            try {
              return coder.decode(encoded.next());
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        });
      }
    }
  }

  @Override
  public void close() {
    sorter.close();
  }
}
