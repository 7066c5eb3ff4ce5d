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
 */
public interface Operator {

  default void open(OperatorContext context) throws Exception {}

  void process(int inputPort, Object record) throws Exception;

  /** The minimum watermark over all of this operator's inputs advanced to {@code watermark}. */
  default void watermark(long watermark) throws Exception {}

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

  default void close() throws Exception {}
}
