package io.sluice.translation.operators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.InMemoryMultimapSideInputView;
import org.apache.beam.runners.core.SideInputReader;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Materializations;
import org.apache.beam.sdk.transforms.ViewFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The side inputs of one ParDo subtask: collects each view's whole input (it arrives broadcast, so
 * every subtask sees all of it), then materializes a view per window on first use, through the
 * view's own ViewFn, as an iterable or a multimap as the view asks.
 */
final class SideInputs implements SideInputReader {

  private final List<PCollectionView<?>> views;
  private final List<Map<BoundedWindow, List<Object>>> elements = new ArrayList<>();
  private final Map<PCollectionView<?>, Map<BoundedWindow, Object>> materialized = new HashMap<>();

  SideInputs(List<PCollectionView<?>> views) {
    this.views = views;
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
    int index = views.indexOf(view);
    if (index < 0) {
      throw new IllegalArgumentException("unknown side input " + view);
    }
    return (T) materialized
        .computeIfAbsent(view, v -> new HashMap<>())
        .computeIfAbsent(window, w -> materialize(view, elements.get(index).getOrDefault(w, List.of())));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static <T> T materialize(PCollectionView<T> view, List<Object> values) {
    ViewFn<Object, T> viewFn = (ViewFn<Object, T>) view.getViewFn();
    String urn = viewFn.getMaterialization().getUrn();
    switch (urn) {
      case Materializations.ITERABLE_MATERIALIZATION_URN:
        return viewFn.apply((Materializations.IterableView<Object>) () -> values);
      case Materializations.MULTIMAP_MATERIALIZATION_URN:
        Coder<Object> keyCoder = ((KvCoder<Object, Object>) view.getCoderInternal()).getKeyCoder();
        return viewFn.apply(InMemoryMultimapSideInputView.fromIterable(keyCoder, (List<KV<Object, Object>>) (List) values));
      default:
        throw new UnsupportedOperationException("side input " + view + " asks for materialization " + urn
            + ", which Sluice does not support");
    }
  }

  @Override
  public <T> boolean contains(PCollectionView<T> view) {
    return views.contains(view);
  }

  @Override
  public boolean isEmpty() {
    return views.isEmpty();
  }
}
