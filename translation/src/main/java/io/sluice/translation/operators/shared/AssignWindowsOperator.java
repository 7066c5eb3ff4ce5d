package io.sluice.translation.operators.shared;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.operators.Emitter;
import java.util.Collection;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;

/** Beam's Window.Assign: gives each element the windows its WindowFn assigns. */
public final class AssignWindowsOperator<T, W extends BoundedWindow> implements Operator {

  private final WindowFn<T, W> windowFn;
  /** Derived: made at open, for the operator's life. */
  private Emitter out;

  public AssignWindowsOperator(WindowFn<T, W> windowFn) {
    this.windowFn = windowFn;
  }

  @Override
  public void open(OperatorContext context) {
    this.out = new Emitter(context.output());
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    WindowedValue<T> element = (WindowedValue<T>) record;
    for (BoundedWindow window : element.getWindows()) {
      Collection<W> windows = windowFn.assignWindows(windowFn.new AssignContext() {
        @Override
        public T element() {
          return element.getValue();
        }

        @Override
        public Instant timestamp() {
          return element.getTimestamp();
        }

        @Override
        public BoundedWindow window() {
          return window;
        }
      });
      out.emit(0, WindowedValues.of(element.getValue(), element.getTimestamp(), windows, element.getPaneInfo()));
    }
  }

  @Override
  public void watermark(long watermark) {
    out.watermark(watermark);
  }
}
