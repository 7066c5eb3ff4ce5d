package io.sluice.execution.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Bounded inboxes make a fast producer wait for a slow consumer instead of buffering without limit. */
class BackpressureTest {

  private static final int PRODUCERS = 2;
  private static final int PER_PRODUCER = 500;

  /** Shared between the test thread and the job's subtasks. */
  private static final class Counters {
    final AtomicInteger emitted = new AtomicInteger();
    final AtomicInteger consumed = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
  }

  /** Emits PER_PRODUCER records (producer, i) as fast as the channel takes them. */
  private static final class FastSource extends TestSource {
    private final Counters counters;

    FastSource(Counters counters) {
      this.counters = counters;
    }

    @Override
    public void complete() throws Exception {
      for (int i = 0; i < PER_PRODUCER; i++) {
        context.output().emit(0, new int[] {context.subtaskIndex(), i});
        int inFlight = counters.emitted.incrementAndGet() - counters.consumed.get();
        counters.maxInFlight.accumulateAndGet(inFlight, Math::max);
      }
    }
  }

  /** Counts a record on arrival, then waits for the gate (if any) and optionally dawdles. */
  private static final class SlowSink implements Operator {
    private final Counters counters;
    private final CountDownLatch gate;
    private final long delayNanos;
    private final List<int[]> received;

    SlowSink(Counters counters, CountDownLatch gate, long delayNanos, List<int[]> received) {
      this.counters = counters;
      this.gate = gate;
      this.delayNanos = delayNanos;
      this.received = received;
    }

    @Override
    public void process(int inputPort, Object record) throws Exception {
      counters.consumed.incrementAndGet();
      if (gate != null && !gate.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the gate was never opened");
      }
      if (delayNanos > 0) {
        LockSupport.parkNanos(delayNanos);
      }
      received.add((int[]) record);
    }
  }

  private static JobExecution start(Counters counters, CountDownLatch gate, long delayNanos, List<int[]> received,
      ExecutionConfig config) {
    JobGraph graph = new JobGraph("backpressure");
    Vertex source = graph.addVertex("source", PRODUCERS);
    OperatorNode read = source.add("read", s -> new FastSource(counters));
    Vertex sink = graph.addVertex("sink", 1);
    OperatorNode write = sink.add("write", s -> new SlowSink(counters, gate, delayNanos, received));
    graph.connect(read, 0, write, 0, Partitioning.allToOne());
    return JobExecution.start(graph, config);
  }

  /** Every producer's records arrive complete and in emission order. */
  private static void assertAllDeliveredInOrderPerProducer(List<int[]> received) {
    assertEquals(PRODUCERS * PER_PRODUCER, received.size());
    int[] next = new int[PRODUCERS];
    for (int[] r : received) {
      assertEquals(next[r[0]], r[1], "next record of producer " + r[0]);
      next[r[0]]++;
    }
    for (int p = 0; p < PRODUCERS; p++) {
      assertEquals(PER_PRODUCER, next[p], "records of producer " + p);
    }
  }

  @Test
  void sourceBlocksWhileTheSinkIsPausedAndEverythingArrivesOnceItResumes() throws Exception {
    Counters counters = new Counters();
    CountDownLatch gate = new CountDownLatch(1);
    List<int[]> received = new ArrayList<>(); // only the sink's thread touches it before completion
    JobExecution job = start(counters, gate, 0, received,
        new ExecutionConfig().channelCapacityFrames(1).batchSize(1));
    try {
      // The sink took its first record and is stuck in process().
      Await.awaitTrue(() -> counters.consumed.get() == 1, 5_000, "the sink to receive its first record");
      // Give the sources ample time to run ahead if nothing stopped them.
      Thread.sleep(300);
      int emitted = counters.emitted.get();
      Thread.sleep(200);
      assertEquals(emitted, counters.emitted.get(), "the sources are blocked while the sink is paused");
      assertEquals(1, counters.consumed.get());
      // With batchSize 1 and one frame per channel, at most one record per producer waits between
      // emit and process.
      assertTrue(emitted - counters.consumed.get() <= PRODUCERS,
          "emitted " + emitted + " while consumed " + counters.consumed.get());
    } finally {
      gate.countDown();
    }
    job.completion().get(10, TimeUnit.SECONDS);
    assertEquals(PRODUCERS * PER_PRODUCER, counters.emitted.get());
    assertAllDeliveredInOrderPerProducer(received);
  }

