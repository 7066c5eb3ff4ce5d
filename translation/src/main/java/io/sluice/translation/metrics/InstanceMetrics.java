package io.sluice.translation.metrics;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StoreLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.util.SerializableUtils;

/**
 * The metrics of one step in one operator instance of a job that takes checkpoints. User code
 * updates {@link #container()}: this attempt's work, all of it attempted. Its committed values are
 * what the latest complete checkpoint holds: at each barrier the instance's total (what a restore
 * gave it plus this attempt's work) goes into the checkpoint, and becomes committed when the
 * checkpoint completes. A restore starts from the checkpoint's totals, so committed values count
 * every element once across failures, kills and rescaling.
 *
 * <p>Used from the instance's subtask thread only.
 */
public final class InstanceMetrics {

  private static final String STORE = "metrics";

  private final JobMetrics job;
  private final String step;
  /** The instance's key in the job's committed table: step and subtask. */
  private final String key;
  private final OperatorContext context;
  /** This attempt's updates: derived, from open to close. */
  private final MetricsContainerImpl container;
  /** Totals the checkpoint this instance was restored from gave it: durable (in every checkpoint's totals). */
  private MetricsContainerImpl base;
  /** What the store holds for this instance: derived, so an unchanged total is not written again. */
  private byte[] written;
  /** Totals at the barriers of checkpoints not yet complete: derived, until they complete. */
  private final TreeMap<Long, MetricsContainerImpl> atBarriers = new TreeMap<>();

  InstanceMetrics(JobMetrics job, String step, OperatorContext context, MetricsContainerImpl container) {
    this.job = job;
    this.step = step;
    this.key = step + "#" + context.subtaskIndex();
    this.context = context;
    this.container = container;
    this.base = new MetricsContainerImpl(step);
  }

  /** Where user code's metrics go. */
  public MetricsContainerImpl container() {
    return container;
  }

  /** The barrier of checkpoint {@code checkpointId}: this instance's totals go into it. */
  public void snapshot(long checkpointId) {
    MetricsContainerImpl total = total();
    atBarriers.put(checkpointId, total);
    byte[] bytes = SerializableUtils.serializeToByteArray(total);
    if (!Arrays.equals(bytes, written)) {
      store().put(storeKey(context.subtaskIndex()), bytes);
      written = bytes;
    }
  }

  /** Starts from the totals of the checkpoint restored (of several instances, at another parallelism). */
  public void restore() {
    MetricsContainerImpl restored = new MetricsContainerImpl(step);
    try (SortedByteStore.Cursor cursor = store().scan(new byte[0])) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        if (Arrays.equals(stepOf(entry.getKey()), step.getBytes(StandardCharsets.UTF_8))) {
          restored.update((MetricsContainerImpl) SerializableUtils.deserializeFromByteArray(entry.getValue(),
              "metrics of " + step));
        }
      }
    }
    // Several instances' totals now live in this one's: one entry holds them from here on.
    store().deletePrefix(new byte[0]);
    base = restored;
  }

  /** Checkpoint {@code checkpointId} is complete: the totals at its barrier are committed. */
  public void checkpointComplete(long checkpointId) {
    Map.Entry<Long, MetricsContainerImpl> committed = atBarriers.floorEntry(checkpointId);
    if (committed != null && committed.getKey() == checkpointId) {
      job.commit(key, committed.getValue());
    }
    atBarriers.headMap(checkpointId, true).clear();
  }

  /** The restored totals plus this attempt's work. */
  MetricsContainerImpl total() {
    MetricsContainerImpl total = new MetricsContainerImpl(step);
    total.update(base);
    total.update(container);
    return total;
  }

  String key() {
    return key;
  }

  private SortedByteStore store() {
    return context.operatorStore(STORE, StoreLayout.SPLIT);
  }

  private byte[] storeKey(int subtask) {
    byte[] name = step.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + name.length).putInt(subtask).put(name).array();
  }

  private static byte[] stepOf(byte[] storeKey) {
    return Arrays.copyOfRange(storeKey, 4, storeKey.length);
  }
}
