package io.sluice.translation.operators.dofn;

import io.sluice.translation.operators.Emitter;
import org.apache.beam.runners.core.NullSideInputReader;
import org.apache.beam.runners.core.ReduceFnRunner;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.core.triggers.ExecutableTriggerStateMachine;
import org.apache.beam.runners.core.triggers.TriggerStateMachines;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.construction.TriggerTranslation;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * A GroupByKey's (or a combining GroupByKey's) ReduceFnRunner for one key at a time, in batch and
 * in streaming: runners-core's windowing, triggers, lateness and accumulation, over whatever state
 * and timers the operator keeps for the key. Panes go to output port 0.
 */
public final class ReduceFnRunners<K, V, O, W extends BoundedWindow> {

  private final WindowingStrategy<?, W> windowingStrategy;
  private final PipelineOptions options;
  private final Emitter out;
  // Stateless (their state lives in StateInternals): built once, shared by every key's runner for
  // the operator's life.
  private final ExecutableTriggerStateMachine triggerStateMachine;
  private final SystemReduceFn<K, V, ?, O, W> reduceFn;

  /**
   * @param reduceFn what a pane holds: the elements ({@link SystemReduceFn#buffering}) or an
   *     accumulator ({@link SystemReduceFn#combining})
   */
  public ReduceFnRunners(SystemReduceFn<K, V, ?, O, W> reduceFn, WindowingStrategy<?, W> windowingStrategy,
      PipelineOptions options, Emitter out) {
    this.windowingStrategy = windowingStrategy;
    this.options = options;
    this.out = out;
    this.triggerStateMachine = ExecutableTriggerStateMachine.create(
        TriggerStateMachines.stateMachineForTrigger(TriggerTranslation.toProto(windowingStrategy.getTrigger())));
    this.reduceFn = reduceFn;
  }

  /** A GroupByKey's: panes hold the elements. */
  public static <K, V, W extends BoundedWindow> ReduceFnRunners<K, V, Iterable<V>, W> grouping(Coder<V> valueCoder,
      WindowingStrategy<?, W> windowingStrategy, PipelineOptions options, Emitter out) {
    return new ReduceFnRunners<>(SystemReduceFn.buffering(valueCoder), windowingStrategy, options, out);
  }

  /** A runner for {@code key}; the caller persists it once it has handed it elements or timers. */
  public ReduceFnRunner<K, V, O, W> forKey(K key, StateInternals state, TimerInternals timers) {
    return new ReduceFnRunner<>(
        key,
        windowingStrategy,
        triggerStateMachine,
        state,
        timers,
        grouped -> out.emit(0, grouped),
        NullSideInputReader.empty(),
        reduceFn,
        options);
  }
}
