package io.sluice.execution.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** cancel() stops every subtask promptly, closes every operator and fails the job as cancelled. */
class CancellationTest {

  /** Emits until its thread is interrupted. */
  private static final class EndlessSource extends TrackedOperator {
    EndlessSource(LifeCycle tracker) {
      super(tracker);
    }

    @Override
    public void process(int inputPort, Object record) {
      throw new AssertionError("a source has no input");
    }

    @Override
    public void complete() throws Exception {
      for (long i = 0; !Thread.currentThread().isInterrupted(); i++) {
        context.output().emit(0, i);
      }
      throw new InterruptedException("source interrupted");
    }
  }

  /** Emits until the job says it is cancelled (for a chain without channels, which no interrupt reaches). */
  private static final class CancellationCheckingSource extends TrackedOperator {
    CancellationCheckingSource(LifeCycle tracker) {
      super(tracker);
    }

    @Override
    public void process(int inputPort, Object record) {
      throw new AssertionError("a source has no input");
    }

    @Override
    public void complete() throws Exception {
      for (long i = 0; !context.isCancelled(); i++) {
        context.output().emit(0, i);
      }
    }
  }

  /** Sits in complete() until interrupted, emitting nothing: its consumers wait idle. */
  private static final class SilentSource extends TrackedOperator {
    private final CountDownLatch started;

    SilentSource(LifeCycle tracker, CountDownLatch started) {
      super(tracker);
      this.started = started;
    }

    @Override
    public void process(int inputPort, Object record) {
      throw new AssertionError("a source has no input");
    }

    @Override
    public void complete() throws Exception {
      started.countDown();
      Thread.sleep(60_000);
    }
  }

  private static final class CountingSink extends TrackedOperator {
    CountingSink(LifeCycle tracker) {
      super(tracker);
    }

    @Override
    public void process(int inputPort, Object record) throws Exception {
      lifeCycle.received.incrementAndGet();
      context.output().emit(0, record); // goes nowhere when nothing is connected
    }
  }

