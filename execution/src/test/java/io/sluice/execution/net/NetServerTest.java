package io.sluice.execution.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetServerTest {

  private static final SharedSecret SECRET = SharedSecret.ofText("the-cluster-secret-of-this-test");
  private static final SharedSecret OTHER = SharedSecret.ofText("another-cluster-secret-entirely");

  private NetServer server;
  private final NetClient client = new NetClient(config(SECRET));

  private static NetConfig config(SharedSecret secret) {
    return new NetConfig(secret).maxFrameBytes(4096).handshakeTimeout(Duration.ofMillis(2000));
  }

  /** Answers every message with the same bytes. */
  private static final MessageHandler ECHO = (connection, message) -> connection.send(message.retainedDuplicate());

  private void startEcho(Set<PeerRole> roles) throws IOException {
    server = NetServer.start(config(SECRET), 0, roles, connection -> ECHO);
  }

  @AfterEach
  void close() {
    client.close();
    if (server != null) {
      server.close();
    }
  }

  /** Sends {@code text} on a fresh authenticated connection and returns what comes back. */
  private String roundTrip(NetClient from, PeerRole role, String text) throws Exception {
    CompletableFuture<String> reply = new CompletableFuture<>();
    Connection c = from.connect(server.address(), role,
        connection -> (conn, message) -> reply.complete(message.toString(StandardCharsets.UTF_8)));
    try {
      c.send(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
      return reply.get(5, TimeUnit.SECONDS);
    } finally {
      c.close();
    }
  }

  /** True if the server closes a raw connection within the time given, after reading what it sent. */
  private static boolean closedBy(Socket socket, int millis) throws IOException {
    socket.setSoTimeout(millis);
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // The challenge, and nothing after it.
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }

  @Test
  void anAuthenticatedClientExchangesMessages() throws Exception {
    startEcho(EnumSet.of(PeerRole.CLIENT));
    assertEquals("hello", roundTrip(client, PeerRole.CLIENT, "hello"));
    assertEquals("127.0.0.1", server.address().getAddress().getHostAddress(), "loopback unless told otherwise");
  }

  @Test
  void aClientWithAWrongSecretIsRefusedAndTheServerGoesOn() throws Exception {
    startEcho(EnumSet.of(PeerRole.CLIENT));
    try (NetClient wrong = new NetClient(config(OTHER))) {
      IOException e = assertThrows(IOException.class, () -> wrong.connect(server.address(), PeerRole.CLIENT, c -> ECHO));
      assertTrue(e.getMessage().contains("secret"), e.getMessage());
    }
    assertEquals("still here", roundTrip(client, PeerRole.CLIENT, "still here"));
  }

  @Test
  void aRoleTheServerDoesNotServeIsRefused() throws Exception {
    startEcho(EnumSet.of(PeerRole.WORKER));
    assertThrows(IOException.class, () -> client.connect(server.address(), PeerRole.CLIENT, c -> ECHO));
    assertEquals("worker", roundTrip(client, PeerRole.WORKER, "worker"));
  }

  @Test
  void aServerThatDoesNotKnowTheSecretIsRefusedByTheClient() throws Exception {
    // A fake server: a well-formed challenge, then an accept with a proof it cannot have made.
    try (ServerSocket fake = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (Socket s = fake.accept()) {
          DataOutputStream out = new DataOutputStream(s.getOutputStream());
          byte[] challenge = Handshake.challenge(Handshake.nonce());
          out.writeInt(challenge.length);
          out.write(challenge);
          DataInputStream in = new DataInputStream(s.getInputStream());
          in.readFully(new byte[in.readInt()]);
          byte[] forged = Handshake.accept(OTHER, Handshake.nonce(), Handshake.nonce());
          out.writeInt(forged.length);
          out.write(forged);
          out.flush();
          in.read();
        } catch (IOException e) {
          // The client hung up, as it should.
        }
      });
      IOException e = assertThrows(IOException.class, () -> client.connect(
          (InetSocketAddress) fake.getLocalSocketAddress(), PeerRole.WORKER, c -> ECHO));
      assertTrue(e.getMessage().contains("does not know the cluster secret"), e.getMessage());
      served.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void garbageAndOversizedFramesCloseOnlyTheirConnection() throws Exception {
    startEcho(EnumSet.of(PeerRole.CLIENT));
    CompletableFuture<String> reply = new CompletableFuture<>();
    Connection good = client.connect(server.address(), PeerRole.CLIENT,
        connection -> (conn, message) -> reply.complete(message.toString(StandardCharsets.UTF_8)));

    try (Socket http = new Socket(server.address().getAddress(), server.address().getPort())) {
      http.getOutputStream().write("GET / HTTP/1.1\r\nHost: sluice\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(closedBy(http, 5000), "garbage closes the connection");
    }
    try (Socket huge = new Socket(server.address().getAddress(), server.address().getPort())) {
      // Announces a 100 MB handshake message: refused before a byte of it is buffered.
      new DataOutputStream(huge.getOutputStream()).writeInt(100 << 20);
      assertTrue(closedBy(huge, 5000), "an oversized handshake frame closes the connection");
    }
    // An authenticated peer's frame above the limit closes its connection too.
    Connection big = client.connect(server.address(), PeerRole.CLIENT, c -> ECHO);
    big.send(Unpooled.wrappedBuffer(new byte[5000]));
    assertTrue(big.closeFuture().await(5, TimeUnit.SECONDS), "an oversized frame closes the connection");

    good.send(Unpooled.copiedBuffer("unaffected", StandardCharsets.UTF_8));
    assertEquals("unaffected", reply.get(5, TimeUnit.SECONDS));
    good.close();
  }

  @Test
  void aMessageItsHandlerCannotTakeClosesTheConnection() throws Exception {
    server = NetServer.start(config(SECRET), 0, EnumSet.of(PeerRole.PEER), connection -> (conn, message) -> {
      if (message.readableBytes() > 0 && message.getByte(message.readerIndex()) == 'x') {
        throw new IOException("malformed: " + ByteBufUtil.hexDump(message));
      }
      conn.send(message.retainedDuplicate());
    });
    Connection c = client.connect(server.address(), PeerRole.PEER, conn -> ECHO);
    c.send(Unpooled.copiedBuffer("xyz", StandardCharsets.UTF_8));
    assertTrue(c.closeFuture().await(5, TimeUnit.SECONDS));
    assertEquals("fine", roundTrip(client, PeerRole.PEER, "fine"));
  }

  @Test
  void aSilentPeerIsClosedAfterTheHandshakeTimeout() throws Exception {
    server = NetServer.start(new NetConfig(SECRET).handshakeTimeout(Duration.ofMillis(300)), 0,
        EnumSet.of(PeerRole.CLIENT), connection -> ECHO);
    try (Socket silent = new Socket(server.address().getAddress(), server.address().getPort())) {
      long start = System.nanoTime();
      assertTrue(closedBy(silent, 10_000), "a silent peer is closed");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= 250, "closed after the timeout, not before: " + millis + " ms");
    }
  }

  @Test
  void closingTheServerClosesItsConnections() throws Exception {
    startEcho(EnumSet.of(PeerRole.CLIENT));
    Connection c = client.connect(server.address(), PeerRole.CLIENT, conn -> ECHO);
    server.close();
    server = null;
    assertTrue(c.closeFuture().await(10, TimeUnit.SECONDS));
  }
}