  @Test
  void recordsInFlightStayBoundedByTheChannelsAndTheBatches() throws Exception {
    Counters counters = new Counters();
    List<int[]> received = new ArrayList<>();
    int capacity = 2;
    int batch = 4;
    JobExecution job = start(counters, null, 50_000, received,
        new ExecutionConfig().channelCapacityFrames(capacity).batchSize(batch));
    job.completion().get(20, TimeUnit.SECONDS);
    assertAllDeliveredInOrderPerProducer(received);
    // Emitted but not yet consumed: full frames in each producer's channel, one frame taken by the
    // sink, and each producer's partly filled batch.
    int bound = PRODUCERS * (capacity * batch + batch - 1) + batch;
    assertTrue(counters.maxInFlight.get() <= bound,
        "at most " + bound + " records in flight, saw " + counters.maxInFlight.get());
    // The sink is much slower than the sources, so they must have been held back at the bound.
    assertTrue(counters.maxInFlight.get() >= capacity * batch,
        "the slow sink should have let a channel fill up, max in flight " + counters.maxInFlight.get());
  }

  /** Emits one record per turn, {@link #PER_PRODUCER} in all; notes when it snapshots. */
  private static final class PollingSource implements io.sluice.execution.operator.SourceOperator {
    private final CountDownLatch snapshotted;
    private OperatorContext context;
    private int next;

    PollingSource(CountDownLatch snapshotted) {
      this.snapshotted = snapshotted;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      if (next == PER_PRODUCER) {
        return Status.DONE;
      }
      context.output().emit(0, new int[] {context.subtaskIndex(), next++});
      return Status.MORE;
    }

    @Override
    public void snapshotState(long checkpointId) {
      snapshotted.countDown();
    }
  }

  /**
   * A source whose channel is full takes a checkpoint's trigger at once rather than once
   * downstream catches up: it waits for room where mail runs, not inside a send.
   */
  @Test
  void aBackpressuredSourceTakesItsCheckpointTriggerWhileTheSinkIsStuck() throws Exception {
    Counters counters = new Counters();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch snapshotted = new CountDownLatch(PRODUCERS);
    List<int[]> received = new ArrayList<>();
    JobGraph graph = new JobGraph("backpressure-trigger");
    Vertex source = graph.addVertex("source", PRODUCERS);
    OperatorNode read = source.add("read", s -> new PollingSource(snapshotted));
    Vertex sink = graph.addVertex("sink", 1);
    OperatorNode write = sink.add("write", s -> new SlowSink(counters, gate, 0, received));
    graph.connect(read, 0, write, 0, Partitioning.allToOne());
    JobExecution job = JobExecution.start(graph, new ExecutionConfig().channelCapacityFrames(1).batchSize(1));
    try {
      Await.awaitTrue(() -> counters.consumed.get() == 1, 5_000, "the sink to be stuck in its first record");
      java.util.concurrent.CompletableFuture<?> checkpoint = job.triggerCheckpoint(1);
      assertTrue(snapshotted.await(5, TimeUnit.SECONDS), "both sources snapshotted while their channels were full");
      assertEquals(1, counters.consumed.get(), "the sink was still stuck");
      gate.countDown();
      checkpoint.get(30, TimeUnit.SECONDS);
      job.completion().get(30, TimeUnit.SECONDS);
    } finally {
      gate.countDown();
      job.cancel();
    }
    assertAllDeliveredInOrderPerProducer(received);
  }
}
