package io.sluice.execution.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.checkpoint.TakenCheckpoint;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.SourceOperator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Aligned barriers cut the stream consistently: what a consumer processed before its snapshot is
 * exactly what each source emitted before its own snapshot, even over channels of one frame that
 * are full while the barrier is aligned.
 */
class BarrierAlignmentTest {

  private static final int PER_SOURCE = 20_000;
  private static final int PAUSE_AT = PER_SOURCE / 2;

  /** What the test observes, shared by the operators of one job. */
  private static final class Observed {
    /** Per source subtask: records emitted when it snapshotted. */
    final Map<Integer, Integer> sourcePositions = new ConcurrentHashMap<>();
    /** Per sink subtask: everything received, and how much of it before the snapshot. */
    final Map<Integer, List<int[]>> received = new ConcurrentHashMap<>();
    final Map<Integer, Integer> receivedAtSnapshot = new ConcurrentHashMap<>();
    final Map<Integer, Long> completedAt = new ConcurrentHashMap<>();
  }

  /** Emits (subtask, sequence) pairs; waits half-way until it has snapshotted, so the cut is mid-stream. */
  private static final class PausingSource implements SourceOperator {
    private final Observed observed;
    private OperatorContext context;
    private int next;
    private boolean snapshotted;

    PausingSource(Observed observed) {
      this.observed = observed;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      if (next == PER_SOURCE) {
        return Status.DONE;
      }
      if (next == PAUSE_AT && !snapshotted) {
        return Status.IDLE;
      }
      for (int i = 0; i < 100 && next < PER_SOURCE && (next != PAUSE_AT || snapshotted); i++) {
        context.output().emit(0, new int[] {context.subtaskIndex(), next++});
      }
      return Status.MORE;
    }

    @Override
    public void snapshotState(long checkpointId) throws InterruptedException {
      if (context.subtaskIndex() == 1) {
        // One source's barrier lags: the other's post-barrier records reach the sinks first.
        Thread.sleep(200);
      }
      observed.sourcePositions.put(context.subtaskIndex(), next);
      snapshotted = true;
    }

    @Override
    public void checkpointComplete(long checkpointId) {
      observed.completedAt.put(context.subtaskIndex(), checkpointId);
    }
  }

  private static final class RecordingSink implements Operator {
    private final Observed observed;
    private final List<int[]> mine = new ArrayList<>();
    private int subtask;

    RecordingSink(Observed observed) {
      this.observed = observed;
    }

    @Override
    public void open(OperatorContext context) {
      subtask = context.subtaskIndex();
      observed.received.put(subtask, mine);
    }

    @Override
    public void process(int inputPort, Object record) {
      mine.add((int[]) record);
    }

    @Override
    public void snapshotState(long checkpointId) {
      observed.receivedAtSnapshot.put(subtask, mine.size());
    }
  }

  @Test
  void whatASinkProcessedBeforeItsSnapshotIsWhatEachSourceEmittedBeforeItsOwn() throws Exception {
    Observed observed = new Observed();
    JobGraph graph = new JobGraph("barriers");
    Vertex sources = graph.addVertex("source", 2);
    OperatorNode read = sources.add("read", s -> new PausingSource(observed));
    Vertex sinks = graph.addVertex("sink", 3);
    OperatorNode write = sinks.add("write", s -> new RecordingSink(observed));
    graph.connect(read, 0, write, 0, Partitioning.hash(r -> ((int[]) r)[1] * 31 + ((int[]) r)[0]));
    JobExecution job = JobExecution.start(graph, new ExecutionConfig().channelCapacityFrames(1).batchSize(16));

    Await.awaitTrue(() -> observed.received.values().stream().mapToInt(List::size).sum() > 1_000, 10_000,
        "records to flow");
    TakenCheckpoint taken = job.triggerCheckpoint(1).get(30, TimeUnit.SECONDS);
    assertEquals(5, taken.snapshots().size(), "every operator instance took its part: " + taken);
    job.notifyCheckpointComplete(1);
    job.completion().get(60, TimeUnit.SECONDS);

    for (int source = 0; source < 2; source++) {
      int position = observed.sourcePositions.get(source);
      assertTrue(position > 0 && position <= PAUSE_AT, "source " + source + " snapshotted mid-stream, at " + position);
    }
    assertEquals(3, observed.receivedAtSnapshot.size(), "every sink snapshotted");
    int total = 0;
    for (int sink = 0; sink < 3; sink++) {
      List<int[]> all = observed.received.get(sink);
      total += all.size();
      int cut = observed.receivedAtSnapshot.get(sink);
      for (int i = 0; i < all.size(); i++) {
        int[] r = all.get(i);
        boolean beforeSourceSnapshot = r[1] < observed.sourcePositions.get(r[0]);
        assertEquals(beforeSourceSnapshot, i < cut,
            "sink " + sink + " record " + i + " (source " + r[0] + ", #" + r[1] + ") against its cut at " + cut);
      }
    }
    assertEquals(2 * PER_SOURCE, total, "every record arrived once");
    assertEquals(Map.of(0, 1L, 1, 1L), observed.completedAt, "the sources heard that the checkpoint completed");
    assertTrue(job.completion().isDone());
  }
}
