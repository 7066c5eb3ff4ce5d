package io.sluice.translation.operators.shared;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.records.CoderBytes;
import io.sluice.translation.records.KeyedRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The sending side of a keyed edge: encodes each element's key once, so that partitioning and the
 * grouping downstream compare keys by their encoded bytes, as Beam requires.
 */
public final class KeyEncodingOperator<K> implements Operator {

  private final Coder<K> keyCoder;
  /** Derived: the encoding buffer, reused for every element, for the operator's life. */
  private final CoderBytes keyBytes = new CoderBytes();
  /** Derived: made at open, for the operator's life. */
  private Emitter out;

  public KeyEncodingOperator(Coder<K> keyCoder) {
    this.keyCoder = keyCoder;
  }

  @Override
  public void open(OperatorContext context) {
    this.out = new Emitter(context.output());
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    WindowedValue<KV<K, ?>> element = (WindowedValue<KV<K, ?>>) record;
    byte[] key = keyBytes.encode(keyCoder, element.getValue().getKey());
    out.emit(0, new KeyedRecord(key, element));
  }

  @Override
  public void watermark(long watermark) {
    out.watermark(watermark);
  }
}
