package io.sluice.execution.cluster;

import io.sluice.execution.cluster.proto.SubtaskStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the workers last reported of each subtask of a job's current attempt, for the status page:
 * records in and out, watermarks, and backpressure as the share of the time between its last two
 * reports that the subtask spent waiting for room downstream.
 *
 * <p>Derived, guarded by the job table's lock; cleared when an attempt starts.
 */
final class SubtaskStatusTable {

  private record Entry(SubtaskStatus status, long atMillis, double backpressure) {}

  private final Map<String, Entry> bySubtask = new HashMap<>();

  void clear() {
    bySubtask.clear();
  }

  void update(List<SubtaskStatus> statuses, long nowMillis) {
    for (SubtaskStatus s : statuses) {
      Entry before = bySubtask.get(s.getName());
      double backpressure = 0;
      if (before != null && nowMillis > before.atMillis()) {
        long waited = s.getBackpressuredMillis() - before.status().getBackpressuredMillis();
        backpressure = Math.max(0, Math.min(1, (double) waited / (nowMillis - before.atMillis())));
      }
      bySubtask.put(s.getName(), new Entry(s, nowMillis, backpressure));
    }
  }

  /** The subtask's fields of a JSON object, each after a comma; zeros and nulls before its first report. */
  void appendJson(String subtask, StringBuilder json) {
    Entry e = bySubtask.get(subtask);
    SubtaskStatus s = e == null ? SubtaskStatus.getDefaultInstance() : e.status();
    json.append(",\"recordsIn\":").append(s.getRecordsIn())
        .append(",\"recordsOut\":").append(s.getRecordsOut())
        .append(",\"inputWatermark\":").append(s.hasInputWatermark() ? Long.toString(s.getInputWatermark()) : "null")
        .append(",\"outputWatermark\":").append(s.hasOutputWatermark() ? Long.toString(s.getOutputWatermark()) : "null")
        .append(",\"backpressuredMillis\":").append(s.getBackpressuredMillis())
        .append(",\"backpressure\":").append(e == null ? "0" : String.format(java.util.Locale.ROOT, "%.3f", e.backpressure()));
  }
}
