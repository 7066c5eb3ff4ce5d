package io.sluice.execution.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.channel.JavaRecordSerializer;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import org.junit.jupiter.api.Test;

class JobGraphBytesTest {

  /** An operator that remembers what its factory gave it. */
  static final class Tagged implements Operator {
    final String tag;

    Tagged(String tag) {
      this.tag = tag;
    }

    @Override
    public void open(OperatorContext context) {}

    @Override
    public void process(int inputPort, Object record) {}

    @Override
    public void watermark(long watermark) {}
  }

  /** Not serializable, as a runner's own objects (its translation context, say) are not. */
  static final class RunnerSide {}

  @Test
  void aGraphComesBackWithItsShapeAndItsFactoriesWork() throws Exception {
    JobGraph graph = new JobGraph("shipped");
    String tag = "made by a lambda";
    Vertex source = graph.addVertex("source", 2);
    OperatorNode a = source.add("a", subtask -> new Tagged(tag + " for " + subtask));
    Vertex sink = graph.addVertex("sink", 3);
    OperatorNode b = sink.add("b", subtask -> new Tagged("b"));
    graph.connect(a, 0, b, 0, Partitioning.hash(record -> record.hashCode() * 7), JavaRecordSerializer.INSTANCE);

    JobGraph copy = JobGraphBytes.copy(graph, getClass().getClassLoader());
    assertNotSame(graph, copy);
    assertEquals(graph.describe(), copy.describe());
    OperatorNode copied = copy.vertices().get(0).operators().get(0);
    assertEquals("made by a lambda for 1", ((Tagged) copied.factory().create(1)).tag);
    assertEquals(7 * "k".hashCode(), copy.edges().get(0).partitioning().keyHash().of("k"));
    assertEquals(copy.vertices().get(1).operators().get(0), copy.edges().get(0).to(), "one object per node, as before");
  }

  @Test
  void whatCannotBeShippedIsNamed() {
    JobGraph graph = new JobGraph("unshippable");
    RunnerSide runnerSide = new RunnerSide();
    graph.addVertex("v", 1).add("holds the runner", subtask -> {
      runnerSide.hashCode();
      return new Tagged("x");
    });
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobGraphBytes.of(graph));
    assertTrue(e.getMessage().contains("operator 'holds the runner'"), e.getMessage());
    assertTrue(e.getMessage().contains(RunnerSide.class.getName()), e.getMessage());
  }
}
