package io.sluice.translation.operators.timely;

import io.sluice.execution.state.SortedByteStore;
import io.sluice.translation.operators.dofn.ParDoSideInputs;
import io.sluice.translation.records.CoderBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.ReadyCheckingSideInputReader;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The side inputs of one {@link TimelyParDoOperator} subtask. A window of a side input (the one the
 * main input's window maps to) is ready once the side input's watermark passed the time after which
 * no pane of it can come (it is then complete, maybe empty), once the side input ended, or, for a
 * triggered side input, once its first pane arrived. A triggered side input changes while the main
 * input flows: a window holds the latest pane's elements, so a later firing replaces an earlier one.
 *
 * <p>The elements live in an operator store, so that a checkpoint holds them: under {@code view
 * index | window length | window | sequence}, each value its pane then its encoding. What is known of
 * a window (its pane, its materialized view) is derived; side inputs' progress (ended, watermark) is
 * written at a snapshot, under {@code 0xFFFF | view index}.
 */
final class TimelySideInputs extends ParDoSideInputs implements ReadyCheckingSideInputReader {

  private static final byte[] PROGRESS = {(byte) 0xff, (byte) 0xff};

  /** What is known of one window of one side input: derived from the store. */
  private static final class WindowState {
    final byte[] prefix;
    long pane = -1;
    long nextSequence;
    Object materialized;

    WindowState(byte[] prefix) {
      this.prefix = prefix;
    }
  }

  /** Opened on first use: a ParDo without side inputs opens no store for them. */
  private final Supplier<SortedByteStore> storeSupplier;
  private SortedByteStore store;
  private final List<Coder<Object>> valueCoders = new ArrayList<>();
  private final List<Coder<BoundedWindow>> windowCoders = new ArrayList<>();
  /** Per side input, its windows seen so far: derived, rebuilt from the store on restore. */
  private final List<Map<BoundedWindow, WindowState>> windows = new ArrayList<>();
  /** Per side input, whether it ended: durable from the snapshot on, lives with the operator. */
  private final boolean[] done;
  /** Per side input, its watermark: durable from the snapshot on, lives with the operator. */
  private final long[] watermarks;
  /** Per side input, whether a trigger fires its panes (it is then readable from its first pane). */
  private final boolean[] triggered;

  @SuppressWarnings({"unchecked", "rawtypes", "deprecation"})
  TimelySideInputs(List<PCollectionView<?>> views, Supplier<SortedByteStore> store) {
    super(views);
    this.storeSupplier = store;
    this.done = new boolean[views.size()];
    this.watermarks = new long[views.size()];
    this.triggered = new boolean[views.size()];
    Arrays.fill(watermarks, Long.MIN_VALUE);
    for (PCollectionView<?> view : views) {
      triggered[windows.size()] = !(view.getWindowingStrategyInternal().getTrigger() instanceof DefaultTrigger);
      windows.add(new HashMap<>());
      valueCoders.add((Coder<Object>) view.getCoderInternal());
      windowCoders.add((Coder) view.getWindowingStrategyInternal().getWindowFn().windowCoder());
    }
  }

  private SortedByteStore store() {
    if (store == null) {
      store = storeSupplier.get();
    }
    return store;
  }

  /**
   * Adds an element of side input {@code index} (the ParDo's input port minus one). Returns true if
   * a window may have become ready: only a triggered side input's first pane in a window does that
   * (other windows wait for the watermark or the end), so waiting main input is retried only then.
   */
  boolean add(int index, WindowedValue<?> element) {
    long pane = element.getPaneInfo().getIndex();
    boolean newWindow = false;
    for (BoundedWindow window : element.getWindows()) {
      WindowState state = windows.get(index).get(window);
      if (state == null) {
        state = new WindowState(prefix(index, window));
        windows.get(index).put(window, state);
        newWindow = true;
      }
      if (pane > state.pane) {
        if (state.pane >= 0) {
          store().deletePrefix(state.prefix);
        }
        state.pane = pane;
      }
      if (pane == state.pane) {
        byte[] value = encode(valueCoders.get(index), element.getValue());
        store().put(ByteBuffer.allocate(state.prefix.length + 8).put(state.prefix).putLong(state.nextSequence++).array(),
            ByteBuffer.allocate(8 + value.length).putLong(pane).put(value).array());
        state.materialized = null;
      }
    }
    return newWindow && isTriggered(index);
  }

  private boolean isTriggered(int index) {
    return triggered[index];
  }

  private byte[] prefix(int index, BoundedWindow window) {
    byte[] windowBytes = encode(windowCoders.get(index), window);
    return ByteBuffer.allocate(2 + 4 + windowBytes.length).putShort((short) index).putInt(windowBytes.length)
        .put(windowBytes).array();
  }

  /** Side input {@code index}'s watermark: its windows that end before it are complete. */
  void advanceWatermark(int index, long watermark) {
    watermarks[index] = Math.max(watermarks[index], watermark);
  }

  void done(int index) {
    done[index] = true;
  }

  /** Writes what is not yet in the store: each side input's progress. */
  void snapshot() {
    if (done.length == 0) {
      return;
    }
    for (int index = 0; index < done.length; index++) {
      store().put(ByteBuffer.allocate(4).put(PROGRESS).putShort((short) index).array(),
          ByteBuffer.allocate(9).put((byte) (done[index] ? 1 : 0)).putLong(watermarks[index]).array());
    }
  }

  /** Rebuilds what is derived from the store's contents (after a restore). */
  void restore() {
    if (done.length == 0) {
      return;
    }
    windows.forEach(Map::clear);
    try (SortedByteStore.Cursor cursor = store().scan(new byte[0])) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        ByteBuffer key = ByteBuffer.wrap(entry.getKey());
        ByteBuffer value = ByteBuffer.wrap(entry.getValue());
        if (key.get(0) == PROGRESS[0] && key.get(1) == PROGRESS[1]) {
          int index = key.getShort(2);
          done[index] = value.get() == 1;
          watermarks[index] = value.getLong();
          continue;
        }
        int index = key.getShort();
        int windowLength = key.getInt();
        byte[] windowBytes = new byte[windowLength];
        key.get(windowBytes);
        BoundedWindow window = decode(windowCoders.get(index), windowBytes);
        WindowState state = windows.get(index).computeIfAbsent(window,
            w -> new WindowState(Arrays.copyOf(entry.getKey(), 2 + 4 + windowLength)));
        state.pane = value.getLong();
        state.nextSequence = key.getLong() + 1;
      }
    }
  }

  @Override
  public boolean isReady(PCollectionView<?> view, BoundedWindow window) {
    int index = indexOf(view);
    WindowingStrategy<?, ?> windowing = view.getWindowingStrategyInternal();
    // A triggered side input is readable from its first firing on. Without a firing, a window is
    // complete once no pane can come any more: when the watermark passes the time its trigger is
    // sure to have fired (the window's end, by default), or, for a trigger that may never fire
    // before (Wait.on's Never), its garbage collection at the end plus the allowed lateness: a late
    // element may still make a pane until then, and an empty window holds no watermark back.
    boolean triggered = isTriggered(index);
    long complete = Math.min(
        windowing.getTrigger().getWatermarkThatGuaranteesFiring(window).getMillis(),
        LateDataUtils.garbageCollectionTime(window, windowing).getMillis());
    return done[index]
        || (triggered && windows.get(index).containsKey(window))
        || watermarks[index] > complete;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(PCollectionView<T> view, BoundedWindow window) {
    int index = indexOf(view);
    WindowState state = windows.get(index).get(window);
    if (state == null) {
      return materialize(view, List.of());
    }
    if (state.materialized == null) {
      List<Object> values = new ArrayList<>();
      try (SortedByteStore.Cursor cursor = store().scan(state.prefix)) {
        while (cursor.hasNext()) {
          byte[] value = cursor.next().getValue();
          values.add(decode(valueCoders.get(index), Arrays.copyOfRange(value, 8, value.length)));
        }
      }
      state.materialized = materialize(view, values);
    }
    return (T) state.materialized;
  }

  private static <T> byte[] encode(Coder<T> coder, T value) {
    try {
      return CoderUtils.encodeToByteArray(coder, value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a side input's element or window", e);
    }
  }

  private static <T> T decode(Coder<T> coder, byte[] bytes) {
    try {
      return CoderBytes.decode(coder, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode a side input's element or window", e);
    }
  }
}
