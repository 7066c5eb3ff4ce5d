package io.sluice.execution.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.SharedSecret;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobCancelledException;
import io.sluice.execution.runtime.JobHandle;
import io.sluice.execution.runtime.ReportingResource;
import io.sluice.execution.runtime.SynchronizedProcessingTimeTest;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on a coordinator and two workers in this JVM, talking over loopback as separate processes
 * would: every record between the two workers crosses a connection. What each consumer subtask
 * received comes back to the client through a {@link ReportingResource}, as Beam's metrics do.
 */
class ClusterJobTest {

  private static final NetConfig NET = new NetConfig(SharedSecret.ofText("cluster-job-test-secret"))
      .handshakeTimeout(Duration.ofSeconds(5));
  static final int PER_SOURCE = 20_000;

  @TempDir
  Path dir;
  private Coordinator coordinator;
  private final List<Worker> workers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    coordinator = Coordinator.start(new Coordinator.Settings(NET, 0, Duration.ofMillis(100), Duration.ofMillis(1000),
        Duration.ofSeconds(5), dir.resolve("coordinator"), "127.0.0.1", 0));
    for (int i = 0; i < 2; i++) {
      workers.add(startWorker("worker-" + i, 2));
    }
  }

  private Worker startWorker(String id, int slots) throws Exception {
    return Worker.start(new Worker.Settings(id, slots, coordinator.address(), NET, 0, null, dir.resolve(id),
        Duration.ofSeconds(5), Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() {
    workers.forEach(Worker::close);
    coordinator.close();
  }

  /** What consumers received: the sum and count of values by consumer subtask and by worker. */
  static final class Received implements ReportingResource {
    private static final long serialVersionUID = 1L;
    /** This copy's sums, by subtask: a worker's, gathered by its subtasks. */
    final Map<Integer, long[]> bySubtask = new ConcurrentHashMap<>();
    /** At the client: the latest report of each part, by attempt. */
    final Map<Integer, Map<String, Map<Integer, long[]>>> reports = new ConcurrentHashMap<>();

    @Override
    public Serializable report() {
      TreeMap<Integer, long[]> copy = new TreeMap<>();
      bySubtask.forEach((k, v) -> copy.put(k, v.clone()));
      return copy;
    }

    @SuppressWarnings("unchecked")
    @Override
    public void absorb(int attempt, String part, Serializable report) {
      reports.computeIfAbsent(attempt, a -> new ConcurrentHashMap<>()).put(part, (Map<Integer, long[]>) report);
    }

    /** Sum and count over the last attempt's parts. */
    long[] total() {
      int last = reports.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
      long[] t = new long[2];
      reports.get(last).values().forEach(m -> m.values().forEach(v -> {
        t[0] += v[0];
        t[1] += v[1];
      }));
      return t;
    }
  }

  /** Emits 0 .. PER_SOURCE - 1 (failing on the way if told to), then watermark PER_SOURCE. */
  static final class Numbers implements Operator, Serializable {
    private final int failAt;
    private transient OperatorContext context;

    Numbers(int failAt) {
      this.failAt = failAt;
    }

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int inputPort, Object record) {
      throw new AssertionError("a source has no input");
    }

    @Override
    public void complete() throws Exception {
      for (int i = 0; i < PER_SOURCE; i++) {
        if (i == failAt && context.subtaskIndex() == 1) {
          throw new IllegalStateException("number " + i + " is refused");
        }
        context.output().emit(0, (long) i);
      }
      context.output().emitWatermark(PER_SOURCE);
    }
  }

  static final class Summing implements Operator, Serializable {
    private transient long[] sum;

    @Override
    public void open(OperatorContext context) {
      sum = context.jobResource(Received.class).bySubtask.computeIfAbsent(context.subtaskIndex(), s -> new long[2]);
    }

    @Override
    public void process(int inputPort, Object record) {
      sum[0] += (Long) record;
      sum[1]++;
    }
  }

  private static JobGraph graph(String name, int failAt) {
    JobGraph graph = new JobGraph(name);
    Vertex source = graph.addVertex("numbers", 2);
    OperatorNode numbers = source.add("numbers", (io.sluice.execution.operator.OperatorFactory) s -> new Numbers(failAt));
    Vertex sink = graph.addVertex("sum", 2);
    OperatorNode sum = sink.add("sum", (io.sluice.execution.operator.OperatorFactory) s -> new Summing());
    graph.connect(numbers, 0, sum, 0, Partitioning.roundRobin());
    return graph;
  }

  private static ExecutionConfig config(Received received) {
    return new ExecutionConfig().jobResource(Received.class, received);
  }

  @Test
  void aJobRunsAcrossTwoWorkersAndItsReportsComeBack() throws Exception {
    Received received = new Received();
    JobHandle job = ClusterClient.submit(NET, coordinator.address(), graph("spread", -1), config(received), List.of());
    job.completion().get(60, TimeUnit.SECONDS);
    long n = PER_SOURCE;
    assertEquals(2 * n, received.total()[1]);
    assertEquals(2 * (n * (n - 1) / 2), received.total()[0]);
    assertEquals(Map.of(1, 2), Map.of(1, received.reports.get(1).size()), "both workers ran a part");
    String jobs = get("/jobs");
    assertTrue(jobs.contains("\"name\":\"spread\"") && jobs.contains("\"state\":\"FINISHED\""), jobs);
    assertTrue(jobs.contains("\"worker-0\":\"PART_FINISHED\"") && jobs.contains("\"worker-1\":\"PART_FINISHED\""),
        jobs);
    assertTrue(jobs.contains("\"recordsIn\":" + PER_SOURCE), "each sum subtask received its half: " + jobs);
    assertTrue(jobs.contains("\"recordsOut\":" + PER_SOURCE), "each numbers subtask sent its numbers: " + jobs);
    assertTrue(jobs.contains("\"outputWatermark\":" + PER_SOURCE), "the sources' last watermark: " + jobs);
    assertTrue(jobs.contains("\"inputWatermark\":" + PER_SOURCE), "the sums saw it: " + jobs);
    assertTrue(jobs.contains("\"backpressure\":"), jobs);
    String workerList = get("/workers");
    assertTrue(workerList.contains("\"id\":\"worker-0\"") && workerList.contains("\"slots\":2"), workerList);
  }

  /** The coordinator's status page at {@code path}. */
  private String get(String path) throws Exception {
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
            + coordinator.statusAddress().getPort() + path)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  /**
   * Synchronized processing time holds back while a feeder on the other worker still works on what
   * it received, though the feeder's gate cannot be looked at from here: it marks in band when it
   * was settled.
   */
  @Test
  void synchronizedProcessingTimeWaitsForAFeederOnAnotherWorker() throws Exception {
    SynchronizedProcessingTimeTest.SEEN.clear();
    JobHandle job = ClusterClient.submit(NET, coordinator.address(), SynchronizedProcessingTimeTest.graph(),
        new ExecutionConfig(), List.of());
    job.completion().get(60, TimeUnit.SECONDS);
    assertEquals(SynchronizedProcessingTimeTest.EXPECTED, SynchronizedProcessingTimeTest.SEEN);
  }

  @Test
  void aFailingSubtaskFailsTheJobWithItsException() throws Exception {
    JobHandle job = ClusterClient.submit(NET, coordinator.address(), graph("failing", 5), config(new Received()),
        List.of());
    ExecutionException e = assertThrows(ExecutionException.class, () -> job.completion().get(60, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
    assertEquals("number 5 is refused", e.getCause().getMessage());
  }

  @Test
  void aJobTooWideForTheClusterIsRefusedSayingWhy() throws Exception {
    JobGraph graph = new JobGraph("wide");
    graph.addVertex("numbers", 5).add("numbers", (io.sluice.execution.operator.OperatorFactory) s -> new Numbers(-1));
    JobHandle job = ClusterClient.submit(NET, coordinator.address(), graph, config(new Received()), List.of());
    ExecutionException e = assertThrows(ExecutionException.class, () -> job.completion().get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("needs 5 slots"), e.getCause().getMessage());
    assertTrue(e.getCause().getMessage().contains("have 4"), e.getCause().getMessage());
  }

  /** Never ends by itself. */
  static final class Endless implements Operator, Serializable {
    @Override
    public void open(OperatorContext context) {}

    @Override
    public void process(int inputPort, Object record) {}

    @Override
    public void complete() throws Exception {
      while (true) {
        Thread.sleep(10);
      }
    }
  }

  @Test
  void aCancelledJobEndsCancelledOnEveryWorker() throws Exception {
    JobGraph graph = new JobGraph("endless");
    graph.addVertex("endless", 2).add("endless", (io.sluice.execution.operator.OperatorFactory) s -> new Endless());
    JobHandle job = ClusterClient.submit(NET, coordinator.address(), graph, config(new Received()), List.of());
    Thread.sleep(500);
    job.cancel();
    // Completed with a cancellation, which get() throws as itself.
    assertThrows(JobCancelledException.class, () -> job.completion().get(30, TimeUnit.SECONDS));
  }

  @Test
  void aLostWorkersJobRestartsOnTheWorkersThatRemain() throws Exception {
    JobGraph graph = slowGraph("survivor");
    Received received = new Received();
    JobHandle job = ClusterClient.submit(NET, coordinator.address(), graph,
        config(received).restartAttempts(1).restartDelayMillis(10), List.of());
    Thread.sleep(700);
    workers.remove(1).close();
    job.completion().get(60, TimeUnit.SECONDS);
    long n = SlowNumbers.COUNT;
    assertEquals(2 * n, received.total()[1], "the second attempt's output, whole");
    assertEquals(2 * (n * (n - 1) / 2), received.total()[0]);
    assertTrue(received.reports.containsKey(2), "a second attempt ran");
  }

  /** Two slow sources, round robin into two sums. */
  private static JobGraph slowGraph(String name) {
    JobGraph graph = new JobGraph(name);
    Vertex source = graph.addVertex("numbers", 2);
    OperatorNode numbers = source.add("numbers", (io.sluice.execution.operator.OperatorFactory) s -> new SlowNumbers());
    Vertex sink = graph.addVertex("sum", 2);
    OperatorNode sum = sink.add("sum", (io.sluice.execution.operator.OperatorFactory) s -> new Summing());
    graph.connect(numbers, 0, sum, 0, Partitioning.roundRobin());
    return graph;
  }

  /** Emits 0 .. COUNT - 1 over about two seconds. */
  static final class SlowNumbers implements Operator, Serializable {
    static final int COUNT = 2000;
    private transient OperatorContext context;

    @Override
    public void open(OperatorContext context) {
      this.context = context;
    }

    @Override
    public void process(int inputPort, Object record) {}

    @Override
    public void complete() throws Exception {
      for (int i = 0; i < COUNT; i++) {
        if (i % 10 == 0) {
          Thread.sleep(10);
        }
        context.output().emit(0, (long) i);
      }
    }
  }

  /** True if the server closes a raw connection within 5 s, after reading what it sent. */
  private static boolean closedBy(java.net.Socket socket) throws IOException {
    socket.setSoTimeout(5000);
    try {
      while (socket.getInputStream().read() >= 0) {
        // The handshake's challenge, and nothing after it.
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * A wrong secret (client, worker, peer), garbage, an oversized frame and a malformed message, on
   * the coordinator's port and on a worker's data port, while a job runs: each is refused and
   * closed, nothing else is touched, and the job finishes with its whole result.
   */
  @Test
  void badPeersOnEveryPortAreRefusedWhileAJobRunsOn() throws Exception {
    JobGraph graph = slowGraph("undisturbed");
    Received received = new Received();
    JobHandle job = ClusterClient.submit(NET, coordinator.address(), graph, config(received), List.of());
    NetConfig wrong = new NetConfig(SharedSecret.ofText("not-the-cluster-secret")).handshakeTimeout(Duration.ofSeconds(2));
    java.net.InetSocketAddress[] ports = {coordinator.address(), workers.get(0).dataAddress()};
    io.sluice.execution.net.PeerRole[] roles = {io.sluice.execution.net.PeerRole.CLIENT,
        io.sluice.execution.net.PeerRole.WORKER, io.sluice.execution.net.PeerRole.PEER};
    try (io.sluice.execution.net.NetClient impostor = new io.sluice.execution.net.NetClient(wrong);
        io.sluice.execution.net.NetClient member = new io.sluice.execution.net.NetClient(NET)) {
      for (java.net.InetSocketAddress port : ports) {
        for (io.sluice.execution.net.PeerRole role : roles) {
          assertThrows(IOException.class, () -> impostor.connect(port, role, c -> (conn, m) -> { }),
              "a wrong secret as " + role + " at " + port);
        }
        try (java.net.Socket garbage = new java.net.Socket(port.getAddress(), port.getPort())) {
          garbage.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          assertTrue(closedBy(garbage), "garbage at " + port);
        }
        try (java.net.Socket huge = new java.net.Socket(port.getAddress(), port.getPort())) {
          new java.io.DataOutputStream(huge.getOutputStream()).writeInt(100 << 20);
          assertTrue(closedBy(huge), "an oversized frame at " + port);
        }
      }
      // Members that know the secret and then break the protocol: a malformed control message to
      // the coordinator, a peer that does not say who it is to a worker.
      io.sluice.execution.net.Connection client = member.connect(coordinator.address(),
          io.sluice.execution.net.PeerRole.CLIENT, c -> (conn, m) -> { });
      client.send(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 0x01, 0x02}));
      assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS), "a malformed message from a client");
      io.sluice.execution.net.Connection peer = member.connect(workers.get(0).dataAddress(),
          io.sluice.execution.net.PeerRole.PEER, c -> (conn, m) -> { });
      peer.send(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 7}));
      assertTrue(peer.closeFuture().await(5, TimeUnit.SECONDS), "a peer that sends frames before saying who it is");
    }
    job.completion().get(60, TimeUnit.SECONDS);
    long n = SlowNumbers.COUNT;
    assertEquals(2 * n, received.total()[1], "the job's whole result");
    assertEquals(2 * (n * (n - 1) / 2), received.total()[0]);
    assertEquals(1, received.reports.size(), "one attempt: nothing made it restart");
    assertTrue(workers.stream().allMatch(Worker::isConnected), "both workers still in the cluster");
    assertEquals(2, coordinator.workers().size());
  }

  @Test
  void blobsAreKeptOnlyWhenWholeAndRight() throws Exception {
    BlobStore store = new BlobStore(dir.resolve("blobs"));
    byte[] bytes = "some bytes".getBytes();
    String hash = store.put(bytes);
    assertTrue(store.has(hash));
    BlobStore other = new BlobStore(dir.resolve("other"));
    IOException wrong = assertThrows(IOException.class, () -> other.accept(
        io.sluice.execution.cluster.proto.BlobChunk.newBuilder().setSha256(hash)
            .setData(com.google.protobuf.ByteString.copyFromUtf8("other bytes")).setLast(true).build()));
    assertTrue(wrong.getMessage().contains("hash to"), wrong.getMessage());
    assertTrue(!other.has(hash));
    assertThrows(IOException.class, () -> other.accept(io.sluice.execution.cluster.proto.BlobChunk.newBuilder()
        .setSha256(hash).setOffset(5).setData(com.google.protobuf.ByteString.copyFromUtf8("x")).build()));
    assertTrue(!other.has("../../etc/passwd"));
    assertTrue(Files.exists(store.path(hash)));
  }
}
