package io.sluice.execution.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/** Watermarks are the minimum over all producers; inputDone and complete come after every producer ended. */
class WatermarkAndEndTest {

  private static final int PER_PRODUCER = 40;

  /** Per consumer subtask, in call order: "r<port>", "wm:<w>", "done:<port>", "complete", ... */
  private static final class EventLog {
    final Map<String, List<String>> events = new ConcurrentHashMap<>();
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());

    /** Keeps the first few violations: they say enough. */
    void violation(String what) {
      if (violations.size() < 5) {
        violations.add(what);
      }
    }

    List<String> of(String operator, int subtask) {
      return events.computeIfAbsent(operator + "#" + subtask, k -> Collections.synchronizedList(new ArrayList<>()));
    }
  }

  /**
   * Producer p: watermark 100 + p, records, a pause of 40 * p ms, watermark 200 + p, more records.
   * Publishes each watermark in {@code latest} before emitting it, and Long.MAX_VALUE plus an
   * {@code ended} count once it has emitted everything.
   */
  private static final class WatermarkingSource extends TestSource {
    private final AtomicLongArray latest;
    private final AtomicInteger ended;

    WatermarkingSource(AtomicLongArray latest, AtomicInteger ended) {
      this.latest = latest;
      this.ended = ended;
    }

    @Override
    public void complete() throws Exception {
      int p = context.subtaskIndex();
      latest.set(p, 100 + p);
      context.output().emitWatermark(100 + p);
      for (int i = 0; i < PER_PRODUCER / 2; i++) {
        context.output().emit(0, p * 1000 + i);
      }
      Thread.sleep(40L * p);
      latest.set(p, 200 + p);
      context.output().emitWatermark(200 + p);
      for (int i = PER_PRODUCER / 2; i < PER_PRODUCER; i++) {
        context.output().emit(0, p * 1000 + i);
      }
      latest.set(p, Long.MAX_VALUE);
      ended.incrementAndGet();
    }
  }

  /** Logs everything; checks each watermark against what the producers have published. */
  private static final class WatermarkLogger implements Operator {
    private final EventLog log;
    private final AtomicLongArray latest;
    private final AtomicInteger ended;
    private List<String> events;
    private String name;

    WatermarkLogger(EventLog log, AtomicLongArray latest, AtomicInteger ended) {
      this.log = log;
      this.latest = latest;
      this.ended = ended;
    }

    @Override
    public void open(OperatorContext context) {
      name = context.operatorName() + "#" + context.subtaskIndex();
      events = log.of(context.operatorName(), context.subtaskIndex());
    }

    @Override
    public void process(int inputPort, Object record) {
      events.add("r" + inputPort);
    }

    @Override
    public void watermark(long watermark) {
      long min = Long.MAX_VALUE;
      for (int p = 0; p < latest.length(); p++) {
        min = Math.min(min, latest.get(p));
      }
      if (watermark > min) {
        log.violation(name + " saw watermark " + watermark + " while producers had only reached " + min);
      }
      events.add("wm:" + watermark);
    }

    @Override
    public void inputDone(int inputPort) {
      events.add("done:" + inputPort + " ended=" + ended.get());
    }

    @Override
    public void complete() {
      events.add("complete");
    }
  }

  private static int count(List<String> events, String prefix) {
    int n = 0;
    for (String e : events) {
      if (e.startsWith(prefix)) {
        n++;
      }
    }
    return n;
  }

  private static int indexOf(List<String> events, String prefix) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(List<String> events, String prefix) {
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aJobWithNoVerticesEndsAtOnce() throws Exception {
    JobExecution.start(new JobGraph("nothing"), new ExecutionConfig()).completion().get(10, TimeUnit.SECONDS);
  }

  @Test
  void watermarkIsTheMinimumOverProducersAndInputDoneFollowsTheirEnd() throws Exception {
    int producers = 3;
    int consumers = 2;
    AtomicLongArray latest = new AtomicLongArray(producers);
    for (int p = 0; p < producers; p++) {
      latest.set(p, Long.MIN_VALUE);
    }
    AtomicInteger ended = new AtomicInteger();
    EventLog log = new EventLog();
    JobGraph graph = new JobGraph("watermarks");
    Vertex source = graph.addVertex("source", producers);
    OperatorNode read = source.add("read", s -> new WatermarkingSource(latest, ended));
    Vertex sink = graph.addVertex("sink", consumers);
    OperatorNode logger = sink.add("log", s -> new WatermarkLogger(log, latest, ended));
    graph.connect(read, 0, logger, 0, Partitioning.broadcast());
    JobExecution.start(graph, new ExecutionConfig().batchSize(8)).completion().get(10, TimeUnit.SECONDS);

    assertEquals(List.of(), log.violations);
    Set<Long> emitted = Set.of(100L, 101L, 102L, 200L, 201L, 202L, Long.MAX_VALUE);
    for (int s = 0; s < consumers; s++) {
      List<String> events = new ArrayList<>(log.of("log", s));
      String where = "log#" + s + " " + events;
      assertEquals(producers * PER_PRODUCER, count(events, "r0"), where);
      assertEquals(List.of("done:0 ended=" + producers, "complete"), events.subList(events.size() - 2, events.size()),
          "inputDone(0) once all producers ended, then complete(), last: " + where);
      assertEquals(1, count(events, "done:"), where);
      assertEquals(1, count(events, "complete"), where);
      assertTrue(lastIndexOf(events, "r0") < indexOf(events, "done:0"), where);

      List<Long> watermarks = new ArrayList<>();
      for (String e : events) {
        if (e.startsWith("wm:")) {
          watermarks.add(Long.parseLong(e.substring(3)));
        }
      }
      for (int i = 1; i < watermarks.size(); i++) {
        assertTrue(watermarks.get(i - 1) < watermarks.get(i), "watermarks strictly increase: " + watermarks);
      }
      assertTrue(emitted.containsAll(watermarks), "only watermarks some producer sent: " + watermarks);
      assertEquals(Long.MAX_VALUE, watermarks.get(watermarks.size() - 1), "the end of input advances to the end of time");
      assertEquals("wm:" + Long.MAX_VALUE, events.get(events.size() - 3), where);
    }
  }

  /** Emits PER_PRODUCER values, positive or negative, after an optional pause; counts itself ended. */
  private static final class SignedSource extends TestSource {
    private final int sign;
    private final long pauseMillis;
    private final AtomicInteger ended;

    SignedSource(int sign, long pauseMillis, AtomicInteger ended) {
      this.sign = sign;
      this.pauseMillis = pauseMillis;
      this.ended = ended;
    }

    @Override
    public void complete() throws Exception {
      Thread.sleep(pauseMillis);
      for (int i = 0; i < PER_PRODUCER; i++) {
        context.output().emit(0, sign * (context.subtaskIndex() * 1000 + i + 1));
      }
      ended.incrementAndGet();
    }
  }

  /** Two inputs: port 0 must only see positive values, port 1 only negative ones. Emits its counts at the end. */
  private static final class TwoPorts implements Operator {
    private final EventLog log;
    private final AtomicInteger endedA;
    private final AtomicInteger endedB;
    private OperatorContext context;
    private List<String> events;
    private final int[] counts = new int[2];

    TwoPorts(EventLog log, AtomicInteger endedA, AtomicInteger endedB) {
      this.log = log;
      this.endedA = endedA;
      this.endedB = endedB;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
      events = log.of(context.operatorName(), context.subtaskIndex());
    }

    @Override
    public void process(int inputPort, Object record) {
      int value = (Integer) record;
      if ((inputPort == 0) != (value > 0)) {
        log.violation("port " + inputPort + " got " + value);
      }
      counts[inputPort]++;
      events.add("r" + inputPort);
    }

    @Override
    public void inputDone(int inputPort) {
      int ended = inputPort == 0 ? endedA.get() : endedB.get();
      events.add("done:" + inputPort + " ended=" + ended);
    }

    @Override
    public void complete() throws Exception {
      events.add("complete");
      context.output().emit(0, counts[0] + "," + counts[1]);
    }
  }

  private static final class ChainedLogger implements Operator {
    private final EventLog log;
    private List<String> events;

    ChainedLogger(EventLog log) {
      this.log = log;
    }

    @Override
    public void open(OperatorContext context) {
      events = log.of(context.operatorName(), context.subtaskIndex());
    }

    @Override
    public void process(int inputPort, Object record) {
      events.add("r" + inputPort + ":" + record);
    }

    @Override
    public void inputDone(int inputPort) {
      events.add("done:" + inputPort);
    }

    @Override
    public void complete() {
      events.add("complete");
    }
  }

  @Test
  void operatorWithTwoInputsCompletesAfterBothInputsAreDone() throws Exception {
    AtomicInteger endedA = new AtomicInteger();
    AtomicInteger endedB = new AtomicInteger();
    EventLog log = new EventLog();
    JobGraph graph = new JobGraph("two-inputs");
    Vertex a = graph.addVertex("a", 2);
    OperatorNode readA = a.add("readA", s -> new SignedSource(1, 0, endedA));
    Vertex b = graph.addVertex("b", 3);
    OperatorNode readB = b.add("readB", s -> new SignedSource(-1, 30L * s, endedB));
    Vertex join = graph.addVertex("join", 2);
    OperatorNode twoPorts = join.add("twoPorts", s -> new TwoPorts(log, endedA, endedB));
    OperatorNode after = join.add("after", s -> new ChainedLogger(log));
    graph.connect(readA, 0, twoPorts, 0, Partitioning.roundRobin());
    graph.connect(readB, 0, twoPorts, 1, Partitioning.broadcast());
    graph.connect(twoPorts, 0, after, 0, Partitioning.forward());
    JobExecution.start(graph, new ExecutionConfig().batchSize(5)).completion().get(10, TimeUnit.SECONDS);

    assertEquals(List.of(), log.violations);
    int port0Total = 0;
    for (int s = 0; s < 2; s++) {
      List<String> events = new ArrayList<>(log.of("twoPorts", s));
      String where = "twoPorts#" + s + " " + events;
      int r0 = count(events, "r0");
      int r1 = count(events, "r1");
      port0Total += r0;
      assertEquals(3 * PER_PRODUCER, r1, "broadcast: all of b at every subtask: " + where);
      assertEquals(1, count(events, "done:0"), where);
      assertEquals(1, count(events, "done:1"), where);
      assertTrue(events.contains("done:0 ended=2"), "port 0 done after both a producers ended: " + where);
      assertTrue(events.contains("done:1 ended=3"), "port 1 done after all three b producers ended: " + where);
      assertTrue(lastIndexOf(events, "r0") < indexOf(events, "done:0"), where);
      assertTrue(lastIndexOf(events, "r1") < indexOf(events, "done:1"), where);
      assertEquals(1, count(events, "complete"), where);
      assertEquals("complete", events.get(events.size() - 1), "complete after both inputDone: " + where);

      assertEquals(List.of("r0:" + r0 + "," + r1, "done:0", "complete"), log.of("after", s),
          "the chained consumer ends right after its producer completes");
    }
    assertEquals(2 * PER_PRODUCER, port0Total, "round-robin: all of a, once");
  }
}
