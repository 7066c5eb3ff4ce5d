package io.sluice.execution.runtime;

/**
 * How far one subtask has come, read while it runs (progress reports, a cluster's status page).
 *
 * @param recordsIn records received over channels
 * @param recordsOut records sent over channels (a broadcast record counts once per consumer)
 * @param inputWatermark the watermark its channel inputs have reached; {@link #NONE} before the first
 * @param outputWatermark the least watermark it has sent on; {@link #NONE} before the first, or if it sends on none
 * @param backpressuredMillis time spent waiting for room in a full output channel
 */
public record SubtaskProgress(String name, long recordsIn, long recordsOut, long inputWatermark,
    long outputWatermark, long backpressuredMillis) {

  /** A watermark not yet known. */
  public static final long NONE = Long.MIN_VALUE;
}
