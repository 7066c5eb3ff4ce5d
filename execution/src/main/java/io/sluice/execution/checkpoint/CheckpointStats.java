package io.sluice.execution.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a job's checkpoints cost and how many succeeded: kept by the coordinator, read by anyone
 * through {@link #summary}. Durations are kept whole (a long per checkpoint) for percentiles.
 */
public final class CheckpointStats {

  private long completed;
  private long declined;
  private long bytesWritten;
  private long bytesShared;
  private final List<Long> durationsMillis = new ArrayList<>();
  private Summary.Last last;

  /** Counts and the latest complete checkpoint's figures; {@code last} is null before the first. */
  public record Summary(long completed, long declined, long bytesWritten, long bytesShared,
      long durationP50Millis, long durationP99Millis, Last last) {

    /** One checkpoint: its id, location, duration, alignment, bytes written now and reused. */
    public record Last(long id, String location, long durationMillis, long alignmentMillis, long bytesWritten,
        long bytesShared) {}
  }

  synchronized void completed(Summary.Last checkpoint) {
    completed++;
    bytesWritten += checkpoint.bytesWritten();
    bytesShared += checkpoint.bytesShared();
    durationsMillis.add(checkpoint.durationMillis());
    last = checkpoint;
  }

  synchronized void declined() {
    declined++;
  }

  public synchronized Summary summary() {
    List<Long> sorted = new ArrayList<>(durationsMillis);
    Collections.sort(sorted);
    return new Summary(completed, declined, bytesWritten, bytesShared, percentile(sorted, 50), percentile(sorted, 99),
        last);
  }

  private static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(rank, sorted.size() - 1)));
  }
}
