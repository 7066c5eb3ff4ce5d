package io.sluice.translation.operators.dofn;

import java.util.List;
import org.apache.beam.runners.core.InMemoryMultimapSideInputView;
import org.apache.beam.runners.core.SideInputReader;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Materializations;
import org.apache.beam.sdk.transforms.ViewFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * The side inputs of one ParDo subtask, side input i being the i-th view of the spec (it arrives on
 * input port i + 1). Batch and streaming collect a window's elements differently; what the DoFn
 * reads from them, through the view's own ViewFn, must not differ.
 */
public abstract class ParDoSideInputs implements SideInputReader {

  private final List<PCollectionView<?>> views;

  protected ParDoSideInputs(List<PCollectionView<?>> views) {
    this.views = views;
  }

  /** The index of {@code view}, which must be one of this ParDo's side inputs. */
  protected int indexOf(PCollectionView<?> view) {
    int index = views.indexOf(view);
    if (index < 0) {
      throw new IllegalArgumentException("unknown side input " + view);
    }
    return index;
  }

  /** One window's elements of {@code view} as the DoFn reads them: an iterable or a multimap, as the view asks. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected static <T> T materialize(PCollectionView<T> view, List<Object> values) {
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
