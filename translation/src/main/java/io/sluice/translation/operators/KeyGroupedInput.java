package io.sluice.translation.operators;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.sort.ExternalSorter;
import io.sluice.execution.sort.GroupIterator;
import io.sluice.execution.state.ByteKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.WindowedValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole input of a keyed batch operator, grouped by encoded key, within the operator's memory
 * budget. While the input fits, elements stay objects in a hash table: no encoding, no sort. Once
 * its estimated size passes the budget, everything moves, encoded, into the engine's external
 * sorter, which spills sorted runs to disk and merges them.
 */
final class KeyGroupedInput<V> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KeyGroupedInput.class);

  /** Receives one key's elements; {@code values} may be iterated once. */
  interface GroupConsumer<V> {
    void accept(byte[] key, Iterator<WindowedValue<V>> values) throws Exception;
  }

  /** What an element costs on the heap beyond its encoded size: its objects' headers and references. */
  private static final int OBJECT_OVERHEAD_BYTES = 96;
  /** Every so many elements one is encoded to keep the size estimate honest. */
  private static final int SAMPLE_EVERY = 32;

  private final OperatorContext context;
  private final WindowedValueCodec<V> coder;
  private final long budget;
  private Map<ByteKey, List<WindowedValue<V>>> groups = new HashMap<>();
  private long elements;
  private long sampledBytes;
  private long samples;
  private ExternalSorter sorter;

  KeyGroupedInput(OperatorContext context, WindowedValueCodec<V> coder) {
    this.context = context;
    this.coder = coder;
    this.budget = context.memoryBudgetBytes();
  }

  void add(byte[] key, WindowedValue<V> value) throws Exception {
    if (sorter != null) {
      sorter.add(key, coder.encode(value));
      return;
    }
    groups.computeIfAbsent(new ByteKey(key), k -> new ArrayList<>()).add(value);
    if (elements++ % SAMPLE_EVERY == 0) {
      sampledBytes += coder.encode(value).length + key.length;
      samples++;
    }
    if (elements * (sampledBytes / samples + OBJECT_OVERHEAD_BYTES) > budget) {
      moveToSorter();
    }
  }

  private void moveToSorter() throws IOException {
    LOG.debug("{}: {} elements outgrow {} bytes of heap; sorting and spilling from here on",
        context.operatorName(), elements, budget);
    sorter = new ExternalSorter(context.spillDirectory(), budget);
    for (Map.Entry<ByteKey, List<WindowedValue<V>>> group : groups.entrySet()) {
      byte[] key = group.getKey().bytes();
      List<WindowedValue<V>> values = group.getValue();
      for (int i = 0; i < values.size(); i++) {
        sorter.add(key, coder.encode(values.get(i)));
        values.set(i, null);
      }
    }
    groups = null;
  }

  void forEachGroup(GroupConsumer<V> consumer) throws Exception {
    if (sorter == null) {
      Map<ByteKey, List<WindowedValue<V>>> all = groups;
      groups = new HashMap<>();
      for (Map.Entry<ByteKey, List<WindowedValue<V>>> group : all.entrySet()) {
        consumer.accept(group.getKey().bytes(), group.getValue().iterator());
      }
      return;
    }
    try (GroupIterator sorted = sorter.groups()) {
      while (sorted.nextGroup()) {
        Iterator<byte[]> encoded = sorted.values();
        consumer.accept(sorted.key(), new Iterator<WindowedValue<V>>() {
          @Override
          public boolean hasNext() {
            return encoded.hasNext();
          }

          @Override
          public WindowedValue<V> next() {
            try {
              return coder.decode(encoded.next());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        });
      }
    }
  }

  @Override
  public void close() {
    groups = null;
    if (sorter != null) {
      sorter.close();
    }
  }
}
