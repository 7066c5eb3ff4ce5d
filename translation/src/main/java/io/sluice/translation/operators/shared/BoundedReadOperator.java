package io.sluice.translation.operators.shared;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.operators.Emitter;
import java.io.Closeable;
import java.util.List;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * Beam's bounded Read: the source was split once at translation; subtask i reads splits i,
 * i + parallelism, ... so every split is read exactly once.
 */
public final class BoundedReadOperator<T> implements Operator {

  private final List<? extends BoundedSource<T>> splits;
  /** The options as the job was submitted with them, shipped with the graph. */
  private final SerializablePipelineOptions shippedOptions;
  /** The options, read back in the process that runs the job: derived, at open, for the operator's life. */
  private PipelineOptions options;
  private final String stepName;
  /** Derived: given at open, for the operator's life. */
  private OperatorContext context;
  /** This subtask's counters of the step: derived (attempted metrics, not checkpointed), open to close. */
  private MetricsContainerImpl metricsContainer;

  public BoundedReadOperator(List<? extends BoundedSource<T>> splits, SerializablePipelineOptions shippedOptions, String stepName) {
    this.splits = splits;
    this.shippedOptions = shippedOptions;
    this.stepName = stepName;
  }

  @Override
  public void open(OperatorContext context) {
    this.options = shippedOptions.get();
    this.context = context;
    this.metricsContainer = JobMetrics.forOperator(stepName, context).container();
  }

  @Override
  public void process(int inputPort, Object record) {
    throw new IllegalStateException("a bounded read has no input");
  }

  @Override
  public void complete() throws Exception {
    Emitter out = new Emitter(context.output());
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metricsContainer)) {
      for (int s = context.subtaskIndex(); s < splits.size(); s += context.parallelism()) {
        try (BoundedSource.BoundedReader<T> reader = splits.get(s).createReader(options)) {
          for (boolean more = reader.start(); more; more = reader.advance()) {
            if (context.isCancelled()) {
              return;
            }
            out.emit(0, WindowedValues.timestampedValueInGlobalWindow(reader.getCurrent(), reader.getCurrentTimestamp()));
          }
        }
      }
    }
  }
}
