package io.sluice.translation.operators.streaming;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.state.KeyGroups;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StoreLayout;
import io.sluice.execution.state.VarInts;
import io.sluice.translation.metrics.InstanceMetrics;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.records.CoderBytes;
import io.sluice.translation.records.KeyedRecord;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.core.LateDataDroppingDoFnRunner;
import org.apache.beam.runners.core.metrics.CounterCell;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * GroupByKey and Combine.perKey in streaming for the windowing most pipelines use (see {@link
 * #appliesTo}). Beam then defines exactly one pane per key and window: on time, first and last, at
 * the window's end, holding every element that was not late. That needs no trigger machinery: the
 * pane's contents per key and window ({@link PaneContents}: an accumulator, or the elements) and one
 * firing per window at its end, rather than a timer, a hold and a pane record per key and window as
 * runners-core's ReduceFnRunner keeps them.
 *
 * <p>Contents live in a keyed store under the key group, then the window, then the key, so that a
 * window's firing reads, per key group this subtask owns, one contiguous range. The windows with
 * contents live in a union store (each subtask of a restore at another parallelism gets all of
 * them; firing one with no keys here emits nothing). The output watermark is held at the end of
 * the earliest pending window, where the ReduceFnRunner would hold it.
 */
public final class EndOfWindowOperator<K, I, O> implements Operator {

  /** What a pane holds in its cells, all under one key's and window's prefix, and what it emits. */
  public interface PaneContents<I, O> {
    /** Adds an element to the pane whose cells start with {@code prefix}. */
    void add(SortedByteStore cells, byte[] prefix, I input) throws Exception;

    /** The pane's output, from the values of its cells in key order. */
    O output(List<byte[]> values) throws Exception;

    /** Called at snapshots and restores, for contents that keep a counter. */
    default void snapshot(OperatorContext context) {}

    default void restore(OperatorContext context) {}
  }

  private final Coder<K> keyCoder;
  private final Coder<BoundedWindow> windowCoder;
  private final PaneContents<I, O> contents;
  /** Derived: the window encoding buffer, reused, for the operator's life. */
  private final CoderBytes windowEncoder = new CoderBytes();
  private final String stepName;
  private OperatorContext context;
  /** Pane contents by key group, window and key: durable, live until their window fires. */
  private SortedByteStore cells;
  /** The windows that have contents, by their encoding: durable, live until they fire. */
  private SortedByteStore windowStore;
  /**
   * The same windows by end (maximum timestamp), then encoding: derived from {@link #windowStore},
   * rebuilt at restore.
   */
  private final TreeMap<Long, Map<WindowBytes, BoundedWindow>> pending = new TreeMap<>();
  /** Derived: the last input watermark; elements of windows it has passed are late. */
  private long inputWatermark = Long.MIN_VALUE;
  /** Derived: what was last forwarded; never goes back. */
  private long outputWatermark = Long.MIN_VALUE;
  /** Derived: the key group the firing of the earliest due window goes on from after a yield. */
  private int nextGroup = -1;
  private boolean yielded;
  private Emitter emitter;
  private CounterCell droppedDueToLateness;
  /** The step's metrics in this instance, committed with checkpoints: derived, open to close. */
  private InstanceMetrics stepMetrics;
  /** Derived: the last window encoded, as elements come in runs of one window. */
  private BoundedWindow lastWindow;
  private byte[] lastWindowBytes;
  private final ByteArrayOutputStream scratch = new ByteArrayOutputStream();

  /** A window's encoding as a map key. */
  private record WindowBytes(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof WindowBytes w && Arrays.equals(bytes, w.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  /**
   * Whether Beam defines exactly one pane per key and window, at the window's end and holding every
   * element that was not late: non-merging windows, the default trigger, no allowed lateness and
   * output at the end of the window. Most windowed aggregations are so.
   */
  public static boolean appliesTo(WindowingStrategy<?, ?> windowing) {
    return windowing.getWindowFn().isNonMerging()
        && windowing.getTrigger() instanceof DefaultTrigger
        && windowing.getAllowedLateness().getMillis() == 0
        && windowing.getTimestampCombiner() == TimestampCombiner.END_OF_WINDOW;
  }

  @SuppressWarnings("unchecked")
  public EndOfWindowOperator(Coder<K> keyCoder, Coder<? extends BoundedWindow> windowCoder, PaneContents<I, O> contents,
      String stepName) {
    this.keyCoder = keyCoder;
    this.windowCoder = (Coder<BoundedWindow>) windowCoder;
    this.contents = contents;
    this.stepName = stepName;
  }

  @Override
  public void open(OperatorContext context) {
    this.context = context;
    cells = context.keyedStores().store("panes", StoreLayout.KEYED);
    windowStore = context.operatorStore("windows", StoreLayout.UNION);
    emitter = new Emitter(context.output());
    stepMetrics = JobMetrics.forOperator(stepName, context);
    droppedDueToLateness = stepMetrics.container().getCounter(
        MetricName.named(LateDataDroppingDoFnRunner.class, LateDataDroppingDoFnRunner.DROPPED_DUE_TO_LATENESS));
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    KeyedRecord keyed = (KeyedRecord) record;
    WindowedValue<KV<K, I>> element = (WindowedValue<KV<K, I>>) keyed.value();
    I input = element.getValue().getValue();
    // A CombineFn runs here and may report metrics: they are the step's.
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(stepMetrics.container())) {
      for (BoundedWindow window : element.getWindows()) {
        if (window.maxTimestamp().getMillis() < inputWatermark) {
          // Its end has passed and no lateness is allowed: the ReduceFnRunner drops it too.
          droppedDueToLateness.inc();
          continue;
        }
        contents.add(cells, panePrefix(keyed.key(), windowBytes(window)), input);
      }
    }
  }

  @Override
  public void watermark(long watermark) throws Exception {
    inputWatermark = watermark;
    yielded = !fireDue();
    if (!yielded) {
      emitWatermark();
    }
  }

  @Override
  public boolean yielded() {
    return yielded;
  }

  @Override
  public void complete() throws Exception {
    inputWatermark = Long.MAX_VALUE;
    yielded = false;
    while (!fireDue()) {
      // At the end of input nothing else is waiting for the thread.
    }
    emitWatermark();
  }

  @Override
  public void snapshotState(long checkpointId) {
    contents.snapshot(context);
    stepMetrics.snapshot(checkpointId);
  }

  @Override
  public void checkpointComplete(long checkpointId) {
    stepMetrics.checkpointComplete(checkpointId);
  }

  @Override
  public void restoreState(long checkpointId) throws Exception {
    pending.clear();
    lastWindow = null;
    try (SortedByteStore.Cursor cursor = windowStore.scan(new byte[0])) {
      while (cursor.hasNext()) {
        byte[] bytes = cursor.next().getKey();
        BoundedWindow window = CoderBytes.decode(windowCoder, bytes);
        pending.computeIfAbsent(window.maxTimestamp().getMillis(), t -> new HashMap<>())
            .put(new WindowBytes(bytes), window);
      }
    }
    nextGroup = -1;
    contents.restore(context);
    stepMetrics.restore();
  }

  /**
   * Fires the windows whose end the input watermark has passed (as Beam's timers: once time has
   * passed the end, not when it reaches it), earliest first, one key group at a time; returns
   * false, to be called again, when the subtask asks the operator to yield.
   */
  private boolean fireDue() throws Exception {
    KeyGroups groups = context.keyGroups();
    int first = groups.firstGroupOf(context.subtaskIndex(), context.parallelism());
    int end = groups.endGroupOf(context.subtaskIndex(), context.parallelism());
    while (!pending.isEmpty() && isDue(pending.firstKey())) {
      Map<WindowBytes, BoundedWindow> windows = pending.firstEntry().getValue();
      Iterator<Map.Entry<WindowBytes, BoundedWindow>> it = windows.entrySet().iterator();
      Map.Entry<WindowBytes, BoundedWindow> due = it.next();
      for (int group = Math.max(first, nextGroup); group < end; group++) {
        fire(group, due.getKey().bytes(), due.getValue());
        if (group + 1 < end && context.shouldYield()) {
          nextGroup = group + 1;
          return false;
        }
      }
      nextGroup = -1;
      it.remove();
      if (windows.isEmpty()) {
        pending.pollFirstEntry();
      }
      windowStore.delete(due.getKey().bytes());
      if (due.getValue().equals(lastWindow)) {
        lastWindow = null;
      }
      if (!pending.isEmpty() && isDue(pending.firstKey()) && context.shouldYield()) {
        return false;
      }
    }
    return true;
  }

  private boolean isDue(long windowEnd) {
    return inputWatermark == Long.MAX_VALUE || windowEnd < inputWatermark;
  }

  /** Emits, and clears, the panes of one window for the keys of one key group. */
  private void fire(int group, byte[] windowBytes, BoundedWindow window) throws Exception {
    byte[] prefix = windowPrefix(group, windowBytes);
    List<byte[]> fired = new ArrayList<>();
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(stepMetrics.container());
        SortedByteStore.Cursor cursor = cells.scan(prefix)) {
      byte[] paneKey = null;
      List<byte[]> values = new ArrayList<>();
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        byte[] cell = entry.getKey();
        if (paneKey != null && !startsWith(cell, paneKey)) {
          emit(paneKey, prefix.length, values, window);
          values = new ArrayList<>();
        }
        if (values.isEmpty()) {
          // The pane's key is the cell's length-prefixed key after the prefix.
          long keyLength = VarInts.read(cell, prefix.length);
          paneKey = Arrays.copyOf(cell, prefix.length + VarInts.length(keyLength) + VarInts.value(keyLength));
        }
        values.add(entry.getValue());
        fired.add(cell);
      }
      if (!values.isEmpty()) {
        emit(paneKey, prefix.length, values, window);
      }
    }
    for (byte[] cell : fired) {
      cells.deleteSeen(cell);
    }
  }

  private void emit(byte[] paneKey, int keyStart, List<byte[]> values, BoundedWindow window) throws Exception {
    int offset = keyStart;
    while ((paneKey[offset] & 0x80) != 0) {
      offset++;
    }
    K key = CoderBytes.decode(keyCoder, Arrays.copyOfRange(paneKey, offset + 1, paneKey.length));
    emitter.emit(0, WindowedValues.of(KV.of(key, contents.output(values)), window.maxTimestamp(), window,
        PaneInfo.ON_TIME_AND_ONLY_FIRING));
  }

  private void emitWatermark() throws InterruptedException {
    long hold = pending.isEmpty() ? Long.MAX_VALUE : pending.firstKey();
    long watermark = Math.min(inputWatermark, hold);
    if (watermark > outputWatermark) {
      outputWatermark = watermark;
      context.output().emitWatermark(watermark);
    }
  }

  /** The window's encoding; a window seen for the first time becomes pending. */
  private byte[] windowBytes(BoundedWindow window) throws IOException {
    if (window.equals(lastWindow)) {
      return lastWindowBytes;
    }
    byte[] bytes = windowEncoder.encode(windowCoder, window);
    Map<WindowBytes, BoundedWindow> windows =
        pending.computeIfAbsent(window.maxTimestamp().getMillis(), t -> new HashMap<>());
    if (windows.putIfAbsent(new WindowBytes(bytes), window) == null) {
      windowStore.put(bytes, new byte[0]);
    }
    lastWindow = window;
    lastWindowBytes = bytes;
    return bytes;
  }

  /** Key group (2 bytes), then the window, then the key, each but the group after its length as a varint. */
  private byte[] panePrefix(byte[] keyBytes, byte[] windowBytes) {
    scratch.reset();
    int group = context.keyGroups().of(keyBytes);
    scratch.write(group >>> 8);
    scratch.write(group);
    writeWithLength(windowBytes);
    writeWithLength(keyBytes);
    return scratch.toByteArray();
  }

  private byte[] windowPrefix(int group, byte[] windowBytes) {
    scratch.reset();
    scratch.write(group >>> 8);
    scratch.write(group);
    writeWithLength(windowBytes);
    return scratch.toByteArray();
  }

  private void writeWithLength(byte[] bytes) {
    int length = bytes.length;
    while ((length & ~0x7f) != 0) {
      scratch.write((length & 0x7f) | 0x80);
      length >>>= 7;
    }
    scratch.write(length);
    scratch.write(bytes, 0, bytes.length);
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** A Combine.perKey's pane: one cell, the accumulator. */
  public static final class Combining<I, A, O> implements PaneContents<I, O> {
    private final org.apache.beam.sdk.transforms.Combine.CombineFn<I, A, O> fn;
    private final Coder<A> accumulatorCoder;
    /** Derived: the encoding buffer of the subtask that owns these contents, for its life. */
    private final CoderBytes encoder = new CoderBytes();

    public Combining(org.apache.beam.sdk.transforms.Combine.CombineFn<I, A, O> fn, Coder<A> accumulatorCoder) {
      this.fn = fn;
      this.accumulatorCoder = accumulatorCoder;
    }

    @Override
    public void add(SortedByteStore cells, byte[] prefix, I input) throws Exception {
      byte[] stored = cells.get(prefix);
      A accumulator = stored == null ? fn.createAccumulator() : CoderBytes.decode(accumulatorCoder, stored);
      cells.put(prefix, encoder.encode(accumulatorCoder, fn.addInput(accumulator, input)));
    }

    @Override
    public O output(List<byte[]> values) throws Exception {
      return fn.extractOutput(CoderBytes.decode(accumulatorCoder, values.get(0)));
    }
  }

  /**
   * A GroupByKey's pane: a cell per element, appended blind under a sequence number that grows over
   * the whole subtask (durable, so that a restored subtask never reuses one).
   */
  public static final class Buffering<V> implements PaneContents<V, Iterable<V>> {
    private static final byte[] SEQUENCE = {'s'};
    private final Coder<V> valueCoder;
    /** Derived: the encoding buffer of the subtask that owns these contents, for its life. */
    private final CoderBytes encoder = new CoderBytes();
    /** Durable from a snapshot on; after a restore it goes on from the greatest any subtask had. */
    private long sequence;

    public Buffering(Coder<V> valueCoder) {
      this.valueCoder = valueCoder;
    }

    @Override
    public void add(SortedByteStore cells, byte[] prefix, V input) throws Exception {
      byte[] cell = Arrays.copyOf(prefix, prefix.length + 8);
      ByteBuffer.wrap(cell, prefix.length, 8).putLong(sequence++);
      cells.put(cell, encoder.encode(valueCoder, input));
    }

    @Override
    public Iterable<V> output(List<byte[]> values) throws Exception {
      List<V> elements = new ArrayList<>(values.size());
      for (byte[] value : values) {
        elements.add(CoderBytes.decode(valueCoder, value));
      }
      return elements;
    }

    @Override
    public void snapshot(OperatorContext context) {
      context.operatorStore("sequences", StoreLayout.UNION).put(SEQUENCE, ByteBuffer.allocate(8).putLong(sequence).array());
    }

    @Override
    public void restore(OperatorContext context) {
      byte[] stored = context.operatorStore("sequences", StoreLayout.UNION).get(SEQUENCE);
      sequence = stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
    }
  }
}
