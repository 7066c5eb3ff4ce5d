package io.sluice.translation.operators.streaming;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.state.ByteKey;
import io.sluice.translation.metrics.InstanceMetrics;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.dofn.ReduceFnRunners;
import io.sluice.translation.operators.timely.TimelyKeyState;
import io.sluice.translation.records.KeyedRecord;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.LateDataDroppingDoFnRunner;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.ReduceFnRunner;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.core.metrics.CounterCell;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Beam's GroupByKey in streaming: per key, runners-core's ReduceFnRunner over keyed state and
 * timers, so triggers, allowed lateness, accumulation modes and merging windows behave as Beam
 * defines. Late elements of expired windows are dropped and counted. The output watermark waits
 * for the holds the ReduceFnRunner keeps on buffered elements. A combining GroupByKey
 * (Combine.perKey) is the same with a pane holding an accumulator instead of the elements.
 *
 * <p>Elements wait, grouped by key, until the input pauses, {@link #MAX_WAITING} have come, or
 * anything else happens (a watermark, processing time, a checkpoint, the end): then each key's
 * ReduceFnRunner takes all of its elements in one call. Building the runner, reading the key's
 * window set and trigger state and writing them back cost as much as the element itself; they
 * are paid once per key and batch instead of once per element. Nothing observable moves: a key's
 * elements keep their order, no two keys' state interact, and nothing the runner reads (the
 * watermark, timers, state) changes while elements wait.
 */
public final class StreamingGroupByKeyOperator<K, V, O, W extends BoundedWindow> implements Operator {

  /** What a pane holds, made per operator instance (a CombineFn may keep fields). */
  public interface PaneReduceFn<K, V, O, W extends BoundedWindow> {
    SystemReduceFn<K, V, ?, O, W> create();
  }

  private final KvCoder<K, V> inputCoder;
  private final PaneReduceFn<K, V, O, W> paneReduceFn;
  private final WindowingStrategy<?, W> windowingStrategy;
  /** The options as the job was submitted with them, shipped with the graph. */
  private final SerializablePipelineOptions shippedOptions;
  /** The options, read back in the process that runs the job: derived, at open, for the operator's life. */
  private PipelineOptions options;
  private final String stepName;
  /** Every key's panes, holds and timers: durable (the keyed stores), lives as long as the job. */
  private TimelyKeyState keyState;
  /** Trigger machinery shared by all keys: derived, made at open. */
  private ReduceFnRunners<K, V, O, W> reducers;
  private CounterCell droppedDueToLateness;
  /** The step's metrics in this instance, committed with checkpoints: derived, open to close. */
  private InstanceMetrics stepMetrics;
  /** The last watermark call stopped with timers due (to let a checkpoint go first): derived. */
  private boolean yielded;
  /**
   * Elements not yet given to their key's ReduceFnRunner, by encoded key in order of first
   * arrival: derived, emptied before the operator does anything else and at most {@link
   * #MAX_WAITING} long.
   */
  private final Map<ByteKey, List<WindowedValue<V>>> waiting = new LinkedHashMap<>();
  private int waitingCount;
  static final int MAX_WAITING = 1024;

  @SuppressWarnings("unchecked")
  public StreamingGroupByKeyOperator(KvCoder<K, V> inputCoder, PaneReduceFn<K, V, O, W> paneReduceFn,
      WindowingStrategy<?, ?> windowingStrategy, SerializablePipelineOptions shippedOptions, String stepName) {
    this.inputCoder = inputCoder;
    this.paneReduceFn = paneReduceFn;
    this.windowingStrategy = (WindowingStrategy<?, W>) windowingStrategy;
    this.shippedOptions = shippedOptions;
    this.stepName = stepName;
  }

  @Override
  public void open(OperatorContext context) {
    this.options = shippedOptions.get();
    keyState = new TimelyKeyState(context, inputCoder.getKeyCoder(), windowingStrategy.getWindowFn().windowCoder());
    reducers = new ReduceFnRunners<>(paneReduceFn.create(), windowingStrategy, options, new Emitter(context.output()));
    stepMetrics = JobMetrics.forOperator(stepName, context);
    droppedDueToLateness = stepMetrics.container().getCounter(
        MetricName.named(LateDataDroppingDoFnRunner.class, LateDataDroppingDoFnRunner.DROPPED_DUE_TO_LATENESS));
  }

  @Override
  public void snapshotState(long checkpointId) throws Exception {
    processWaiting();
    keyState.snapshot();
    stepMetrics.snapshot(checkpointId);
  }

  @Override
  public void checkpointComplete(long checkpointId) {
    stepMetrics.checkpointComplete(checkpointId);
  }

  @Override
  public void restoreState(long checkpointId) {
    keyState.restore();
    stepMetrics.restore();
  }

  @SuppressWarnings("unchecked")
  private ReduceFnRunner<K, V, O, W> reduceFnRunner() {
    return reducers.forKey((K) keyState.key(), keyState.stateInternals(), keyState.timerInternals());
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    KeyedRecord keyed = (KeyedRecord) record;
    WindowedValue<KV<K, V>> kv = (WindowedValue<KV<K, V>>) keyed.value();
    waiting.computeIfAbsent(new ByteKey(keyed.key()), key -> new ArrayList<>(4))
        .add(kv.withValue(kv.getValue().getValue()));
    if (++waitingCount >= MAX_WAITING) {
      processWaiting();
    }
  }

  private void processWaiting() throws Exception {
    if (waitingCount == 0) {
      return;
    }
    // A CombineFn runs here and may report metrics: they are the step's.
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(stepMetrics.container())) {
      for (Map.Entry<ByteKey, List<WindowedValue<V>>> elements : waiting.entrySet()) {
        keyState.setKey(elements.getKey().bytes(), null);
        Iterable<WindowedValue<V>> live = LateDataUtils.dropExpiredWindows(
            keyState.key(), elements.getValue(), keyState.timerInternals(), windowingStrategy, droppedDueToLateness);
        ReduceFnRunner<K, V, O, W> reduce = reduceFnRunner();
        reduce.processElements(live);
        reduce.persist();
      }
    } finally {
      waiting.clear();
      waitingCount = 0;
    }
  }

  @Override
  public void idle() throws Exception {
    processWaiting();
  }

  @Override
  public void watermark(long watermark) throws Exception {
    processWaiting();
    keyState.setInputWatermark(watermark);
    yielded = !keyState.fireEventTimers(watermark, this::fire);
    if (!yielded) {
      emitWatermark();
    }
  }

  @Override
  public boolean yielded() {
    return yielded;
  }


  @Override
  public void processingTime(long now) throws Exception {
    processWaiting();
    if (keyState.fireProcessingTimers(now, this::fireTimers)) {
      emitWatermark();
    }
  }

  @Override
  public void complete() throws Exception {
    processWaiting();
    keyState.setInputWatermark(Long.MAX_VALUE);
    fireTimers(TimelyKeyState.EVENT_TIME, Long.MAX_VALUE);
  }

  private void fireTimers(int domain, long upTo) throws Exception {
    TimerData timer;
    while ((timer = keyState.pollDue(domain, upTo)) != null) {
      fire(timer);
    }
  }

  private void fire(TimerData timer) throws Exception {
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(stepMetrics.container())) {
      ReduceFnRunner<K, V, O, W> reduce = reduceFnRunner();
      reduce.onTimers(List.of(timer));
      reduce.persist();
    }
  }

  private void emitWatermark() throws InterruptedException {
    keyState.emitWatermark(Long.MAX_VALUE);
  }

}
