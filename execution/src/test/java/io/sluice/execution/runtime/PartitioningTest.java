package io.sluice.execution.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.state.KeyGroups;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How records of a producer vertex are spread over the subtasks of a consumer vertex. */
class PartitioningTest {

  /** Records per producing subtask; not a multiple of the batch size nor of the consumer parallelism. */
  private static final int PER_PRODUCER = 50;

  /** Producer p emits p * 1000 + i for i in [0, PER_PRODUCER), in that order. */
  private static int value(int producer, int i) {
    return producer * 1000 + i;
  }

  private static int producerOf(int value) {
    return value / 1000;
  }

  /** Emits this subtask's PER_PRODUCER integers in complete(). */
  private static final class IntSource extends TestSource {

    @Override
    public void complete() throws Exception {
      for (int i = 0; i < PER_PRODUCER; i++) {
        context.output().emit(0, value(context.subtaskIndex(), i));
      }
    }
  }

  /** What each consumer subtask received, by subtask index; and which subtasks completed. */
  private static final class Collected {
    final Map<Integer, List<Integer>> bySubtask = new ConcurrentHashMap<>();
    final Set<Integer> completed = ConcurrentHashMap.newKeySet();

    List<Integer> of(int subtask) {
      return bySubtask.getOrDefault(subtask, List.of());
    }
  }

  /** Collects into a list owned by its subtask (only that subtask's thread appends to it). */
  private static final class Collector implements Operator {
    private final Collected collected;
    private final int subtask;
    private final List<Integer> mine = Collections.synchronizedList(new ArrayList<>());

    Collector(Collected collected, int subtask) {
      this.collected = collected;
      this.subtask = subtask;
    }

    @Override
    public void open(OperatorContext context) {
      assertEquals(subtask, context.subtaskIndex());
      collected.bySubtask.put(subtask, mine);
    }

    @Override
    public void process(int inputPort, Object record) {
      mine.add((Integer) record);
    }

    @Override
    public void complete() {
      collected.completed.add(subtask);
    }
  }

  private static Collected run(Partitioning partitioning, int producers, int consumers) throws Exception {
    JobGraph graph = new JobGraph("partitioning-" + partitioning);
    Vertex source = graph.addVertex("source", producers);
    OperatorNode read = source.add("read", subtask -> new IntSource());
    Vertex sink = graph.addVertex("sink", consumers);
    Collected collected = new Collected();
    OperatorNode collect = sink.add("collect", subtask -> new Collector(collected, subtask));
    graph.connect(read, 0, collect, 0, partitioning);
    // A batch size that does not divide PER_PRODUCER, so partial batches are flushed at the end.
    ExecutionConfig config = new ExecutionConfig().batchSize(7).channelCapacityFrames(4);
    JobExecution job = JobExecution.start(graph, config);
    job.completion().get(10, TimeUnit.SECONDS);
    assertEquals(allSubtasks(consumers), collected.completed, "every consumer subtask completed");
    return collected;
  }

  private static Set<Integer> allSubtasks(int n) {
    Set<Integer> s = new HashSet<>();
    for (int i = 0; i < n; i++) {
      s.add(i);
    }
    return s;
  }

