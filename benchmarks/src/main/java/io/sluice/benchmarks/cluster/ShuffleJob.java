package io.sluice.benchmarks.cluster;

import io.sluice.execution.channel.RecordSerializer;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.SourceOperator;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.ReportingResource;
import io.sluice.execution.state.KeyGroups;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's shuffle alone, without Beam: one source subtask emits {@code records} byte arrays of
 * {@code recordBytes} each over a hash edge that sends every one to consumer subtask 1. On a
 * cluster subtask i of every vertex goes to slot i, so the source (slot 0) and that consumer
 * (slot 1) are on different workers and every byte crosses the connection; in one process the
 * same records go through an in-memory channel. The consumer counts records and bytes, which the
 * run checks.
 */
public final class ShuffleJob {

  private ShuffleJob() {}

  public static JobGraph graph(long records, int recordBytes) {
    JobGraph graph = new JobGraph("shuffle-" + records + "x" + recordBytes);
    OperatorNode source = graph.addVertex("bytes", 1).add("bytes", s -> new Bytes(records, recordBytes));
    OperatorNode sink = graph.addVertex("count", 2).add("count", s -> new Counting());
    graph.connect(source, 0, sink, 0, Partitioning.hash(new ToSubtaskOne()), new RawBytes());
    return graph;
  }

  public static ExecutionConfig config(Received received) {
    return new ExecutionConfig().jobResource(Received.class, received);
  }

  /** A key hash whose key group belongs to subtask 1 of 2 (the default number of key groups). */
  static final class ToSubtaskOne implements Partitioning.KeyHash {
    private static final long serialVersionUID = 1L;
    private static final int HASH = findHash();

    private static int findHash() {
      KeyGroups groups = new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM);
      for (int h = 0; ; h++) {
        if (groups.subtaskOf(groups.ofHash(h), 2) == 1) {
          return h;
        }
      }
    }

    @Override
    public int of(Object record) {
      return HASH;
    }
  }

  /** Records are byte arrays, written as they are. */
  static final class RawBytes implements RecordSerializer {
    private static final long serialVersionUID = 1L;

    @Override
    public void write(Object record, OutputStream out) throws IOException {
      out.write((byte[]) record);
    }

    @Override
    public Object read(byte[] bytes, int offset, int length) {
      return Arrays.copyOfRange(bytes, offset, offset + length);
    }
  }

  /** Emits the records a page's worth at a time, each with its number in the first bytes. */
  static final class Bytes implements SourceOperator {
    private final long records;
    private final int recordBytes;
    private OperatorContext context;
    private long next;

    Bytes(long records, int recordBytes) {
      this.records = records;
      this.recordBytes = recordBytes;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public Status poll() throws Exception {
      long end = Math.min(records, next + 1024);
      for (; next < end; next++) {
        byte[] record = new byte[recordBytes];
        for (int b = 0; b < Math.min(8, recordBytes); b++) {
          record[b] = (byte) (next >>> (8 * b));
        }
        context.output().emit(0, record);
      }
      return next == records ? Status.DONE : Status.MORE;
    }
  }

  static final class Counting implements Operator {
    private Received received;

    @Override
    public void open(OperatorContext context) {
      received = context.jobResource(Received.class);
    }

    @Override
    public void process(int inputPort, Object record) {
      received.here.add(((byte[]) record).length);
    }
  }

  /** Records and bytes the consumers received: counted in place, or reported back from workers. */
  public static final class Received implements ReportingResource {
    private static final long serialVersionUID = 1L;
    /** Where the consumers run: records then bytes, by subtask (a record is counted with its bytes). */
    final Tally here = new Tally();
    /** At the client of a cluster job: each part's last report, by attempt and part. */
    private final Map<String, long[]> reports = new ConcurrentHashMap<>();

    @Override
    public Serializable report() {
      return new long[] {here.records.get(), here.bytes.get()};
    }

    @Override
    public void absorb(int attempt, String part, Serializable report) {
      reports.put(attempt + "/" + part, (long[]) report);
    }

    public long records() {
      return reports.isEmpty() ? here.records.get() : reports.values().stream().mapToLong(r -> r[0]).sum();
    }

    public long bytes() {
      return reports.isEmpty() ? here.bytes.get() : reports.values().stream().mapToLong(r -> r[1]).sum();
    }
  }

  static final class Tally implements Serializable {
    private static final long serialVersionUID = 1L;
    final AtomicLong records = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();

    void add(int length) {
      records.incrementAndGet();
      bytes.addAndGet(length);
    }
  }
}
