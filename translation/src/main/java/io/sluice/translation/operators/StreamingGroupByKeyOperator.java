package io.sluice.translation.operators;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.metrics.JobMetrics;
import java.util.List;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.core.LateDataDroppingDoFnRunner;
import org.apache.beam.runners.core.LateDataUtils;
import org.apache.beam.runners.core.NullSideInputReader;
import org.apache.beam.runners.core.ReduceFnRunner;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.runners.core.metrics.CounterCell;
import org.apache.beam.runners.core.triggers.ExecutableTriggerStateMachine;
import org.apache.beam.runners.core.triggers.TriggerStateMachines;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.TriggerTranslation;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Beam's GroupByKey in streaming: per key, runners-core's ReduceFnRunner over keyed state and
 * timers, so triggers, allowed lateness, accumulation modes and merging windows behave as Beam
 * defines. Late elements of expired windows are dropped and counted. The output watermark waits
 * for the holds the ReduceFnRunner keeps on buffered elements.
 */
public final class StreamingGroupByKeyOperator<K, V, W extends BoundedWindow> implements Operator {

  private final KvCoder<K, V> inputCoder;
  private final WindowingStrategy<?, W> windowingStrategy;
  private final PipelineOptions options;
  private final RunnerApi.Trigger trigger;
  private final String stepName;
  private final JobMetrics metrics;
  private KeyedRuntime runtime;
  private Emitter out;
  private CounterCell droppedDueToLateness;
  // Stateless (their state lives in StateInternals): built once, shared by every key's runner.
  private ExecutableTriggerStateMachine triggerStateMachine;
  private SystemReduceFn<K, V, Iterable<V>, Iterable<V>, W> reduceFn;

  @SuppressWarnings("unchecked")
  public StreamingGroupByKeyOperator(KvCoder<K, V> inputCoder, WindowingStrategy<?, ?> windowingStrategy,
      PipelineOptions options, String stepName, JobMetrics metrics) {
    this.inputCoder = inputCoder;
    this.windowingStrategy = (WindowingStrategy<?, W>) windowingStrategy;
    this.options = options;
    this.trigger = TriggerTranslation.toProto(windowingStrategy.getTrigger());
    this.stepName = stepName;
    this.metrics = metrics;
  }

  @Override
  public void open(OperatorContext context) {
    runtime = new KeyedRuntime(context, inputCoder.getKeyCoder(), windowingStrategy.getWindowFn().windowCoder());
    out = new Emitter(context.output());
    triggerStateMachine = ExecutableTriggerStateMachine.create(TriggerStateMachines.stateMachineForTrigger(trigger));
    reduceFn = SystemReduceFn.buffering(inputCoder.getValueCoder());
    droppedDueToLateness = metrics.containerFor(stepName).getCounter(
        MetricName.named(LateDataDroppingDoFnRunner.class, LateDataDroppingDoFnRunner.DROPPED_DUE_TO_LATENESS));
  }

  @SuppressWarnings("unchecked")
  private ReduceFnRunner<K, V, Iterable<V>, W> reduceFnRunner() {
    return new ReduceFnRunner<>(
        (K) runtime.key(),
        windowingStrategy,
        triggerStateMachine,
        runtime.stateInternals(),
        runtime.timerInternals(),
        grouped -> out.emit(0, grouped),
        NullSideInputReader.empty(),
        reduceFn,
        options);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    KeyedRecord keyed = (KeyedRecord) record;
    runtime.setKey(keyed.key(), null);
    WindowedValue<KV<K, V>> kv = (WindowedValue<KV<K, V>>) keyed.value();
    WindowedValue<V> element = kv.withValue(kv.getValue().getValue());
    Iterable<WindowedValue<V>> live = LateDataUtils.dropExpiredWindows(
        runtime.key(), List.of(element), runtime.timerInternals(), windowingStrategy, droppedDueToLateness);
    ReduceFnRunner<K, V, Iterable<V>, W> reduce = reduceFnRunner();
    reduce.processElements(live);
    reduce.persist();
  }

  @Override
  public void watermark(long watermark) throws Exception {
    runtime.setInputWatermark(watermark);
    fireTimers(KeyedRuntime.EVENT_TIME, watermark);
    emitWatermark();
  }

  @Override
  public void processingTime(long now) throws Exception {
    if (runtime.fireProcessingTimers(now, this::fireTimers)) {
      emitWatermark();
    }
  }

  @Override
  public void complete() throws Exception {
    runtime.setInputWatermark(Long.MAX_VALUE);
    fireTimers(KeyedRuntime.EVENT_TIME, Long.MAX_VALUE);
  }

  private void fireTimers(int domain, long upTo) throws Exception {
    TimerData timer;
    while ((timer = runtime.pollDue(domain, upTo)) != null) {
      ReduceFnRunner<K, V, Iterable<V>, W> reduce = reduceFnRunner();
      reduce.onTimers(List.of(timer));
      reduce.persist();
    }
  }

  private void emitWatermark() throws InterruptedException {
    runtime.emitWatermark(Long.MAX_VALUE);
  }

}