  private static List<Integer> everything(int producers) {
    List<Integer> all = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      for (int i = 0; i < PER_PRODUCER; i++) {
        all.add(value(p, i));
      }
    }
    return all;
  }

  private static List<Integer> sorted(List<Integer> values) {
    List<Integer> copy = new ArrayList<>(values);
    Collections.sort(copy);
    return copy;
  }

  /** The records of {@code producer} in {@code received}, in arrival order. */
  private static List<Integer> fromProducer(List<Integer> received, int producer) {
    List<Integer> out = new ArrayList<>();
    for (int v : received) {
      if (producerOf(v) == producer) {
        out.add(v);
      }
    }
    return out;
  }

  /** Records of one producer arrive at one consumer in the order they were emitted. */
  private static void assertPerProducerOrder(Collected collected, int producers, int consumers) {
    for (int s = 0; s < consumers; s++) {
      for (int p = 0; p < producers; p++) {
        List<Integer> seq = fromProducer(collected.of(s), p);
        assertEquals(sorted(seq), seq, "order of producer " + p + " at consumer " + s);
      }
    }
  }

  @Test
  void forwardWithEqualParallelismConnectsSubtaskIToSubtaskI() throws Exception {
    Collected collected = run(Partitioning.forward(), 3, 3);
    for (int s = 0; s < 3; s++) {
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < PER_PRODUCER; i++) {
        expected.add(value(s, i));
      }
      assertEquals(expected, collected.of(s), "consumer " + s);
    }
  }

  @Test
  void hashSendsEachKeyToTheSubtaskThatOwnsItsKeyGroup() throws Exception {
    // Key = value % 10; the hash is negative for some keys.
    Partitioning.KeyHash keyHash = r -> ((Integer) r % 10) * 31 - 150;
    KeyGroups groups = new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM);
    Collected collected = run(Partitioning.hash(keyHash), 2, 3);

    List<Integer> received = new ArrayList<>();
    Map<Integer, Set<Integer>> subtasksOfKey = new TreeMap<>();
    for (int s = 0; s < 3; s++) {
      for (int v : collected.of(s)) {
        received.add(v);
        subtasksOfKey.computeIfAbsent(v % 10, k -> new HashSet<>()).add(s);
        assertEquals(groups.subtaskOf(groups.ofHash(keyHash.of(v)), 3), s, "subtask of " + v);
      }
    }
    assertEquals(sorted(everything(2)), sorted(received), "every record exactly once");
    assertEquals(10, subtasksOfKey.size());
    subtasksOfKey.forEach((key, subtasks) -> assertEquals(1, subtasks.size(), "subtasks of key " + key));
    // The chosen keys really spread: more than one subtask gets some.
    assertTrue(new HashSet<>(subtasksOfKey.values()).size() > 1, subtasksOfKey.toString());
    assertPerProducerOrder(collected, 2, 3);
  }

  @Test
  void broadcastDeliversEverythingToEverySubtask() throws Exception {
    Collected collected = run(Partitioning.broadcast(), 2, 3);
    for (int s = 0; s < 3; s++) {
      assertEquals(sorted(everything(2)), sorted(collected.of(s)), "consumer " + s);
    }
    assertPerProducerOrder(collected, 2, 3);
  }

  @Test
  void roundRobinDealsEachProducersRecordsInTurn() throws Exception {
    Collected collected = run(Partitioning.roundRobin(), 2, 3);
    Map<Integer, Integer> consumerOf = new HashMap<>();
    List<Integer> received = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      for (int v : collected.of(s)) {
        consumerOf.put(v, s);
        received.add(v);
      }
    }
    assertEquals(sorted(everything(2)), sorted(received), "every record exactly once");
    for (int p = 0; p < 2; p++) {
      int[] counts = new int[3];
      for (int i = 0; i < PER_PRODUCER; i++) {
        counts[consumerOf.get(value(p, i))]++;
        if (i > 0) {
          int previous = consumerOf.get(value(p, i - 1));
          assertEquals((previous + 1) % 3, (int) consumerOf.get(value(p, i)), "record " + i + " of producer " + p);
        }
      }
      int min = Math.min(counts[0], Math.min(counts[1], counts[2]));
      int max = Math.max(counts[0], Math.max(counts[1], counts[2]));
      assertTrue(max - min <= 1, "producer " + p + " counts " + java.util.Arrays.toString(counts));
    }
    assertPerProducerOrder(collected, 2, 3);
  }

  @Test
  void allToOneSendsEverythingToSubtaskZero() throws Exception {
    Collected collected = run(Partitioning.allToOne(), 2, 3);
    assertEquals(sorted(everything(2)), sorted(collected.of(0)));
    assertEquals(List.of(), collected.of(1));
    assertEquals(List.of(), collected.of(2));
    assertPerProducerOrder(collected, 2, 3);
  }

  /** Remembers the thread of each subtask of each operator. */
  private static final class Threads {
    final Map<String, Set<String>> byOperatorAndSubtask = new ConcurrentHashMap<>();

    void record(String operator, int subtask) {
      byOperatorAndSubtask.computeIfAbsent(operator + "#" + subtask, k -> ConcurrentHashMap.newKeySet())
          .add(Thread.currentThread().getName());
    }

    Set<String> of(String operator, int subtask) {
      return byOperatorAndSubtask.getOrDefault(operator + "#" + subtask, Set.of());
    }
  }

  private static final class ThreadRecordingSource extends TestSource {
    private final Threads threads;

    ThreadRecordingSource(Threads threads) {
      this.threads = threads;
    }

    @Override
    public void complete() throws Exception {
      for (int i = 0; i < 20; i++) {
        threads.record(context.operatorName(), context.subtaskIndex());
        context.output().emit(0, i);
      }
    }
  }

  private static final class ThreadRecordingRelay implements Operator {
    private final Threads threads;
    private OperatorContext context;

    ThreadRecordingRelay(Threads threads) {
      this.threads = threads;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int inputPort, Object record) throws Exception {
      threads.record(context.operatorName(), context.subtaskIndex());
      context.output().emit(0, record);
    }
  }

  @Test
  void forwardConnectedOperatorsOfOneVertexRunOnTheSameThread() throws Exception {
    Threads threads = new Threads();
    JobGraph graph = new JobGraph("fusion");
    Vertex v = graph.addVertex("fused", 2);
    OperatorNode read = v.add("read", s -> new ThreadRecordingSource(threads));
    OperatorNode map = v.add("map", s -> new ThreadRecordingRelay(threads));
    Vertex downstream = graph.addVertex("downstream", 2);
    OperatorNode sink = downstream.add("sink", s -> new ThreadRecordingRelay(threads));
    graph.connect(read, 0, map, 0, Partitioning.forward());
    graph.connect(map, 0, sink, 0, Partitioning.forward());
    JobExecution.start(graph, new ExecutionConfig()).completion().get(10, TimeUnit.SECONDS);

    for (int s = 0; s < 2; s++) {
      Set<String> readThreads = threads.of("read", s);
      assertEquals(1, readThreads.size(), "read#" + s + " ran on " + readThreads);
      assertEquals(readThreads, threads.of("map", s), "map#" + s + " runs on read#" + s + "'s thread");
      assertEquals(1, threads.of("sink", s).size());
      assertNotEquals(readThreads, threads.of("sink", s), "another vertex has its own thread");
    }
    assertNotEquals(threads.of("read", 0), threads.of("read", 1), "each subtask has its own thread");
  }

  @Test
  void nonForwardConnectionInsideOneVertexIsRejected() {
    JobGraph graph = new JobGraph("bad-fusion");
    Vertex v = graph.addVertex("v", 2);
    OperatorNode a = v.add("a", s -> new IntSource());
    OperatorNode b = v.add("b", s -> new IntSource());
    List<Partitioning> nonForward = List.of(Partitioning.hash(r -> 0), Partitioning.broadcast(),
        Partitioning.roundRobin(), Partitioning.allToOne());
    for (Partitioning p : nonForward) {
      assertThrows(IllegalArgumentException.class, () -> graph.connect(a, 0, b, 0, p), p.toString());
    }
    assertEquals(List.of(), graph.edges(), "a rejected connection adds no edge");
    graph.connect(a, 0, b, 0, Partitioning.forward());
    assertEquals(1, graph.edges().size());
    assertTrue(graph.edges().get(0).isChained());
  }

  @Test
  void aVertexWiderThanTheMaximumParallelismIsRefusedBeforeItRuns() {
    JobGraph graph = new JobGraph("too-wide");
    Vertex v = graph.addVertex("wide", 5);
    v.add("read", s -> new IntSource());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JobExecution.start(graph, new ExecutionConfig().maxParallelism(4)));
    assertTrue(e.getMessage().contains("vertex wide has parallelism 5, above the maximum parallelism 4"),
        e.getMessage());
  }
}
