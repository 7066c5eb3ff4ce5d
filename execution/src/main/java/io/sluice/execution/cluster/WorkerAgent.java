package io.sluice.execution.cluster;

import io.netty.buffer.ByteBuf;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.Heartbeat;
import io.sluice.execution.cluster.proto.RegisterWorker;
import io.sluice.execution.cluster.proto.WorkerRegistered;
import io.sluice.execution.net.Connection;
import io.sluice.execution.runtime.DaemonThreads;
import io.sluice.execution.net.MessageHandler;
import io.sluice.execution.net.NetClient;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.PeerRole;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's membership of a cluster: registers with the coordinator and sends heartbeats at the
 * interval the coordinator asks for, as long as it is open; hands every later message of the
 * coordinator to the worker, on the connection's event loop.
 */
public final class WorkerAgent implements AutoCloseable, MessageHandler {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerAgent.class);

  private final NetClient client;
  private final ScheduledExecutorService heartbeats;
  /** Completed by the coordinator's answer to the registration. */
  private final CompletableFuture<WorkerRegistered> registered = new CompletableFuture<>();
  /** The coordinator's messages after the registration's answer. */
  private final Orders orders;
  private Connection connection;
  /** Heartbeats sent: derived, for the agent's life. Heartbeat thread only. */
  private long sequence;

  /** What the worker does with a message of the coordinator. */
  interface Orders {
    void handle(ControlMessage message) throws IOException;

    void coordinatorLost();
  }

  private WorkerAgent(NetClient client, ScheduledExecutorService heartbeats, Orders orders) {
    this.client = client;
    this.heartbeats = heartbeats;
    this.orders = orders;
  }

  /** Registers, waiting at most the handshake timeout for the coordinator's answer. */
  public static WorkerAgent start(NetConfig net, InetSocketAddress coordinator, RegisterWorker registration)
      throws IOException, InterruptedException {
    return start(net, coordinator, registration, new Orders() {
      @Override
      public void handle(ControlMessage message) throws IOException {
        throw new IOException("this worker takes no " + message.getKindCase());
      }

      @Override
      public void coordinatorLost() {}
    });
  }

  static WorkerAgent start(NetConfig net, InetSocketAddress coordinator, RegisterWorker registration,
      Orders orders) throws IOException, InterruptedException {
    ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("sluice-worker-heartbeat"));
    WorkerAgent agent = new WorkerAgent(new NetClient(net), heartbeats, orders);
    try {
      agent.connection = agent.client.connect(coordinator, PeerRole.WORKER, c -> agent);
      ControlMessages.send(agent.connection, ControlMessage.newBuilder().setRegisterWorker(registration).build());
      WorkerRegistered answer = agent.registered.get(net.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      long interval = Math.max(1, answer.getHeartbeatIntervalMillis());
      heartbeats.scheduleAtFixedRate(agent::beat, interval, interval, TimeUnit.MILLISECONDS);
      LOG.info("Worker {} registered with coordinator {} at {}", registration.getWorkerId(),
          answer.getCoordinatorId(), coordinator);
      return agent;
    } catch (ExecutionException | TimeoutException | IOException e) {
      agent.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IOException("worker " + registration.getWorkerId() + " could not register with " + coordinator
          + ": " + cause.getMessage(), cause);
    }
  }

  /** Sends a message to the coordinator. */
  void send(ControlMessage message) {
    ControlMessages.send(connection, message);
  }

  Connection connection() {
    return connection;
  }

  private void beat() {
    ControlMessages.send(connection, ControlMessage.newBuilder()
        .setHeartbeat(Heartbeat.newBuilder().setSequence(++sequence)).build());
  }

  @Override
  public void onMessage(Connection from, ByteBuf bytes) throws IOException {
    ControlMessage message = ControlMessages.read(bytes);
    if (!registered.isDone()) {
      if (message.getKindCase() != ControlMessage.KindCase.WORKER_REGISTERED) {
        throw new IOException("the coordinator sent " + message.getKindCase() + " before registering the worker");
      }
      registered.complete(message.getWorkerRegistered());
      return;
    }
    orders.handle(message);
  }

  @Override
  public void onClosed(Connection closed) {
    registered.completeExceptionally(new IOException("the coordinator closed the connection"));
    if (!heartbeats.isShutdown()) {
      LOG.warn("Lost the connection to the coordinator at {}", closed.remoteAddress());
      orders.coordinatorLost();
    }
  }

  /** Whether the connection to the coordinator is up. */
  public boolean isConnected() {
    return connection != null && connection.isOpen();
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    if (connection != null) {
      connection.close();
    }
    client.close();
  }
}
