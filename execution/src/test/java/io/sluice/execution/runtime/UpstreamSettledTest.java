package io.sluice.execution.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link OperatorContext#upstreamSettled()}: false while a subtask feeding this one still works on
 * what it received (here: one of two feeders is slow to pass a watermark on, while the other has
 * already delivered a record), true once every feeder has sent on all it caused.
 */
class UpstreamSettledTest {

  private static final List<String> SEEN = new CopyOnWriteArrayList<>();

  /** Emits one record and a watermark, then ends. */
  static final class OneRecord implements Operator {
    private OperatorContext context;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int port, Object record) {}

    @Override
    public void complete() throws Exception {
      context.output().emit(0, 0L);
      context.output().emitWatermark(100);
    }
  }

  /** Passes everything on; subtask 1 takes its time over the watermark. */
  static final class SlowWatermarkOnOne implements Operator {
    private OperatorContext context;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int port, Object record) throws Exception {
      context.output().emit(0, record);
    }

    @Override
    public void watermark(long watermark) throws Exception {
      if (context.subtaskIndex() == 1 && watermark == 100) {
        Thread.sleep(700);
      }
      context.output().emitWatermark(watermark);
    }
  }

  /** Records whether the upstream had settled when the record came, and again a while later. */
  static final class Observer implements Operator {
    private OperatorContext context;
    private boolean checkedLater;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int port, Object record) {
      SEEN.add("on record: " + context.upstreamSettled());
      context.scheduleProcessingTime(context.processingTime() + 2000);
    }

    @Override
    public void processingTime(long now) {
      if (!checkedLater) {
        checkedLater = true;
        SEEN.add("later: " + context.upstreamSettled());
      }
    }

    @Override
    public boolean hasPendingWork() {
      return !checkedLater;
    }
  }

  @Test
  void aFeederStillPassingAWatermarkOnIsNotSettled() throws Exception {
    SEEN.clear();
    JobGraph graph = new JobGraph("settled");
    OperatorNode source = graph.addVertex("source", 1).add("one", s -> new OneRecord());
    OperatorNode middle = graph.addVertex("middle", 2).add("slow", s -> new SlowWatermarkOnOne());
    OperatorNode sink = graph.addVertex("sink", 1).add("observe", s -> new Observer());
    // The record goes to middle#0; the watermark to both.
    graph.connect(source, 0, middle, 0, Partitioning.hash(r -> 0));
    graph.connect(middle, 0, sink, 0, Partitioning.allToOne());
    JobExecution.start(graph, new ExecutionConfig()).completion().get(30, TimeUnit.SECONDS);
    assertEquals(List.of("on record: false", "later: true"), SEEN);
  }
}
