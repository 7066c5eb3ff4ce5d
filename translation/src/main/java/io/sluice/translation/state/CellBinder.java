package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import java.util.function.LongSupplier;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.SetState;
import org.apache.beam.sdk.state.StateBinder;
import org.apache.beam.sdk.state.StateContext;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.CombineWithContext.CombineFnWithContext;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.util.CombineFnUtil;

/**
 * Turns a state spec into the store-backed state of one cell. The id Beam passes is ignored: the
 * cell's location was computed by the caller from the tag, including whether it is a system or
 * user tag, which the bare id does not tell.
 */
final class CellBinder implements StateBinder {

  private final SortedByteStore store;
  private final byte[] cellBase;
  private final StateContext<?> context;
  private final HoldListener holds;
  private final LongSupplier appendSequence;

  CellBinder(SortedByteStore store, byte[] cellBase, StateContext<?> context, HoldListener holds,
      LongSupplier appendSequence) {
    this.store = store;
    this.cellBase = cellBase;
    this.context = context;
    this.holds = holds;
    this.appendSequence = appendSequence;
  }

  private byte[] cell(byte kind) {
    return StateKeys.concat(cellBase, kind);
  }

  @Override
  public <T> ValueState<T> bindValue(String id, StateSpec<ValueState<T>> spec, Coder<T> coder) {
    return new BinaryValueState<>(store, cell(StateKeys.VALUE), coder);
  }

  @Override
  public <T> BagState<T> bindBag(String id, StateSpec<BagState<T>> spec, Coder<T> elemCoder) {
    return new BinaryBagState<>(store, cell(StateKeys.BAG), elemCoder, appendSequence);
  }

  @Override
  public <T> SetState<T> bindSet(String id, StateSpec<SetState<T>> spec, Coder<T> elemCoder) {
    return new BinarySetState<>(store, cell(StateKeys.SET), elemCoder);
  }

  @Override
  public <K, V> MapState<K, V> bindMap(
      String id, StateSpec<MapState<K, V>> spec, Coder<K> mapKeyCoder, Coder<V> mapValueCoder) {
    return new BinaryMapState<>(store, cell(StateKeys.MAP), mapKeyCoder, mapValueCoder);
  }

  @Override
  public <T> OrderedListState<T> bindOrderedList(
      String id, StateSpec<OrderedListState<T>> spec, Coder<T> elemCoder) {
    return new BinaryOrderedListState<>(store, cell(StateKeys.ORDERED_LIST), elemCoder);
  }

  @Override
  public <K, V> MultimapState<K, V> bindMultimap(
      String id, StateSpec<MultimapState<K, V>> spec, Coder<K> keyCoder, Coder<V> valueCoder) {
    return new BinaryMultimapState<>(store, cell(StateKeys.MULTIMAP), keyCoder, valueCoder);
  }

  @Override
  public <InputT, AccumT, OutputT> CombiningState<InputT, AccumT, OutputT> bindCombining(
      String id,
      StateSpec<CombiningState<InputT, AccumT, OutputT>> spec,
      Coder<AccumT> accumCoder,
      CombineFn<InputT, AccumT, OutputT> combineFn) {
    return new BinaryCombiningState<>(store, cell(StateKeys.COMBINING), accumCoder, combineFn);
  }

  @Override
  public <InputT, AccumT, OutputT> CombiningState<InputT, AccumT, OutputT> bindCombiningWithContext(
      String id,
      StateSpec<CombiningState<InputT, AccumT, OutputT>> spec,
      Coder<AccumT> accumCoder,
      CombineFnWithContext<InputT, AccumT, OutputT> combineFn) {
    // Same layout as a plain combining state: only the functions differ, not what is stored.
    return new BinaryCombiningState<>(
        store, cell(StateKeys.COMBINING), accumCoder, CombineFnUtil.bindContext(combineFn, context));
  }

  @Override
  public WatermarkHoldState bindWatermark(
      String id, StateSpec<WatermarkHoldState> spec, TimestampCombiner timestampCombiner) {
    return new BinaryWatermarkHoldState(store, cell(StateKeys.WATERMARK), timestampCombiner, holds);
  }
}
