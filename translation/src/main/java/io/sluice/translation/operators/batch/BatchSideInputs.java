package io.sluice.translation.operators.batch;

import io.sluice.translation.operators.dofn.ParDoSideInputs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The side inputs of one batch ParDo subtask: collects each view's whole input (it arrives
 * broadcast, so every subtask sees all of it), then materializes a view per window on first use.
 */
final class BatchSideInputs extends ParDoSideInputs {

  /**
   * Each side input's elements by window: derived, batch input, lost with the subtask (a batch job
   * reruns); collected until its input ends, kept for the operator's life.
   */
  private final List<Map<BoundedWindow, List<Object>>> elements = new ArrayList<>();
  /** Views made from {@link #elements}, per window on first read: derived, kept for the operator's life. */
  private final Map<PCollectionView<?>, Map<BoundedWindow, Object>> materialized = new HashMap<>();

  BatchSideInputs(List<PCollectionView<?>> views) {
    super(views);
    for (int i = 0; i < views.size(); i++) {
      elements.add(new HashMap<>());
    }
  }

  /** Adds an element of side input {@code index} (the ParDo's input port minus one). */
  void add(int index, WindowedValue<?> element) {
    Map<BoundedWindow, List<Object>> byWindow = elements.get(index);
    for (BoundedWindow window : element.getWindows()) {
      byWindow.computeIfAbsent(window, w -> new ArrayList<>()).add(element.getValue());
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(PCollectionView<T> view, BoundedWindow window) {
    int index = indexOf(view);
    return (T) materialized
        .computeIfAbsent(view, v -> new HashMap<>())
        .computeIfAbsent(window, w -> materialize(view, elements.get(index).getOrDefault(w, List.of())));
  }
}
