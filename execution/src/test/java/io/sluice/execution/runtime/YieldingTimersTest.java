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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An operator that fires many timers at one watermark yields to a checkpoint: the barrier (or, once
 * the sources have finished, the trigger) is taken between two timers, the snapshot holds the
 * timers not fired yet, and the operator then fires the rest before it reads any later input or
 * forwards the watermark.
 */
class YieldingTimersTest {

  private static final int TIMERS = 400;
  /** A timer takes this long to fire: the firing as a whole takes seconds. */
  private static final long FIRE_MILLIS = 5;

  /** What the test observes across the job's threads. */
  private static final class Observed {
    final AtomicInteger fired = new AtomicInteger();
    volatile int firedAtSnapshot = -1;
    volatile int dueAtSnapshot = -1;
    /** In the order the sink saw them: "fire", "record", "watermark <value>". */
    final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    volatile boolean snapshotted;
    final AtomicInteger processed = new AtomicInteger();
    volatile boolean sourceDone;
  }

  /** How the firing starts and what follows it on the sink's input. */
  enum Ending {
    /** A watermark, then (once the source has snapshotted) one more record: the barrier comes between. */
    WATERMARK_THEN_RECORD,
    /** The end of the stream makes the watermark the end of time: the trigger comes after. */
    END,
    /** A watermark, then the end of the stream: the trigger comes after both. */
    WATERMARK_THEN_END
  }

  /** Emits {@link #TIMERS} records, then what {@link Ending} says. */
  private static final class Source implements SourceOperator {
    private final Observed observed;
    private final Ending ending;
    private OperatorContext context;
    private int state;

    Source(Observed observed, Ending ending) {
      this.observed = observed;
      this.ending = ending;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      switch (state) {
        case 0:
          for (int i = 0; i < TIMERS; i++) {
            context.output().emit(0, i);
          }
          if (ending != Ending.END) {
            context.output().emitWatermark(Long.MAX_VALUE - 1);
          }
          state = 1;
          return Status.MORE;
        case 1:
          if (ending != Ending.WATERMARK_THEN_RECORD) {
            observed.sourceDone = true;
            return Status.DONE;
          }
          if (!observed.snapshotted) {
            return Status.IDLE;
          }
          context.output().emit(0, -1);
          state = 2;
          return Status.MORE;
        default:
          return Status.DONE;
      }
    }

    @Override
    public void snapshotState(long checkpointId) {
      observed.snapshotted = true;
    }
  }

  /** Each record sets a timer; a watermark fires them all, slowly, yielding when asked to. */
  private static final class TimerSink implements Operator {
    private final Observed observed;
    /** How long a record takes to process. */
    private final long recordMillis;
    private final List<Integer> due = new ArrayList<>();
    private OperatorContext context;
    private boolean yielded;

    TimerSink(Observed observed, long recordMillis) {
      this.observed = observed;
      this.recordMillis = recordMillis;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int inputPort, Object record) throws InterruptedException {
      Thread.sleep(recordMillis);
      observed.processed.incrementAndGet();
      if ((Integer) record < 0) {
        observed.events.add("record");
      } else {
        due.add((Integer) record);
      }
    }

    @Override
    public void watermark(long watermark) throws Exception {
      yielded = false;
      while (!due.isEmpty()) {
        due.remove(due.size() - 1);
        Thread.sleep(FIRE_MILLIS);
        observed.fired.incrementAndGet();
        observed.events.add("fire");
        if (context.shouldYield()) {
          yielded = true;
          return;
        }
      }
      observed.events.add("watermark " + watermark);
      context.output().emitWatermark(watermark);
    }

    @Override
    public boolean yielded() {
      return yielded;
    }

    @Override
    public void snapshotState(long checkpointId) {
      observed.firedAtSnapshot = observed.fired.get();
      observed.dueAtSnapshot = due.size();
    }
  }

  @ParameterizedTest
  @EnumSource(Ending.class)
  void aCheckpointIsTakenBetweenTwoTimersAndTheRestFireBeforeLaterInput(Ending ending) throws Exception {
    Observed observed = new Observed();
    JobGraph graph = new JobGraph("yield");
    Vertex sources = graph.addVertex("source", 1);
    OperatorNode read = sources.add("read", s -> new Source(observed, ending));
    Vertex sinks = graph.addVertex("sink", 1);
    OperatorNode fire = sinks.add("fire", s -> new TimerSink(observed, 0));
    graph.connect(read, 0, fire, 0, Partitioning.forward());
    JobExecution job = JobExecution.start(graph, new ExecutionConfig());

    Await.awaitTrue(() -> observed.fired.get() > 10, 30_000, "timers to fire");
    TakenCheckpoint taken = job.triggerCheckpoint(1).get(30, TimeUnit.SECONDS);
    job.completion().get(60, TimeUnit.SECONDS);

    assertEquals(2, taken.snapshots().size(), "both operators took their part: " + taken);
    assertTrue(observed.firedAtSnapshot > 0 && observed.firedAtSnapshot < TIMERS,
        "the snapshot came between two timers, after " + observed.firedAtSnapshot + " of " + TIMERS);
    assertEquals(TIMERS, observed.firedAtSnapshot + observed.dueAtSnapshot, "the snapshot holds every timer not fired");
    List<String> events = new ArrayList<>(observed.events);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < TIMERS; i++) {
      expected.add("fire");
    }
    if (ending != Ending.END) {
      expected.add("watermark " + (Long.MAX_VALUE - 1));
    }
    if (ending == Ending.WATERMARK_THEN_RECORD) {
      expected.add("record");
    }
    expected.add("watermark " + Long.MAX_VALUE);
    assertEquals(expected, events, "every timer fired before the watermark went on and before later input");
  }

  /**
   * A checkpoint triggered after the source finished, while the sink still works through records
   * queued ahead of the end of its input, starts at that end: before the firing the end causes,
   * not after it (mail that came before the firing cannot make it yield).
   */
  @Test
  void aCheckpointWaitingForTheEndOfInputIsTakenBeforeTheFiringItCauses() throws Exception {
    Observed observed = new Observed();
    JobGraph graph = new JobGraph("yield-at-end");
    Vertex sources = graph.addVertex("source", 1);
    OperatorNode read = sources.add("read", s -> new Source(observed, Ending.END));
    Vertex sinks = graph.addVertex("sink", 1);
    OperatorNode fire = sinks.add("fire", s -> new TimerSink(observed, 2));
    graph.connect(read, 0, fire, 0, Partitioning.forward());
    JobExecution job = JobExecution.start(graph, new ExecutionConfig());

    Await.awaitTrue(() -> observed.sourceDone && observed.processed.get() > 0, 30_000, "the source to finish");
    TakenCheckpoint taken = job.triggerCheckpoint(1).get(30, TimeUnit.SECONDS);
    job.completion().get(60, TimeUnit.SECONDS);

    assertTrue(observed.processed.get() > 0 && observed.fired.get() == TIMERS, "the job ran to its end");
    assertEquals(0, observed.firedAtSnapshot, "the sink snapshotted before its firing: " + taken);
    assertEquals(TIMERS, observed.dueAtSnapshot, "with every record in");
  }
}
