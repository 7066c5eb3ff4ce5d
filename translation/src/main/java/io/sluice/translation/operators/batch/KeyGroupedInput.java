package io.sluice.translation.operators.batch;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.sort.ExternalSorter;
import io.sluice.execution.sort.GroupIterator;
import io.sluice.execution.state.ByteKey;
import io.sluice.translation.records.KeyedRecord;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole input of a keyed batch operator, grouped by encoded key, within the operator's memory
 * budget. Elements arrive encoded (the keyed edge keeps them as bytes) and stay so: while the input
 * fits, each key's values sit in one heap run, no sort; once the runs outgrow the budget,
 * everything moves into the engine's external sorter, which spills sorted runs to disk and merges
 * them. A key's values are handed out readable more than once, from the heap or, for a key larger
 * than a quarter of the budget, partly from a file of their own.
 */
final class KeyGroupedInput implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KeyGroupedInput.class);

  /** Receives one key's values, valid until it returns. */
  interface GroupConsumer {
    void accept(byte[] key, EncodedValues values) throws Exception;
  }

  /** What a key costs on the heap beside its bytes: the map entry, the key and run objects, array headers. */
  private static final int KEY_OVERHEAD_BYTES = 128;

  private final OperatorContext context;
  private final long budget;
  /**
   * Each key's values while they fit; null once moved to the sorter. Derived: batch input, lost with
   * the subtask (a batch job reruns). Lives until the groups are handed out.
   */
  private Map<ByteKey, ValueRun> groups = new HashMap<>();
  /** Heap bytes held by {@link #groups}, derived from it. */
  private long heapBytes;
  /**
   * The whole input once it outgrew the budget, in sorted runs on disk: derived, batch input, lost with
   * the subtask (a batch job reruns); from then until close, which deletes its files.
   */
  private ExternalSorter sorter;

  KeyGroupedInput(OperatorContext context) {
    this.context = context;
    this.budget = context.memoryBudgetBytes();
  }

  /** Adds a record received encoded; its bytes are copied, the channel's page is not kept. */
  void add(KeyedRecord record) throws IOException {
    byte[] key = record.key();
    byte[] bytes = record.valueBytes();
    int offset = record.valueOffset();
    int length = record.valueLength();
    if (sorter != null) {
      sorter.add(key, Arrays.copyOfRange(bytes, offset, offset + length));
      return;
    }
    ByteKey k = new ByteKey(key);
    ValueRun run = groups.get(k);
    if (run == null) {
      run = new ValueRun(length + 5);
      groups.put(k, run);
      heapBytes += KEY_OVERHEAD_BYTES + key.length + run.capacity();
    }
    heapBytes += run.add(bytes, offset, length);
    if (heapBytes > budget) {
      moveToSorter();
    }
  }

  private void moveToSorter() throws IOException {
    LOG.debug("{}: {} keys outgrow {} bytes of heap; sorting and spilling from here on",
        context.operatorName(), groups.size(), budget);
    sorter = new ExternalSorter(context.spillDirectory(), budget);
    Iterator<Map.Entry<ByteKey, ValueRun>> entries = groups.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<ByteKey, ValueRun> group = entries.next();
      byte[] key = group.getKey().bytes();
      EncodedValues.Cursor values = group.getValue().cursor();
      while (values.next()) {
        sorter.add(key, Arrays.copyOfRange(values.bytes(), values.offset(), values.offset() + values.length()));
      }
      entries.remove();
    }
    groups = null;
    heapBytes = 0;
  }

  void forEachGroup(GroupConsumer consumer) throws Exception {
    if (sorter == null) {
      Map<ByteKey, ValueRun> all = groups;
      groups = new HashMap<>();
      heapBytes = 0;
      Iterator<Map.Entry<ByteKey, ValueRun>> entries = all.entrySet().iterator();
      while (entries.hasNext()) {
        Map.Entry<ByteKey, ValueRun> group = entries.next();
        entries.remove();
        consumer.accept(group.getKey().bytes(), group.getValue());
      }
      return;
    }
    SpilledGroup group = new SpilledGroup(context.spillDirectory(), Math.max(1 << 20, budget / 4));
    try (GroupIterator sorted = sorter.groups()) {
      while (sorted.nextGroup()) {
        group.load(sorted.values());
        consumer.accept(sorted.key(), group);
      }
    } finally {
      group.clear();
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
