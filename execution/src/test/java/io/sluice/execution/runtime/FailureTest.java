package io.sluice.execution.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The first exception of any operator fails the job, stops the rest and closes everything opened. */
class FailureTest {

  /** Emits forever and never looks at cancellation or interrupts itself. */
  private static final class EndlessSource extends TrackedOperator {
    EndlessSource(LifeCycle lifeCycle) {
      super(lifeCycle);
    }

    @Override
    public void complete() throws Exception {
      for (long i = 0; ; i++) {
        context.output().emit(0, i);
      }
    }
  }

  /** Passes records on; throws {@code error} on record number {@code failAt} of subtask {@code failingSubtask}. */
  private static final class Failing extends TrackedOperator {
    private final Exception error;
    private final int failingSubtask;
    private final long failAt;
    private long seen;

    Failing(LifeCycle lifeCycle, Exception error, int failingSubtask, long failAt) {
      super(lifeCycle);
      this.error = error;
      this.failingSubtask = failingSubtask;
      this.failAt = failAt;
    }

    @Override
    public void process(int inputPort, Object record) throws Exception {
      if (context.subtaskIndex() == failingSubtask && ++seen == failAt) {
        throw error;
      }
      context.output().emit(0, record);
    }
  }

  private static final class Sink extends TrackedOperator {
    Sink(LifeCycle lifeCycle) {
      super(lifeCycle);
    }
  }

