package io.sluice.translation.operators.batch;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.sort.ExternalSorter;
import io.sluice.execution.sort.GroupIterator;
import io.sluice.translation.records.KeyedRecord;
import java.io.IOException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole input of a keyed batch operator, grouped by encoded key, within the operator's memory
 * budget. Elements arrive encoded (the keyed edge keeps them as bytes) and stay so: while the input
 * fits, it is appended to heap pages and grouped at its end ({@link HeapKeyGroups}); once it
 * outgrows the budget, everything moves into the engine's external sorter, which spills sorted runs
 * to disk and merges them. A key's values are handed out readable more than once, from the heap or, for a key larger
 * than a quarter of the budget, partly from a file of their own.
 */
final class KeyGroupedInput implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KeyGroupedInput.class);

  private final OperatorContext context;
  private final long budget;
  /**
   * The input while it fits, grouped once it has ended; null once moved to the sorter. Derived:
   * batch input, lost with the subtask (a batch job reruns). Lives until the groups are handed out.
   */
  private HeapKeyGroups heap = new HeapKeyGroups();
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
    if (sorter == null) {
      if (heap.add(key, bytes, offset, length)) {
        if (heap.heapBytes() > budget) {
          moveToSorter();
        }
        return;
      }
      // The heap's pages can address no more, whatever the budget.
      moveToSorter();
    }
    sorter.add(key, Arrays.copyOfRange(bytes, offset, offset + length));
  }

  private void moveToSorter() throws IOException {
    LOG.debug("{}: input outgrows {} bytes of heap; sorting and spilling from here on",
        context.operatorName(), budget);
    sorter = new ExternalSorter(context.spillDirectory(), budget);
    heap.forEachRecord((key, bytes, offset, length) ->
        sorter.add(key, Arrays.copyOfRange(bytes, offset, offset + length)));
    heap = null;
  }

  void forEachGroup(EncodedValues.GroupConsumer consumer) throws Exception {
    if (sorter == null) {
      try {
        heap.forEachGroup(consumer);
      } finally {
        heap.clear();
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
    heap = null;
    if (sorter != null) {
      sorter.close();
    }
  }
}
