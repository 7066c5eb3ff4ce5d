package io.sluice.execution.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.operator.SourceOperator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Polled sources, processing-time callbacks, in-band time, per-port watermarks, pending work. */
class ProcessingTimeTest {

  /** Emits 0..count-1 a few per poll, idles now and then, and says when it is done. */
  private static final class PolledSource implements SourceOperator {
    private final int count;
    private OperatorContext context;
    private int next;
    private int polls;

    PolledSource(int count) {
      this.count = count;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      if (++polls % 3 == 0) {
        return Status.IDLE;
      }
      for (int i = 0; i < 7 && next < count; i++) {
        context.output().emit(0, next++);
      }
      return next == count ? Status.DONE : Status.MORE;
    }
  }

  /** Records what it sees, in order, into a shared log. */
  private static class Recorder implements Operator {
    final List<String> log;
    OperatorContext context;

    Recorder(List<String> log) {
      this.log = log;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int inputPort, Object record) throws Exception {
      log.add("r" + inputPort + ":" + record);
    }

    @Override
    public void portWatermark(int port, long watermark) {
      log.add("pwm" + port + ":" + watermark);
    }

    @Override
    public void processingTime(long now) {
      log.add("pt:" + now);
    }

    @Override
    public void complete() {
      log.add("complete");
    }
  }

  @Test
  void aPolledSourceRunsToTheEndWhileCallbacksArriveWhenDue() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    long[] requested = new long[1];
    JobGraph graph = new JobGraph("polled");
    Vertex vertex = graph.addVertex("v", 1);
    OperatorNode source = vertex.add("source", s -> new PolledSource(500));
    OperatorNode sink = vertex.add("sink", s -> new Recorder(log) {
      @Override
      public void process(int inputPort, Object record) throws Exception {
        super.process(inputPort, record);
        if (record.equals(0)) {
          requested[0] = System.currentTimeMillis() + 50;
          context.scheduleProcessingTime(requested[0]);
        }
      }
    });
    graph.connect(source, 0, sink, 0, Partitioning.forward());
    JobExecution.start(graph, new ExecutionConfig()).completion().get(10, TimeUnit.SECONDS);

