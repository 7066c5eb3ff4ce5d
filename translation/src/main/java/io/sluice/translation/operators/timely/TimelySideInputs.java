package io.sluice.translation.operators.timely;

import io.sluice.translation.operators.dofn.ParDoSideInputs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 */
final class TimelySideInputs extends ParDoSideInputs implements ReadyCheckingSideInputReader {

  /** The elements of one window of one side input: those of its latest pane. */
  private static final class Contents {
    long pane = -1;
    List<Object> values = new ArrayList<>();
    Object materialized;
  }

  private final List<Map<BoundedWindow, Contents>> windows = new ArrayList<>();
  private final boolean[] done;
  private final long[] watermarks;

  TimelySideInputs(List<PCollectionView<?>> views) {
    super(views);
    this.done = new boolean[views.size()];
    this.watermarks = new long[views.size()];
    java.util.Arrays.fill(watermarks, Long.MIN_VALUE);
    for (int i = 0; i < views.size(); i++) {
      windows.add(new HashMap<>());
    }
  }

  /** Adds an element of side input {@code index} (the ParDo's input port minus one). */
  void add(int index, WindowedValue<?> element) {
    long pane = element.getPaneInfo().getIndex();
    for (BoundedWindow window : element.getWindows()) {
      Contents contents = windows.get(index).computeIfAbsent(window, w -> new Contents());
      if (pane > contents.pane) {
        if (contents.pane >= 0) {
          contents.values = new ArrayList<>();
        }
        contents.pane = pane;
      }
      if (pane == contents.pane) {
        contents.values.add(element.getValue());
        contents.materialized = null;
      }
    }
  }

  /** Side input {@code index}'s watermark: its windows that end before it are complete. */
  void advanceWatermark(int index, long watermark) {
    watermarks[index] = Math.max(watermarks[index], watermark);
  }

  void done(int index) {
    done[index] = true;
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
    boolean triggered = !(windowing.getTrigger() instanceof DefaultTrigger);
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
    Contents contents = windows.get(indexOf(view)).get(window);
    if (contents == null) {
      return materialize(view, List.of());
    }
    if (contents.materialized == null) {
      contents.materialized = materialize(view, contents.values);
    }
    return (T) contents.materialized;
  }
}
