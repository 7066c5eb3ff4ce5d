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
 * {@link OperatorContext#synchronizedProcessingTime()} on the system clock: held back while a subtask
 * feeding this one still works on what it received (here: one of two feeders is slow to pass a
 * watermark on, while the other has already delivered a record), caught up with the clock once
 * every feeder has sent on all it caused.
 */
public class SynchronizedProcessingTimeTest {

  /** What the observer saw; a cluster's workers in this JVM write here too. */
  public static final List<String> SEEN = new CopyOnWriteArrayList<>();

  /** What the observer sees when the engine holds synchronized processing time back as it should. */
  public static final List<String> EXPECTED = List.of("feeder busy, held back: true", "settled, caught up: true");

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
        Thread.sleep(2000);
      }
      context.output().emitWatermark(watermark);
    }
  }

  /**
   * Reads synchronized processing time while a feeder is still busy (it must not pass the record's
   * arrival) and once all is settled (it must have caught up with the clock).
   */
  static final class Observer implements Operator {
    private OperatorContext context;
    private long arrival = -1;
    private int checks;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int port, Object record) {
      arrival = context.processingTime();
      context.scheduleProcessingTime(arrival + 200);
      context.scheduleProcessingTime(arrival + 5000);
    }

    @Override
    public void processingTime(long now) {
      long synchronizedTime = context.synchronizedProcessingTime();
      if (checks == 0) {
        SEEN.add("feeder busy, held back: " + (synchronizedTime <= arrival));
      } else {
        SEEN.add("settled, caught up: " + (synchronizedTime >= arrival + 2000));
      }
      checks++;
    }

    @Override
    public boolean hasPendingWork() {
      return checks < 2;
    }
  }

  @Test
  void aFeederStillPassingAWatermarkOnIsNotSettled() throws Exception {
    SEEN.clear();
    JobExecution.start(graph(), new ExecutionConfig()).completion().get(30, TimeUnit.SECONDS);
    assertEquals(EXPECTED, SEEN);
  }

  /**
   * A source, two middle subtasks and an observer. On a cluster, subtask i of every vertex goes to
   * slot i: the slow middle subtask is then in another process than the observer.
   */
  public static JobGraph graph() {
    JobGraph graph = new JobGraph("settled");
    OperatorNode source = graph.addVertex("source", 1).add("one", s -> new OneRecord());
    OperatorNode middle = graph.addVertex("middle", 2).add("slow", s -> new SlowWatermarkOnOne());
    OperatorNode sink = graph.addVertex("sink", 1).add("observe", s -> new Observer());
    // The record goes to middle#0; the watermark to both.
    graph.connect(source, 0, middle, 0, Partitioning.hash(r -> 0));
    graph.connect(middle, 0, sink, 0, Partitioning.allToOne());
    return graph;
  }
}
