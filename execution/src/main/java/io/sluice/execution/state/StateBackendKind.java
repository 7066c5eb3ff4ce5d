package io.sluice.execution.state;

import java.util.function.Function;

/** The keyed state backends the engine offers. */
public enum StateBackendKind {
  HEAP {
    @Override
    public <S> KeyedStateBackend<S> create(Function<byte[], S> stateForKey) {
      return new HeapKeyedStateBackend<>(stateForKey);
    }
  };

  public abstract <S> KeyedStateBackend<S> create(Function<byte[], S> stateForKey);
}
