package io.sluice.translation.operators.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.execution.state.HeapByteStore;
import io.sluice.translation.operators.OperatorHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.WindowedValue;
import org.junit.jupiter.api.Test;

/** An unbounded read resumes from the reader marks of a checkpoint: it neither skips nor repeats. */
class UnboundedReadRestoreTest {

  private static UnboundedReadOperator<Long> read(List<UnboundedSource<Long, ?>> splits) {
    return new UnboundedReadOperator<>(splits, new SerializablePipelineOptions(PipelineOptionsFactory.create()), "read");
  }

  private static List<Long> values(List<Object> records, int from) {
    List<Long> values = new ArrayList<>();
    for (Object r : records.subList(from, records.size())) {
      values.add((Long) ((WindowedValue<?>) r).getValue());
    }
    return values;
  }

  @Test
  void aRestoredReadGoesOnFromTheCheckpointsMarks() throws Exception {
    List<UnboundedSource<Long, ?>> splits = new ArrayList<>(CountingSource.unbounded().split(2, PipelineOptionsFactory.create()));
    OperatorHarness running = new OperatorHarness();
    UnboundedReadOperator<Long> before = read(splits);
    before.open(running);
    for (int i = 0; i < 3; i++) {
      before.poll();
    }
    before.snapshotState(1);
    Map<String, HeapByteStore> checkpoint = running.copyStores();
    int atCheckpoint = running.records.size();
    for (int i = 0; i < 3; i++) {
      before.poll();
    }
    before.checkpointComplete(1);
    List<Long> wentOn = values(running.records, atCheckpoint);
    before.close();

    OperatorHarness restored = OperatorHarness.restoredFrom(checkpoint);
    UnboundedReadOperator<Long> after = read(splits);
    after.open(restored);
    after.restoreState(1);
    for (int i = 0; i < 3; i++) {
      after.poll();
    }
    after.close();
    assertEquals(wentOn, values(restored.records, 0), "the restored read emits what the first one did after the checkpoint");

    // And together with what came before the checkpoint, it is what an uninterrupted read emits.
    OperatorHarness uninterrupted = new OperatorHarness();
    UnboundedReadOperator<Long> whole = read(splits);
    whole.open(uninterrupted);
    for (int i = 0; i < 6; i++) {
      whole.poll();
    }
    whole.close();
    List<Long> joined = new ArrayList<>(values(running.records, 0).subList(0, atCheckpoint));
    joined.addAll(values(restored.records, 0));
    assertEquals(values(uninterrupted.records, 0), joined);
  }

  @Test
  void recordIdsSeenBeforeTheCheckpointStillDeduplicateAfterARestore() throws Exception {
    List<UnboundedSource<Long, ?>> splits = List.of(new DedupingTestSource());
    OperatorHarness running = new OperatorHarness();
    UnboundedReadOperator<Long> before = read(splits);
    before.open(running);
    before.poll();
    before.snapshotState(1);
    Map<String, HeapByteStore> checkpoint = running.copyStores();
    int atCheckpoint = running.records.size();
    before.close();

    OperatorHarness restored = OperatorHarness.restoredFrom(checkpoint);
    UnboundedReadOperator<Long> after = read(splits);
    after.open(restored);
    after.restoreState(1);
    after.poll();
    after.close();
    List<Long> all = new ArrayList<>(values(running.records, 0).subList(0, atCheckpoint));
    all.addAll(values(restored.records, 0));
    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < all.size(); i++) {
      expected.add(i);
    }
    assertEquals(expected, all, "the record the source delivered again is dropped, none is lost");
  }
}