    List<String> records = log.stream().filter(e -> e.startsWith("r0:")).toList();
    assertEquals(500, records.size());
    assertEquals("r0:499", records.get(499));
    List<String> callbacks = log.stream().filter(e -> e.startsWith("pt:")).toList();
    assertEquals(1, callbacks.size(), "one callback for one request: " + callbacks);
    assertTrue(Long.parseLong(callbacks.get(0).substring(3)) >= requested[0], "not before the time asked for");
    assertEquals("complete", log.get(log.size() - 1));
  }

  /** Emits 0..count-1, one a millisecond. */
  private static final class SlowSource implements SourceOperator {
    private final int count;
    private OperatorContext context;
    private int next;

    SlowSource(int count) {
      this.count = count;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      Thread.sleep(1);
      context.output().emit(0, next++);
      return next == count ? Status.DONE : Status.MORE;
    }
  }

  @Test
  void aTimeAskedForAgainIsCalledBackOnce() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    long at = System.currentTimeMillis() + 150;
    int[] asked = new int[1];
    JobGraph graph = new JobGraph("asked-again");
    Vertex vertex = graph.addVertex("v", 1);
    OperatorNode source = vertex.add("source", s -> new SlowSource(400));
    OperatorNode sink = vertex.add("sink", s -> new Recorder(log) {
      @Override
      public void process(int inputPort, Object record) throws Exception {
        super.process(inputPort, record);
        if (System.currentTimeMillis() < at - 50) {
          asked[0]++;
          context.scheduleProcessingTime(at);
        }
      }
    });
    graph.connect(source, 0, sink, 0, Partitioning.forward());
    JobExecution.start(graph, new ExecutionConfig()).completion().get(10, TimeUnit.SECONDS);

    assertEquals(400, log.stream().filter(e -> e.startsWith("r0:")).count());
    assertTrue(asked[0] > 10, "asked " + asked[0] + " times");
    List<String> callbacks = log.stream().filter(e -> e.startsWith("pt:")).toList();
    assertEquals(1, callbacks.size(), asked[0] + " asks for one time, one callback: " + callbacks);
  }

  /** Subtask 0 advances in-band time and sends records; subtask 1 says nothing and ends late. */
  private static final class InBandSource implements SourceOperator {
    private OperatorContext context;
    private boolean sent;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      if (context.subtaskIndex() == 1) {
        Thread.sleep(300);
        return Status.DONE;
      }
      if (!sent) {
        sent = true;
        context.output().emit(0, "at-start:" + context.processingTime());
        context.output().emitProcessingTime(context.processingTime() + 60_000);
        context.output().emit(0, "later");
      }
      return Status.DONE;
    }
  }

  @Test
  void inBandTimeStartsAtTheJobStartAndIsTheMinimumOverProducers() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    long before = System.currentTimeMillis();
    JobGraph graph = new JobGraph("in-band");
    OperatorNode source = graph.addVertex("source", 2).add("source", s -> new InBandSource());
    OperatorNode sink = graph.addVertex("sink", 1).add("sink", s -> new Recorder(log) {
      @Override
      public void process(int inputPort, Object record) throws Exception {
        super.process(inputPort, record);
        log.add("now:" + context.processingTime());
      }
    });
    graph.connect(source, 0, sink, 0, Partitioning.forward());
    JobExecution.start(graph, new ExecutionConfig().processingTimeMode(ProcessingTimeMode.IN_BAND))
        .completion().get(10, TimeUnit.SECONDS);

    String atStart = log.stream().filter(e -> e.startsWith("r0:at-start:")).findFirst().orElseThrow();
    long start = Long.parseLong(atStart.substring("r0:at-start:".length()));
    assertTrue(start >= before && start <= System.currentTimeMillis(), "in-band time starts at the job's start");
    int later = log.indexOf("r0:later");
    assertEquals("now:" + start, log.get(later + 1),
        "the silent producer holds in-band time at the start until it ends: " + log);
    assertTrue(log.contains("pt:" + Long.MAX_VALUE), "the end of input ends in-band time: " + log);
  }

  /** Has work left after its input ended: emits it at a later processing time, then lets go. */
  private static final class Lingering implements Operator {
    private OperatorContext context;
    private boolean pending;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int inputPort, Object record) throws Exception {
      context.output().emit(0, record);
    }

    @Override
    public void complete() {
      pending = true;
      context.scheduleProcessingTime(System.currentTimeMillis() + 100);
    }

    @Override
    public void processingTime(long now) throws Exception {
      if (pending) {
        context.output().emit(0, "after-input");
        pending = false;
      }
    }

    @Override
    public boolean hasPendingWork() {
      return pending;
    }
  }

  @Test
  void anOperatorWithPendingWorkKeepsItsOutputOpenAndPortsHaveTheirOwnWatermarks() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    JobGraph graph = new JobGraph("pending");
    OperatorNode main = graph.addVertex("main", 1).add("main", s -> new PolledSource(3));
    OperatorNode side = graph.addVertex("side", 1).add("side", s -> new PolledSource(2));
    Vertex v = graph.addVertex("v", 1);
    OperatorNode lingering = v.add("lingering", s -> new Lingering());
    OperatorNode sink = graph.addVertex("sink", 1).add("sink", s -> new Recorder(log));
    graph.connect(main, 0, lingering, 0, Partitioning.forward());
    graph.connect(lingering, 0, sink, 0, Partitioning.forward());
    graph.connect(side, 0, sink, 1, Partitioning.forward());
    JobExecution.start(graph, new ExecutionConfig()).completion().get(10, TimeUnit.SECONDS);

    int after = log.indexOf("r0:after-input");
    assertTrue(after >= 0, "work done after the input ended reaches downstream: " + log);
    assertTrue(after < log.indexOf("pwm0:" + Long.MAX_VALUE), "before the end of its stream: " + log);
    assertTrue(log.contains("pwm1:" + Long.MAX_VALUE), "port 1 has its own watermark: " + log);
    assertEquals("complete", log.get(log.size() - 1));
  }

  /** Emits one record, then waits for quiescence and notes whether the sink had the record by then. */
  private static final class QuiescenceProbe implements SourceOperator {
    private final List<String> log;
    private OperatorContext context;
    private boolean sent;

    QuiescenceProbe(List<String> log) {
      this.log = log;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      if (!sent) {
        sent = true;
        context.output().emit(0, "x");
        return Status.MORE;
      }
      if (!context.isQuiescent()) {
        return Status.MORE;
      }
      log.add("quiescent");
      return Status.DONE;
    }
  }

  /** Holds its input until it is told the subtask is idle (as a stage holds an open bundle). */
  private static class Bundling implements Operator {
    final List<Object> held = new ArrayList<>();
    OperatorContext context;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int inputPort, Object record) {
      held.add(record);
    }

    @Override
    public void idle() throws Exception {
      release();
    }

    @Override
    public void complete() throws Exception {
      release();
    }

    void release() throws InterruptedException {
      for (Object record : held) {
        context.output().emit(0, record);
      }
      held.clear();
    }
  }

  /**
   * A test source judges quiescence (TestStream's next event waits for it): what operators chained
   * after it hold must go out first, else the source moves on while its last event's elements sit
   * in an open bundle.
   */
  @Test
  void quiescenceWaitsForWhatOperatorsChainedAfterASourceHold() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    JobGraph graph = new JobGraph("quiescence");
    Vertex chain = graph.addVertex("chain", 1);
    OperatorNode probe = chain.add("probe", s -> new QuiescenceProbe(log));
    OperatorNode bundling = chain.add("bundling", s -> new Bundling());
    OperatorNode sink = graph.addVertex("sink", 1).add("sink", s -> new Recorder(log));
    graph.connect(probe, 0, bundling, 0, Partitioning.forward());
    graph.connect(bundling, 0, sink, 0, Partitioning.forward());
    JobExecution.start(graph, new ExecutionConfig().processingTimeMode(ProcessingTimeMode.IN_BAND))
        .completion().get(10, TimeUnit.SECONDS);

    assertTrue(log.indexOf("r0:x") >= 0 && log.indexOf("r0:x") < log.indexOf("quiescent"),
        "the sink has the record before the source finds the job quiescent: " + log);
  }

  /** Emits one record and a watermark after it. */
  private static final class RecordThenWatermark implements SourceOperator {
    private OperatorContext context;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      context.output().emit(0, "x");
      context.output().emitWatermark(10);
      return Status.DONE;
    }
  }

  /**
   * Holds its input until time moves, then emits it and, as an operator about to run long work
   * (an SDK harness firing timers), waits, bounded, for downstream to have it.
   */
  private static final class EmitsThenWorksLong extends Bundling {
    private final CountDownLatch received;
    private final List<String> log;

    EmitsThenWorksLong(CountDownLatch received, List<String> log) {
      this.received = received;
      this.log = log;
    }

    @Override
    public void idle() {
      // Held until time moves.
    }

    @Override
    public void watermark(long watermark) throws Exception {
      if (held.isEmpty()) {
        return;
      }
      release();
      context.flushOutputs();
      log.add(received.await(10, TimeUnit.SECONDS) ? "downstream had it during the work" : "held back");
    }
  }

  @Test
  void whatAnOperatorFlushesReachesDownstreamWhileItWorks() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch received = new CountDownLatch(1);
    JobGraph graph = new JobGraph("flush");
    OperatorNode source = graph.addVertex("source", 1).add("source", s -> new RecordThenWatermark());
    OperatorNode worker = graph.addVertex("worker", 1).add("worker", s -> new EmitsThenWorksLong(received, log));
    OperatorNode sink = graph.addVertex("sink", 1).add("sink", s -> new Recorder(log) {
      @Override
      public void process(int inputPort, Object record) throws Exception {
        super.process(inputPort, record);
        received.countDown();
      }
    });
    graph.connect(source, 0, worker, 0, Partitioning.forward());
    graph.connect(worker, 0, sink, 0, Partitioning.forward());
    JobExecution.start(graph, new ExecutionConfig()).completion().get(30, TimeUnit.SECONDS);

    assertTrue(log.contains("downstream had it during the work"), log.toString());
  }
}