  /** Cancels {@code job} and checks it ends promptly as cancelled. */
  private static void cancelAndAwait(JobExecution job) {
    long start = System.nanoTime();
    job.cancel();
    // JobCancelledException is a CancellationException, which CompletableFuture.get throws as is.
    assertThrows(JobCancelledException.class, () -> job.completion().get(5, TimeUnit.SECONDS));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis < 2_000, "cancellation took " + millis + " ms");
    assertTrue(job.completion().isCompletedExceptionally());
    Throwable cause = job.completion().handle((v, t) -> t).join();
    assertTrue(cause instanceof JobCancelledException, "job failed with " + cause);
  }

  @Test
  void cancelStopsAnEndlessSourceAndItsSinks() throws Exception {
    LifeCycle tracker = new LifeCycle();
    JobGraph graph = new JobGraph("endless");
    Vertex source = graph.addVertex("source", 2);
    OperatorNode read = source.add("read", s -> new EndlessSource(tracker));
    OperatorNode map = source.add("map", s -> new CountingSink(tracker));
    Vertex sinkVertex = graph.addVertex("sink", 3);
    OperatorNode sink = sinkVertex.add("sink", s -> new CountingSink(tracker));
    graph.connect(read, 0, map, 0, Partitioning.forward());
    graph.connect(map, 0, sink, 0, Partitioning.hash(r -> Long.hashCode((Long) r)));

    JobExecution job = JobExecution.start(graph, new ExecutionConfig().channelCapacityFrames(4).batchSize(16));
    Await.awaitTrue(() -> tracker.received.get() > 10_000, 5_000, "records to flow");
    assertFalse(job.completion().isDone());
    cancelAndAwait(job);
    Set<String> all = Set.of("read#0", "read#1", "map#0", "map#1", "sink#0", "sink#1", "sink#2");
    assertEquals(all, tracker.opened);
    assertEquals(all, tracker.closed);
  }

  @Test
  void cancelStopsASourceThatOnlyWatchesIsCancelled() throws Exception {
    LifeCycle tracker = new LifeCycle();
    JobGraph graph = new JobGraph("chain-only");
    Vertex v = graph.addVertex("v", 2);
    OperatorNode read = v.add("read", s -> new CancellationCheckingSource(tracker));
    OperatorNode count = v.add("count", s -> new CountingSink(tracker));
    graph.connect(read, 0, count, 0, Partitioning.forward());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    Await.awaitTrue(() -> tracker.received.get() > 10_000, 5_000, "records to flow");
    cancelAndAwait(job);
    assertEquals(Set.of("read#0", "read#1", "count#0", "count#1"), tracker.closed);
  }

  @Test
  void cancelStopsIdleSubtasks() throws Exception {
    LifeCycle tracker = new LifeCycle();
    CountDownLatch started = new CountDownLatch(2);
    JobGraph graph = new JobGraph("idle");
    Vertex source = graph.addVertex("source", 2);
    OperatorNode read = source.add("read", s -> new SilentSource(tracker, started));
    Vertex sinkVertex = graph.addVertex("sink", 2);
    OperatorNode sink = sinkVertex.add("sink", s -> new CountingSink(tracker));
    graph.connect(read, 0, sink, 0, Partitioning.roundRobin());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    assertTrue(started.await(5, TimeUnit.SECONDS));
    Thread.sleep(150); // the sinks are now waiting on empty inboxes
    cancelAndAwait(job);
    assertEquals(Set.of("read#0", "read#1", "sink#0", "sink#1"), tracker.closed);
    assertEquals(0, tracker.received.get());
  }

  /** Emits a fixed number of records as fast as the channel takes them. */
  private static final class FiniteSource extends TrackedOperator {
    private final int records;

    FiniteSource(LifeCycle tracker, int records) {
      super(tracker);
      this.records = records;
    }

    @Override
    public void process(int inputPort, Object record) {
      throw new AssertionError("a source has no input");
    }

    @Override
    public void complete() throws Exception {
      for (int i = 0; i < records; i++) {
        context.output().emit(0, i);
      }
    }
  }

  /** Spends about a millisecond of CPU per record and calls nothing that notices an interrupt. */
  private static final class BusySink extends TrackedOperator {
    BusySink(LifeCycle tracker) {
      super(tracker);
    }

    @Override
    public void process(int inputPort, Object record) {
      long end = System.nanoTime() + 1_000_000;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      lifeCycle.received.incrementAndGet();
    }
  }

  /**
   * A busy consumer stops after at most the frame in hand, not after draining every frame already
   * queued (up to channelCapacityFrames x batchSize records).
   */
  @Test
  void cancelDoesNotDrainABusySubtasksInbox() throws Exception {
    LifeCycle tracker = new LifeCycle();
    int batch = 16;
    JobGraph graph = new JobGraph("busy");
    OperatorNode read = graph.addVertex("source", 1).add("read", s -> new FiniteSource(tracker, 2_000));
    OperatorNode sink = graph.addVertex("sink", 1).add("sink", s -> new BusySink(tracker));
    graph.connect(read, 0, sink, 0, Partitioning.forward());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig().channelCapacityFrames(64).batchSize(batch));
    Await.awaitTrue(() -> tracker.received.get() > 50, 5_000, "the sink to get busy");
    long before = tracker.received.get();
    long start = System.nanoTime();
    job.cancel();
    assertThrows(JobCancelledException.class, () -> job.completion().get(10, TimeUnit.SECONDS));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    long afterCancel = tracker.received.get() - before;
    // At most the rest of the frame in hand (plus the record in hand when cancel() returned).
    assertTrue(afterCancel <= batch + 1,
        afterCancel + " records processed in " + millis + " ms after cancel(); expected at most " + (batch + 1));
  }

  @Test
  void cancelAfterCompletionChangesNothing() throws Exception {
    LifeCycle tracker = new LifeCycle();
    JobGraph graph = new JobGraph("finished");
    Vertex v = graph.addVertex("v", 1);
    v.add("noop", s -> new CountingSink(tracker));
    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    job.completion().get(5, TimeUnit.SECONDS);
    job.cancel();
    job.cancel();
    assertFalse(job.completion().isCompletedExceptionally());
    assertEquals(Set.of("noop#0"), tracker.closed);
  }
}
