package io.sluice.translation.operators.streaming;

import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.SourceOperator;
import io.sluice.execution.state.StoreLayout;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.EngineTime;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * Beam's TestStream: replays its events from subtask 0, each once the job has settled after the
 * previous one. Watermarks and processing time travel in-band, so each stage sees an advance only
 * after everything emitted before it: triggers and timers fire exactly where the test put them.
 */
public final class TestStreamOperator<T> implements SourceOperator {

  private static final byte[] POSITION = {0};

  private final List<TestStream.Event<T>> events;
  /** Derived: given at open, for the operator's life. */
  private OperatorContext context;
  /** Derived: made at open, for the operator's life. */
  private Emitter out;
  /** The next event to replay: durable (in the "position" store from each snapshot on); open to close. */
  private int next;
  /** In-band processing time sent so far: durable with {@link #next}. */
  private long processingTime;
  /** The watermark sent so far: durable with {@link #next}, sent again after a restore. */
  private long watermark = Long.MIN_VALUE;
  /** Set by a restore: the watermark is sent again before the next event. */
  private boolean resendWatermark;

  public TestStreamOperator(List<TestStream.Event<T>> events) {
    this.events = events;
  }

  @Override
  public void open(OperatorContext context) {
    this.context = context;
    this.out = new Emitter(context.output());
  }

  @Override
  public Status poll() throws Exception {
    if (context.subtaskIndex() != 0) {
      return Status.DONE;
    }
    if (next == 0) {
      // The job's start: where in-band time begins for every operator.
      processingTime = context.processingTime();
    }
    if (resendWatermark) {
      resendWatermark = false;
      if (watermark != Long.MIN_VALUE) {
        context.output().emitWatermark(watermark);
      }
    }
    if (next == events.size()) {
      return Status.DONE;
    }
    if (!context.isQuiescent()) {
      // Like Beam's reference runner: each event, the first too, is applied to a pipeline that has
      // settled, so that the other inputs' start (a bounded side input, say) precedes it.
      return Status.IDLE;
    }
    TestStream.Event<T> event = events.get(next++);
    if (event instanceof TestStream.ElementEvent) {
      for (TimestampedValue<T> element : ((TestStream.ElementEvent<T>) event).getElements()) {
        out.emit(0, WindowedValues.timestampedValueInGlobalWindow(element.getValue(), element.getTimestamp()));
      }
    } else if (event instanceof TestStream.WatermarkEvent) {
      watermark = EngineTime.toMillis(((TestStream.WatermarkEvent<T>) event).getWatermark());
      context.output().emitWatermark(watermark);
    } else {
      processingTime += ((TestStream.ProcessingTimeEvent<T>) event).getProcessingTimeAdvance().getMillis();
      context.output().emitProcessingTime(processingTime);
    }
    return Status.MORE;
  }

  @Override
  public void snapshotState(long checkpointId) {
    context.operatorStore("position", StoreLayout.UNION).put(POSITION,
        ByteBuffer.allocate(4 + 8 + 8).putInt(next).putLong(processingTime).putLong(watermark).array());
  }

  @Override
  public void restoreState(long checkpointId) {
    byte[] position = context.operatorStore("position", StoreLayout.UNION).get(POSITION);
    if (position != null) {
      ByteBuffer bytes = ByteBuffer.wrap(position);
      next = bytes.getInt();
      processingTime = bytes.getLong();
      watermark = bytes.getLong();
      resendWatermark = true;
    }
  }
}
