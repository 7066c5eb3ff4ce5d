package io.sluice.execution.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorFactory;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobExecution;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Building job graphs: what connect() and JobExecution.start() accept, and describe(). */
class GraphTest {

  /** Does nothing; counts how often the engine made one. */
  private static final class Noop implements Operator {
    @Override
    public void process(int inputPort, Object record) {}
  }

  private static OperatorFactory counting(AtomicInteger created) {
    return s -> {
      created.incrementAndGet();
      return new Noop();
    };
  }

  @Test
  void cycleBetweenTwoVerticesIsRejectedAtStart() {
    AtomicInteger created = new AtomicInteger();
    JobGraph graph = new JobGraph("two-cycle");
    Vertex a = graph.addVertex("a", 1);
    Vertex b = graph.addVertex("b", 2);
    OperatorNode opA = a.add("opA", counting(created));
    OperatorNode opB = b.add("opB", counting(created));
    graph.connect(opA, 0, opB, 0, Partitioning.roundRobin());
    graph.connect(opB, 0, opA, 0, Partitioning.allToOne()); // accepted here, refused by start
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JobExecution.start(graph, new ExecutionConfig()));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    assertEquals(0, created.get(), "nothing ran");
  }

  @Test
  void longerCycleBehindAnAcyclicPrefixIsRejected() {
    AtomicInteger created = new AtomicInteger();
    JobGraph graph = new JobGraph("three-cycle");
    OperatorNode source = graph.addVertex("source", 1).add("source", counting(created));
    OperatorNode x = graph.addVertex("x", 1).add("x", counting(created));
    OperatorNode y = graph.addVertex("y", 1).add("y", counting(created));
    OperatorNode z = graph.addVertex("z", 1).add("z", counting(created));
    graph.connect(source, 0, x, 0, Partitioning.forward());
    graph.connect(x, 0, y, 0, Partitioning.forward());
    graph.connect(y, 0, z, 0, Partitioning.forward());
    graph.connect(z, 0, x, 1, Partitioning.forward());
    assertThrows(IllegalArgumentException.class, () -> JobExecution.start(graph, new ExecutionConfig()));
    assertEquals(0, created.get());
  }

  @Test
  void diamondIsAcyclicAndRuns() throws Exception {
    AtomicInteger created = new AtomicInteger();
    JobGraph graph = new JobGraph("diamond");
    OperatorNode top = graph.addVertex("top", 2).add("top", counting(created));
    OperatorNode left = graph.addVertex("left", 1).add("left", counting(created));
    OperatorNode right = graph.addVertex("right", 3).add("right", counting(created));
    OperatorNode bottom = graph.addVertex("bottom", 2).add("bottom", counting(created));
    graph.connect(top, 0, left, 0, Partitioning.broadcast());
    graph.connect(top, 0, right, 0, Partitioning.roundRobin());
    graph.connect(left, 0, bottom, 0, Partitioning.hash(r -> 0));
    graph.connect(right, 0, bottom, 1, Partitioning.allToOne());
    JobExecution.start(graph, new ExecutionConfig()).completion().get(5, TimeUnit.SECONDS);
    assertEquals(2 + 1 + 3 + 2, created.get(), "one operator instance per subtask");
  }

  @Test
  void operatorsOfOneVertexMustBeConnectedProducersFirst() {
    JobGraph graph = new JobGraph("order");
    Vertex v = graph.addVertex("v", 1);
    OperatorNode first = v.add("first", s -> new Noop());
    OperatorNode second = v.add("second", s -> new Noop());
    assertThrows(IllegalArgumentException.class, () -> graph.connect(second, 0, first, 0, Partitioning.forward()));
    assertThrows(IllegalArgumentException.class, () -> graph.connect(first, 0, first, 1, Partitioning.forward()));
    assertEquals(List.of(), graph.edges());
  }

  @Test
  void parallelismBelowOneIsRejected() {
    JobGraph graph = new JobGraph("p");
    assertThrows(IllegalArgumentException.class, () -> graph.addVertex("zero", 0));
    Vertex v = graph.addVertex("one", 1);
    assertThrows(IllegalArgumentException.class, () -> v.setParallelism(-1));
    assertEquals(1, v.parallelism());
    assertEquals(1, graph.vertices().size(), "the rejected vertex was not added");
  }

  @Test
  void onlyHashPartitioningHasAKeyHash() {
    assertEquals(7, Partitioning.hash(r -> 7).keyHash().of("x"));
    assertThrows(IllegalStateException.class, () -> Partitioning.forward().keyHash());
    assertThrows(NullPointerException.class, () -> Partitioning.hash(null));
  }

  @Test
  void describeNamesEveryVertexAndEveryChannel() {
    JobGraph graph = new JobGraph("wordcount");
    Vertex read = graph.addVertex("read", 2);
    OperatorNode source = read.add("source", s -> new Noop());
    OperatorNode split = read.add("split", s -> new Noop());
    Vertex count = graph.addVertex("count", 3);
    OperatorNode sum = count.add("sum", s -> new Noop());
    Vertex write = graph.addVertex("write", 1);
    OperatorNode sink = write.add("sink", s -> new Noop());
    Edge chained = graph.connect(source, 0, split, 0, Partitioning.forward());
    Edge shuffle = graph.connect(split, 0, sum, 0, Partitioning.hash(r -> 0));
    Edge gather = graph.connect(sum, 0, sink, 0, Partitioning.allToOne());
    Edge side = graph.connect(split, 1, sink, 1, Partitioning.broadcast());

    String d = graph.describe();
    List<String> lines = d.lines().toList();
    assertEquals("job wordcount", lines.get(0), d);
    assertEquals("  vertex read[2]: source | split", lines.get(1), d);
    assertEquals("  vertex count[3]: sum", lines.get(2), d);
    assertEquals("  vertex write[1]: sink", lines.get(3), d);
    assertEquals(List.of("  edge " + shuffle, "  edge " + gather, "  edge " + side), lines.subList(4, lines.size()), d);
    assertEquals("read/split:0 -hash-> count/sum:0", shuffle.toString());
    assertEquals("count/sum:0 -all_to_one-> write/sink:0", gather.toString());
    assertEquals("read/split:1 -broadcast-> write/sink:1", side.toString());
    assertTrue(chained.isChained());
    assertFalse(d.contains("edge " + chained), "a chained edge is shown in its vertex's line, not as a channel");

    assertEquals(List.of(shuffle, side), graph.outgoingChannels(read));
    assertEquals(List.of(gather, side), graph.incomingChannels(write));
    assertEquals(List.of(), graph.incomingChannels(read));
  }
}
