package io.sluice.execution.cluster;

import io.netty.buffer.ByteBuf;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.PeerHello;
import io.sluice.execution.net.ChannelMux;
import io.sluice.execution.net.Connection;
import io.sluice.execution.net.MessageHandler;
import io.sluice.execution.net.NetClient;
import io.sluice.execution.net.NetConfig;
import io.sluice.execution.net.NetServer;
import io.sluice.execution.net.PeerRole;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's connections to the other workers: one per pair, carrying every channel between them
 * ({@link ChannelMux}). Of two workers, the one whose id sorts first dials, and says who it is in
 * its first message; the other waits for it. A link that closes is forgotten (the next attempt
 * dials again) and reported, for the parts that used it have lost their channels.
 */
final class PeerLinks implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeerLinks.class);

  private final String selfId;
  private final NetServer server;
  private final NetClient client;
  private final Consumer<String> lost;
  /** The connections' message limit, which a frame's pieces keep to. */
  private final int maxMessageBytes;
  /** The link to each peer, once asked for or dialled in: derived, while its connection lives. */
  private final Map<String, CompletableFuture<ChannelMux>> links = new ConcurrentHashMap<>();
  /** Peers this worker is dialling or has dialled: derived, while the link lives. */
  private final Map<String, Boolean> dialled = new ConcurrentHashMap<>();

  private PeerLinks(String selfId, NetServer server, NetClient client, Consumer<String> lost, int maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
    this.selfId = selfId;
    this.server = server;
    this.client = client;
    this.lost = lost;
  }

  /** Listens for peers on {@code port} (0: any free one). */
  static PeerLinks start(NetConfig net, String selfId, int port, Consumer<String> lost) throws IOException {
    PeerLinks[] self = new PeerLinks[1];
    NetServer server = NetServer.start(net, port, EnumSet.of(PeerRole.PEER), c -> self[0].new Incoming());
    self[0] = new PeerLinks(selfId, server, new NetClient(net), lost, net.maxFrameBytes());
    return self[0];
  }

  InetSocketAddress address() {
    return server.address();
  }

  /** The link to {@code peer}, dialled or awaited for at most {@code timeoutMillis}. */
  ChannelMux link(String peer, InetSocketAddress address, long timeoutMillis) throws IOException, InterruptedException {
    if (peer.equals(selfId)) {
      throw new IllegalArgumentException("a worker has no link to itself");
    }
    CompletableFuture<ChannelMux> future = links.computeIfAbsent(peer, p -> new CompletableFuture<>());
    if (selfId.compareTo(peer) < 0 && dialled.putIfAbsent(peer, Boolean.TRUE) == null) {
      try {
        ChannelMux mux = new ChannelMux(maxMessageBytes);
        Connection c = client.connect(address, PeerRole.PEER, conn -> new Outgoing(peer, mux));
        mux.attach(c);
        ControlMessages.send(c, ControlMessage.newBuilder().setPeerHello(PeerHello.newBuilder().setWorkerId(selfId))
            .build());
        future.complete(mux);
        LOG.info("Worker {} linked to worker {} at {}", selfId, peer, address);
      } catch (IOException e) {
        dialled.remove(peer);
        links.remove(peer, future);
        future.completeExceptionally(e);
        throw new IOException("worker " + selfId + " cannot reach worker " + peer + " at " + address + ": "
            + e.getMessage(), e);
      }
    }
    try {
      return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("no link to worker " + peer + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("worker " + peer + " did not link to worker " + selfId + " within " + timeoutMillis + " ms");
    }
  }

  private void closed(String peer, ChannelMux mux) {
    CompletableFuture<ChannelMux> f = links.get(peer);
    if (f != null && f.isDone() && !f.isCompletedExceptionally() && f.getNow(null) == mux) {
      links.remove(peer, f);
      dialled.remove(peer);
      LOG.warn("Worker {} lost its link to worker {}", selfId, peer);
      lost.accept(peer);
    }
  }

  /** A link this worker dialled: the mux from the start. */
  private final class Outgoing implements MessageHandler {
    private final String peer;
    private final ChannelMux mux;

    Outgoing(String peer, ChannelMux mux) {
      this.peer = peer;
      this.mux = mux;
    }

    @Override
    public void onMessage(Connection connection, ByteBuf message) throws Exception {
      mux.onMessage(connection, message);
    }

    @Override
    public void onClosed(Connection connection) {
      mux.onClosed(connection);
      closed(peer, mux);
    }
  }

  /** A link a peer dialled: it says who it is first, then the mux takes over. */
  private final class Incoming implements MessageHandler {
    /** Set by the hello: derived, for the connection's life. Event loop only. */
    private String peer;
    private ChannelMux mux;

    @Override
    public void onMessage(Connection connection, ByteBuf message) throws Exception {
      if (mux != null) {
        mux.onMessage(connection, message);
        return;
      }
      ControlMessage hello = ControlMessages.read(message);
      if (hello.getKindCase() != ControlMessage.KindCase.PEER_HELLO || hello.getPeerHello().getWorkerId().isEmpty()) {
        throw new IOException("a peer's first message must say who it is, not " + hello.getKindCase());
      }
      String who = hello.getPeerHello().getWorkerId();
      if (who.compareTo(selfId) >= 0) {
        throw new IOException("worker " + who + " dialled worker " + selfId + ", which dials it");
      }
      ChannelMux fresh = new ChannelMux(maxMessageBytes);
      fresh.attach(connection);
      CompletableFuture<ChannelMux> future = links.computeIfAbsent(who, p -> new CompletableFuture<>());
      if (!future.complete(fresh)) {
        ChannelMux existing = future.getNow(null);
        if (existing != null && existing.isOpen()) {
          throw new IOException("worker " + who + " has a link to worker " + selfId + " already");
        }
        // The previous link closed and a new one came before the close was seen: it replaces it.
        CompletableFuture<ChannelMux> replaced = CompletableFuture.completedFuture(fresh);
        links.put(who, replaced);
      }
      peer = who;
      mux = fresh;
      LOG.info("Worker {} linked from worker {} at {}", selfId, who, connection.remoteAddress());
    }

    @Override
    public void onClosed(Connection connection) {
      if (mux != null) {
        mux.onClosed(connection);
        closed(peer, mux);
      }
    }
  }

  @Override
  public void close() {
    server.close();
    client.close();
  }
}