  private static Throwable failureOf(JobExecution job) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> job.completion().get(5, TimeUnit.SECONDS));
    assertTrue(job.completion().isCompletedExceptionally());
    return e.getCause();
  }

  @Test
  void exceptionInProcessFailsTheJobAndStopsAnEndlessSource() {
    LifeCycle lc = new LifeCycle();
    IllegalStateException boom = new IllegalStateException("boom");
    JobGraph graph = new JobGraph("process-fails");
    Vertex source = graph.addVertex("source", 2);
    OperatorNode read = source.add("read", s -> new EndlessSource(lc));
    Vertex sink = graph.addVertex("sink", 2);
    OperatorNode fail = sink.add("fail", s -> new Failing(lc, boom, 1, 1000));
    graph.connect(read, 0, fail, 0, Partitioning.roundRobin());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    assertSame(boom, failureOf(job));
    Set<String> all = LifeCycle.union(LifeCycle.ids("read", 2), LifeCycle.ids("fail", 2));
    assertEquals(all, lc.opened);
    assertEquals(all, lc.closed);
    assertEquals(4, lc.closeCalls.get(), "close() once per instance");
  }

  @Test
  void checkedExceptionOfAChainedOperatorIsReportedUnwrapped() {
    LifeCycle lc = new LifeCycle();
    IOException boom = new IOException("chained boom");
    JobGraph graph = new JobGraph("chained-fails");
    Vertex v = graph.addVertex("fused", 2);
    OperatorNode read = v.add("read", s -> new EndlessSource(lc));
    OperatorNode fail = v.add("fail", s -> new Failing(lc, boom, 0, 10));
    Vertex sinkVertex = graph.addVertex("sink", 1);
    OperatorNode sink = sinkVertex.add("sink", s -> new Sink(lc));
    graph.connect(read, 0, fail, 0, Partitioning.forward());
    graph.connect(fail, 0, sink, 0, Partitioning.allToOne());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    Throwable failure = failureOf(job);
    assertSame(boom, failure, "not an OperatorException wrapper: " + failure);
    Set<String> all = LifeCycle.union(LifeCycle.ids("read", 2), LifeCycle.ids("fail", 2), LifeCycle.ids("sink", 1));
    assertEquals(all, lc.opened);
    assertEquals(all, lc.closed);
    assertEquals(5, lc.closeCalls.get());
  }

  /** Emits a few records, then throws from complete() on subtask 0; subtask 1 emits forever. */
  private static final class SourceFailingInComplete extends TrackedOperator {
    private final RuntimeException error;

    SourceFailingInComplete(LifeCycle lifeCycle, RuntimeException error) {
      super(lifeCycle);
      this.error = error;
    }

    @Override
    public void complete() throws Exception {
      for (long i = 0; context.subtaskIndex() != 0 || i < 10; i++) {
        context.output().emit(0, i);
      }
      throw error;
    }
  }

  @Test
  void exceptionInCompleteFailsTheJob() {
    LifeCycle lc = new LifeCycle();
    RuntimeException boom = new UnsupportedOperationException("complete boom");
    JobGraph graph = new JobGraph("complete-fails");
    Vertex source = graph.addVertex("source", 2);
    OperatorNode read = source.add("read", s -> new SourceFailingInComplete(lc, boom));
    Vertex sinkVertex = graph.addVertex("sink", 3);
    OperatorNode sink = sinkVertex.add("sink", s -> new Sink(lc));
    graph.connect(read, 0, sink, 0, Partitioning.broadcast());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    assertSame(boom, failureOf(job));
    Set<String> all = LifeCycle.union(LifeCycle.ids("read", 2), LifeCycle.ids("sink", 3));
    assertEquals(all, lc.opened);
    assertEquals(all, lc.closed);
    assertEquals(5, lc.closeCalls.get());
  }

  private static final class FailingOpen extends TrackedOperator {
    private final Exception error;

    FailingOpen(LifeCycle lifeCycle, Exception error) {
      super(lifeCycle);
      this.error = error;
    }

    @Override
    public void open(OperatorContext context) throws Exception {
      super.open(context);
      if (context.subtaskIndex() == 1) {
        throw error;
      }
    }
  }

  @Test
  void exceptionInOpenFailsTheJobAndClosesWhatWasOpened() {
    LifeCycle lc = new LifeCycle();
    Exception boom = new Exception("open boom");
    JobGraph graph = new JobGraph("open-fails");
    Vertex source = graph.addVertex("source", 2);
    OperatorNode read = source.add("read", s -> new EndlessSource(lc));
    Vertex sinkVertex = graph.addVertex("sink", 2);
    OperatorNode first = sinkVertex.add("first", s -> new FailingOpen(lc, boom));
    OperatorNode second = sinkVertex.add("second", s -> new Sink(lc));
    graph.connect(read, 0, first, 0, Partitioning.roundRobin());
    graph.connect(first, 0, second, 0, Partitioning.forward());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    assertSame(boom, failureOf(job));
    // sink#1 failed opening "first", so its "second" was never opened (nor needs closing);
    // the operator whose open() threw is closed like every other opened one.
    Set<String> expected = LifeCycle.union(LifeCycle.ids("read", 2), LifeCycle.ids("first", 2), Set.of("second#0"));
    assertEquals(expected, lc.opened);
    assertEquals(expected, lc.closed);
    assertEquals(5, lc.closeCalls.get());
  }

  /** Counts how often complete() ran, then emits a few records. */
  private static final class CountingSource extends TrackedOperator {
    private final AtomicInteger completes;

    CountingSource(LifeCycle lifeCycle, AtomicInteger completes) {
      super(lifeCycle);
      this.completes = completes;
    }

    @Override
    public void complete() throws Exception {
      completes.incrementAndGet();
      for (int i = 0; i < 10; i++) {
        context.output().emit(0, i);
      }
    }
  }

  /** Fails in open(); its close() takes a while, as cleaning up after a half-done setup can. */
  private static final class FailingOpenSlowClose extends TrackedOperator {
    private final Exception error;

    FailingOpenSlowClose(LifeCycle lifeCycle, Exception error) {
      super(lifeCycle);
      this.error = error;
    }

    @Override
    public void open(OperatorContext context) throws Exception {
      super.open(context);
      throw error;
    }

    @Override
    public void close() {
      super.close();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A failed setup fails the job before anything is emitted: the subtasks waiting for every
   * operator to open are released only after the failure is recorded.
   */
  @Test
  void failedOpenStopsTheJobBeforeAnySourceEmits() {
    LifeCycle lc = new LifeCycle();
    AtomicInteger completes = new AtomicInteger();
    Exception boom = new Exception("setup boom");
    JobGraph graph = new JobGraph("setup-fails");
    OperatorNode read = graph.addVertex("source", 2).add("read", s -> new CountingSource(lc, completes));
    OperatorNode sink = graph.addVertex("sink", 1).add("sink", s -> new FailingOpenSlowClose(lc, boom));
    graph.connect(read, 0, sink, 0, Partitioning.allToOne());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    assertSame(boom, failureOf(job));
    assertEquals(0, completes.get(), "no source may start emitting once a setup has failed");
    assertEquals(Set.of("read#0", "read#1", "sink#0"), lc.closed);
  }

  /** Throws from close() as well, after {@link Failing} failed the subtask. */
  private static final class FailingClose extends TrackedOperator {
    private final RuntimeException error;

    FailingClose(LifeCycle lifeCycle, RuntimeException error) {
      super(lifeCycle);
      this.error = error;
    }

    @Override
    public void close() {
      super.close();
      throw error;
    }
  }

  @Test
  void exceptionInCloseAfterAFailureIsSuppressedNotReported() {
    LifeCycle lc = new LifeCycle();
    IllegalStateException boom = new IllegalStateException("process boom");
    IllegalArgumentException closeBoom = new IllegalArgumentException("close boom");
    JobGraph graph = new JobGraph("close-fails");
    Vertex source = graph.addVertex("source", 1);
    OperatorNode read = source.add("read", s -> new EndlessSource(lc));
    Vertex sinkVertex = graph.addVertex("sink", 1);
    OperatorNode fail = sinkVertex.add("fail", s -> new Failing(lc, boom, 0, 5));
    OperatorNode closeFails = sinkVertex.add("closeFails", s -> new FailingClose(lc, closeBoom));
    graph.connect(read, 0, fail, 0, Partitioning.forward());
    graph.connect(fail, 0, closeFails, 0, Partitioning.forward());

    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    Throwable failure = failureOf(job);
    assertSame(boom, failure);
    assertArrayEquals(new Throwable[] {closeBoom}, failure.getSuppressed());
    assertEquals(Set.of("read#0", "fail#0", "closeFails#0"), lc.closed);
  }

  @Test
  void exceptionInCloseOfAnOtherwiseSuccessfulJobFailsIt() throws Exception {
    LifeCycle lc = new LifeCycle();
    IllegalArgumentException closeBoom = new IllegalArgumentException("close boom");
    JobGraph graph = new JobGraph("only-close-fails");
    Vertex v = graph.addVertex("v", 1);
    v.add("closeFails", s -> new FailingClose(lc, closeBoom));
    JobExecution job = JobExecution.start(graph, new ExecutionConfig());
    assertSame(closeBoom, failureOf(job));
    assertEquals(List.of(), List.of(closeBoom.getSuppressed()));
  }
}
