package io.sluice.execution.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.RegisterWorker;
import io.sluice.execution.net.Connection;
import io.sluice.execution.net.NetClient;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.PeerRole;
import io.sluice.execution.net.SharedSecret;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CoordinatorTest {

  private static final NetConfig NET = new NetConfig(SharedSecret.ofText("coordinator-test-secret"))
      .handshakeTimeout(Duration.ofSeconds(5));
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration TIMEOUT = Duration.ofMillis(1000);

  /** "joined id" and "lost id: reason", as the registry tells them. */
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private Coordinator coordinator;

  @BeforeEach
  void start() throws IOException {
    coordinator = Coordinator.start(NET, 0, INTERVAL, TIMEOUT, new WorkerRegistry.Listener() {
      @Override
      public void joined(WorkerInfo worker) {
        events.add("joined " + worker.id());
      }

      @Override
      public void lost(WorkerInfo worker, String reason) {
        events.add("lost " + worker.id() + ": " + reason);
      }
    });
  }

  @AfterEach
  void stop() {
    coordinator.close();
  }

  private static RegisterWorker registration(String id) {
    return RegisterWorker.newBuilder().setWorkerId(id).setSlots(2).setDataHost("127.0.0.1").setDataPort(4000).build();
  }

  private String next() throws InterruptedException {
    String event = events.poll(10, TimeUnit.SECONDS);
    if (event == null) {
      throw new AssertionError("no registry event within 10 s");
    }
    return event;
  }

  @Test
  void workersThatHeartbeatStayAndAWorkerThatClosesIsLostAtOnce() throws Exception {
    try (WorkerAgent a = WorkerAgent.start(NET, coordinator.address(), registration("a"));
        WorkerAgent b = WorkerAgent.start(NET, coordinator.address(), registration("b"))) {
      assertEquals("joined a", next());
      assertEquals("joined b", next());
      Thread.sleep(3 * TIMEOUT.toMillis());
      assertEquals(null, events.poll(), "heartbeating workers are not lost");
      assertEquals(List.of("a", "b"), coordinator.workers().stream().map(WorkerInfo::id).toList());
      long start = System.nanoTime();
      a.close();
      assertEquals("lost a: its connection closed", next());
      assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(TIMEOUT.toMillis()),
          "a closed connection is noticed at once, not at the heartbeat timeout");
      assertEquals(List.of("b"), coordinator.workers().stream().map(WorkerInfo::id).toList());
      assertTrue(b.isConnected());
    }
  }

  @Test
  void aWorkerThatFallsSilentIsLostWithinTheTimeout() throws Exception {
    try (NetClient client = new NetClient(NET)) {
      // Registers, then never sends a heartbeat, its connection open.
      Connection silent = client.connect(coordinator.address(), PeerRole.WORKER, c -> (conn, message) -> { });
      ControlMessages.send(silent, ControlMessage.newBuilder().setRegisterWorker(registration("quiet")).build());
      long start = System.nanoTime();
      assertEquals("joined quiet", next());
      String lost = next();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(lost.startsWith("lost quiet: no heartbeat for "), lost);
      assertTrue(millis >= TIMEOUT.toMillis() - 100 && millis < 2 * TIMEOUT.toMillis(), millis + " ms");
      assertTrue(silent.closeFuture().await(5, TimeUnit.SECONDS), "the coordinator closes a lost worker's connection");
    }
  }

  @Test
  void aWorkerIdInUseOrAMessageOutOfOrderIsRefused() throws Exception {
    try (WorkerAgent a = WorkerAgent.start(NET, coordinator.address(), registration("a"))) {
      assertEquals("joined a", next());
      IOException taken = assertThrows(IOException.class,
          () -> WorkerAgent.start(NET, coordinator.address(), registration("a")));
      assertTrue(taken.getMessage().contains("could not register"), taken.getMessage());
      try (NetClient client = new NetClient(NET)) {
        Connection early = client.connect(coordinator.address(), PeerRole.WORKER, c -> (conn, message) -> { });
        ControlMessages.send(early, ControlMessage.newBuilder()
            .setHeartbeat(io.sluice.execution.cluster.proto.Heartbeat.newBuilder().setSequence(1)).build());
        assertTrue(early.closeFuture().await(5, TimeUnit.SECONDS), "a heartbeat before registering");
        Connection garbage = client.connect(coordinator.address(), PeerRole.WORKER, c -> (conn, message) -> { });
        garbage.send(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 0x01, 0x02}));
        assertTrue(garbage.closeFuture().await(5, TimeUnit.SECONDS), "a malformed control message");
      }
      assertEquals(null, events.poll(200, TimeUnit.MILLISECONDS));
      assertTrue(a.isConnected(), "the live worker is unaffected");
    }
  }

  @Test
  void thePeerRoleIsNotServedOnTheCoordinatorPort() {
    try (NetClient client = new NetClient(NET)) {
      assertThrows(IOException.class, () -> client.connect(coordinator.address(), PeerRole.PEER, c -> (conn, m) -> { }));
    }
  }
}
