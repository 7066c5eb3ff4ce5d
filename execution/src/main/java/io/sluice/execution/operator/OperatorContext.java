package io.sluice.execution.operator;

import io.sluice.execution.state.KeyedStateBackend;
import java.nio.file.Path;
import java.util.function.Function;

/** What the engine gives an operator of one subtask. */
public interface OperatorContext {

  String vertexName();

  String operatorName();

  int subtaskIndex();

  int parallelism();

  Output output();

  /** A private directory for this operator's spill files; removed when the job ends. */
  Path spillDirectory();

  /** How many bytes of heap this operator may use for buffering before it must spill. */
  long memoryBudgetBytes();

  /**
   * A keyed state backend of the job's configured kind. {@code stateForKey} makes the state view of
   * one key (given as its encoded bytes) the first time the key is seen.
   */
  <S> KeyedStateBackend<S> keyedStateBackend(Function<byte[], S> stateForKey);

  /** True once the job is cancelled or failed: long loops in an operator should stop. */
  boolean isCancelled();
}
