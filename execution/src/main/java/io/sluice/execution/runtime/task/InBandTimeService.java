package io.sluice.execution.runtime.task;

/**
 * Processing time travels with the data, like a watermark (see {@code ProcessingTimeMode.IN_BAND}):
 * each operator's is the minimum over its feeders, and every advance is delivered, so there is
 * nothing to schedule.
 */
final class InBandTimeService implements ProcessingTimeService {

  @Override
  public long now(ChainedOperator operator) {
    return operator.progress().processingTime();
  }

  @Override
  public void schedule(ChainedOperator operator, long time) {}

  @Override
  public ChainedOperator pollDue(long upTo) {
    return null;
  }

  @Override
  public long nextDue() {
    return Long.MAX_VALUE;
  }
}
