package io.sluice.execution.operator;

import io.sluice.execution.state.KeyGroups;
import io.sluice.execution.state.KeyedStores;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StoreLayout;
import java.nio.file.Path;

/** What the engine gives an operator of one subtask. */
public interface OperatorContext {

  String vertexName();

  String operatorName();

  int subtaskIndex();

  int parallelism();

  Output output();

  /**
   * What the process running the job gives every operator, by type (for Beam: the job's metrics
   * and options). Operator factories travel to other processes; these do not, so an operator takes
   * them here rather than from its factory.
   */
  <T> T jobResource(Class<T> type);

  /** A private directory for this operator's spill files; removed when the job ends. */
  Path spillDirectory();

  /** How many bytes of heap this operator may use for buffering before it must spill. */
  long memoryBudgetBytes();

  /**
   * The keyed state stores of this operator instance, of the job's configured backend; opened on
   * first use, closed by the engine after {@link Operator#close}.
   */
  KeyedStores keyedStores();

  /**
   * The job's key groups: keyed state stores its keys under {@link KeyGroups#prefix}, and this
   * subtask receives exactly the keys of groups {@link KeyGroups#firstGroupOf} to {@link
   * KeyGroups#endGroupOf} of its index.
   */
  KeyGroups keyGroups();

  /**
   * A store of this operator instance's own state, not split by key (a source's position, buffered
   * input), in the job's backend beside its keyed stores; opened on first use, closed with them.
   * {@code layout} says how its entries are shared out when a checkpoint is restored at another
   * parallelism ({@link StoreLayout#SPLIT} or {@link StoreLayout#UNION}; {@link StoreLayout#KEYED}
   * for entries that start with a key prefix).
   */
  SortedByteStore operatorStore(String name, StoreLayout layout);

  /** The current processing time of this operator, in milliseconds since the epoch. */
  long processingTime();

  /**
   * Asks for a {@link Operator#processingTime} call once processing time reaches {@code time}. With
   * in-band time every advance is delivered anyway, so this is only a hint.
   */
  void scheduleProcessingTime(long time);

  ProcessingTimeMode processingTimeMode();

  /**
   * With in-band processing time: true when every subtask has started (what operators without
   * input emit at the start is out) and nothing is queued or being handled anywhere in the job, so
   * everything emitted so far has had all its effects.
   */
  boolean isQuiescent();

  /**
   * Synchronized processing time: the processing time up to which everything upstream has reached
   * this operator. With in-band time it is the in-band processing time. On the system clock it is
   * the clock's reading when this subtask and every subtask that feeds it over a channel were last
   * seen settled (all they received handled and all it caused sent on), so that a pane an upstream
   * stage is completing arrives, with its watermark, before a trigger on this time fires it early.
   * A feeder in another process tells when it was settled in band, after what it sent before.
   */
  long synchronizedProcessingTime();

  /**
   * True if the job takes checkpoints: effects that must wait for durable input (acknowledging
   * a source, finalizing a bundle, stable input) wait for {@link Operator#checkpointComplete}.
   */
  boolean checkpointsEnabled();

  /**
   * True when something is waiting that should not wait for the rest of a long piece of work: a
   * message for the subtask (a checkpoint being triggered, a cancellation) or a checkpoint barrier
   * next on an input. An operator firing timers in {@link Operator#watermark} asks between two
   * timers, and may stop there: see {@link Operator#yielded}.
   */
  boolean shouldYield();

  /**
   * Sends on what the subtask has buffered for downstream. The engine does so before it waits and
   * before time moves; an operator whose own reaction to time first emits what it held, then runs
   * work that may take long (user code firing timers), calls it in between, lest what it emitted
   * wait for that work.
   */
  void flushOutputs() throws InterruptedException;

  /** True once the job is cancelled or failed: long loops in an operator should stop. */
  boolean isCancelled();
}
