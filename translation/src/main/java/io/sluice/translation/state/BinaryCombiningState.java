package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import java.util.Arrays;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.transforms.Combine.CombineFn;

/**
 * The accumulator of a combining state, stored as one entry at the cell key. An absent entry means
 * empty; reads then see a fresh accumulator.
 */
final class BinaryCombiningState<InputT, AccumT, OutputT> extends StoreCell
    implements CombiningState<InputT, AccumT, OutputT> {

  private final Coder<AccumT> accumCoder;
  private final CombineFn<InputT, AccumT, OutputT> combineFn;

  BinaryCombiningState(
      SortedByteStore store, byte[] cell, Coder<AccumT> accumCoder, CombineFn<InputT, AccumT, OutputT> combineFn) {
    super(store, cell);
    this.accumCoder = accumCoder;
    this.combineFn = combineFn;
  }

  @Override
  public AccumT getAccum() {
    byte[] bytes = store.get(cell);
    return bytes == null ? combineFn.createAccumulator() : decode(accumCoder, bytes);
  }

  @Override
  public OutputT read() {
    return combineFn.extractOutput(getAccum());
  }

  @Override
  public void add(InputT value) {
    store.put(cell, encode(accumCoder, combineFn.addInput(getAccum(), value)));
  }

  @Override
  public void addAccum(AccumT accum) {
    byte[] bytes = store.get(cell);
    AccumT merged =
        bytes == null ? accum : combineFn.mergeAccumulators(Arrays.asList(decode(accumCoder, bytes), accum));
    store.put(cell, encode(accumCoder, merged));
  }

  @Override
  public AccumT mergeAccumulators(Iterable<AccumT> accumulators) {
    return combineFn.mergeAccumulators(accumulators);
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return deferred(() -> store.get(cell) == null);
  }

  @Override
  public CombiningState<InputT, AccumT, OutputT> readLater() {
    return this;
  }

  @Override
  public void clear() {
    store.delete(cell);
  }
}
