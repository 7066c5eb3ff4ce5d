package io.sluice.execution.operator;

/**
 * One step of a vertex's fused chain. A subtask's single thread calls every method, so an operator
 * needs no locking. Inputs and outputs are numbered ports; what a port carries is the graph
 * builder's business.
 *
 * <p>Life cycle: {@link #open}, then any number of {@link #process}, {@link #watermark}, {@link
 * #processingTime} and {@link #idle} calls, {@link #inputDone} once per input port when all its
 * producers have finished, {@link #complete} once after every input is done (right after open for
 * an operator without inputs: a bounded source emits its data there; a {@link SourceOperator} is
 * polled instead), processing-time calls while {@link #hasPendingWork}, and {@link #close} always,
 * even after a failure or a cancellation.
 *
 * <p>Checkpoints: an operator keeps what must survive a failure in the state stores its context
 * gives it ({@link OperatorContext#keyedStores}, {@link OperatorContext#operatorStore}), which the
 * engine snapshots; what it holds anywhere else is lost. The three hooks below let it move such
 * things into its stores at a checkpoint, rebuild what it derives from them after a restore, and
 * learn when a checkpoint is durable. Each is called on the subtask's thread, between records.
 */
public interface Operator {

  default void open(OperatorContext context) throws Exception {}

  void process(int inputPort, Object record) throws Exception;

  /**
   * The minimum watermark over all of this operator's inputs advanced to {@code watermark}.
   *
   * <p>Firing many timers may take long. An operator may stop between two timers when {@link
   * OperatorContext#shouldYield} says so, at a point where a checkpoint may be taken, and say so
   * with {@link #yielded}; it holds its output watermark back meanwhile. The engine then handles
   * the message or barrier that was waiting, reads no other input, and calls this method again with
   * the same watermark until the operator has not yielded. A restore may find timers due at the
   * restored watermark: they fire when it is set again.
   */
  default void watermark(long watermark) throws Exception {}

  /** True if the last {@link #watermark} call stopped with timers still due. */
  default boolean yielded() {
    return false;
  }

  /**
   * The watermark of input port {@code port} alone advanced (called before {@link #watermark}):
   * for operators whose ports play different roles, such as a main input and side inputs.
   */
  default void portWatermark(int port, long watermark) throws Exception {}

  /**
   * Processing time reached {@code now}: with the system clock, when a time the operator asked for
   * with {@link OperatorContext#scheduleProcessingTime} is due; with in-band time, on every advance
   * (and {@code Long.MAX_VALUE} once every producer has finished).
   */
  default void processingTime(long now) throws Exception {}

  /** No input is waiting: a good moment to end a bundle and let downstream see its output. */
  default void idle() throws Exception {}

  default void inputDone(int inputPort) throws Exception {}

  default void complete() throws Exception {}

  /**
   * Asked after {@link #complete} and after each later {@link #processingTime} call: true while the
   * operator still has work due at later processing times (a splittable DoFn's resumptions). Its
   * output stays open until then.
   */
  default boolean hasPendingWork() {
    return false;
  }

  /**
   * Checkpoint {@code checkpointId} is being taken at this point of the stream: write to the state
   * stores whatever the operator holds elsewhere that the checkpoint must contain (a source's
   * reading position, a buffer inside user code). Called after every record before the barrier.
   */
  default void snapshotState(long checkpointId) throws Exception {}

  /**
   * The stores were restored from checkpoint {@code checkpointId}: rebuild what the operator derives
   * from them. Called after {@link #open}, before any input.
   */
  default void restoreState(long checkpointId) throws Exception {}

  /**
   * Checkpoint {@code checkpointId} is complete and durable everywhere: effects outside the job
   * that wait for it (acknowledging messages a source read) may happen now.
   */
  default void checkpointComplete(long checkpointId) throws Exception {}

  default void close() throws Exception {}
}
