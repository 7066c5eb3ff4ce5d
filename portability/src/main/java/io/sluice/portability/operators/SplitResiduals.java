package io.sluice.portability.operators;

import io.sluice.execution.state.SortedByteStore;
import io.sluice.translation.records.CoderBytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.model.fnexecution.v1.BeamFnApi;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * The work a splittable DoFn handed back to the runner (a self-checkpoint: the rest of a
 * restriction, to resume after a delay): each residual waits here until it is due, then goes into
 * a bundle as main input again. Until it has run, it holds the output watermark at the watermark
 * the harness reported for it (else at its element's timestamp). Durable: written to an operator
 * store at each checkpoint and read back on restore.
 */
final class SplitResiduals {

  /** A residual: its element as the input's wire coder encodes it, when it is due, what it holds. */
  private record Residual(byte[] element, long dueAt, long hold) {}

  private final Coder<WindowedValue<Object>> inputCoder;
  /** Waiting residuals by arrival: durable from a snapshot on. */
  private final TreeMap<Long, Residual> waiting = new TreeMap<>();
  private long nextSequence;

  SplitResiduals(Coder<WindowedValue<Object>> inputCoder) {
    this.inputCoder = inputCoder;
  }

  /** Takes the residuals of a bundle the harness checkpointed, due {@code now} plus each one's delay. */
  void add(BeamFnApi.ProcessBundleResponse response, long now) throws CoderException {
    for (BeamFnApi.DelayedBundleApplication residual : response.getResidualRootsList()) {
      byte[] element = residual.getApplication().getElement().toByteArray();
      long hold = Long.MAX_VALUE;
      for (Map.Entry<String, org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Timestamp> w
          : residual.getApplication().getOutputWatermarksMap().entrySet()) {
        hold = Math.min(hold, w.getValue().getSeconds() * 1000 + w.getValue().getNanos() / 1_000_000);
      }
      if (hold == Long.MAX_VALUE) {
        hold = CoderBytes.decode(inputCoder, element).getTimestamp().getMillis();
      }
      long delay = residual.getRequestedTimeDelay().getSeconds() * 1000
          + residual.getRequestedTimeDelay().getNanos() / 1_000_000;
      waiting.put(nextSequence++, new Residual(element, now + delay, hold));
    }
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** The earliest time a residual is due, or Long.MAX_VALUE. */
  long earliestDue() {
    return waiting.values().stream().mapToLong(Residual::dueAt).min().orElse(Long.MAX_VALUE);
  }

  /** How far the output watermark may go while these wait. */
  long hold() {
    return waiting.values().stream().mapToLong(Residual::hold).min().orElse(Long.MAX_VALUE);
  }

  /** Removes and returns the residuals due at {@code now}, decoded, in arrival order. */
  List<WindowedValue<Object>> takeDue(long now) throws CoderException {
    List<WindowedValue<Object>> due = new ArrayList<>();
    Iterator<Residual> it = waiting.values().iterator();
    while (it.hasNext()) {
      Residual residual = it.next();
      if (residual.dueAt() <= now) {
        due.add(CoderBytes.decode(inputCoder, residual.element()));
        it.remove();
      }
    }
    return due;
  }

  void snapshot(SortedByteStore store) {
    store.deletePrefix(new byte[0]);
    waiting.forEach((sequence, r) -> store.put(ByteBuffer.allocate(8).putLong(sequence).array(),
        ByteBuffer.allocate(16 + r.element().length).putLong(r.dueAt()).putLong(r.hold()).put(r.element()).array()));
  }

  void restore(SortedByteStore store) {
    waiting.clear();
    try (SortedByteStore.Cursor cursor = store.scan(new byte[0])) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        ByteBuffer value = ByteBuffer.wrap(entry.getValue());
        long sequence = ByteBuffer.wrap(entry.getKey()).getLong();
        waiting.put(sequence, new Residual(Arrays.copyOfRange(entry.getValue(), 16, entry.getValue().length),
            value.getLong(), value.getLong()));
        nextSequence = Math.max(nextSequence, sequence + 1);
      }
    }
  }
}
