package io.sluice.execution.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.channel.ChannelReceiver;
import io.sluice.execution.channel.ChannelSender;
import io.sluice.execution.channel.Frame;
import io.sluice.execution.channel.InputGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChannelMuxTest {

  private static final SharedSecret SECRET = SharedSecret.ofText("the-cluster-secret-of-this-test");

  /** Messages this long at most: a frame longer than that travels in pieces. */
  private static final int MESSAGE_BYTES = 4096;

  private NetServer server;
  private NetClient client;
  /** The receiving process's side of the connection. */
  private ChannelMux receiving;
  /** The sending process's side. */
  private ChannelMux sending;
  private Connection connection;

  @BeforeEach
  void connect() throws Exception {
    NetConfig config = new NetConfig(SECRET).handshakeTimeout(Duration.ofSeconds(5));
    CompletableFuture<ChannelMux> accepted = new CompletableFuture<>();
    server = NetServer.start(config, 0, EnumSet.of(PeerRole.PEER), c -> {
      ChannelMux mux = new ChannelMux(MESSAGE_BYTES);
      mux.attach(c);
      accepted.complete(mux);
      return mux;
    });
    client = new NetClient(config);
    sending = new ChannelMux(MESSAGE_BYTES);
    connection = client.connect(server.address(), PeerRole.PEER, c -> {
      sending.attach(c);
      return sending;
    });
    receiving = accepted.get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    client.close();
    server.close();
  }

  private static Frame page(int n) {
    byte[] page = ("page " + n).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Frame.records(Arrays.copyOf(page, page.length + 3), page.length, n % 7 + 1);
  }

  private static String describe(Frame f) {
    return f.kind() == Frame.Kind.RECORDS
        ? "records " + f.count() + " " + new String(f.page(), 0, f.size(), java.nio.charset.StandardCharsets.UTF_8)
        : f.kind() + " " + (f.kind() == Frame.Kind.END ? "" : f.value());
  }

  /** Waits, bounded, for the next frame of a receiver. */
  private static Frame next(ChannelReceiver receiver) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Frame f = receiver.poll();
      if (f != null) {
        return f;
      }
      Thread.sleep(1);
    }
    throw new AssertionError("no frame within 10 s");
  }

  @Test
  void aFrameLongerThanAMessageCrossesInPiecesWhole() throws Exception {
    InputGate gate = new InputGate();
    ChannelReceiver receiver = receiving.receiver(5, gate, 4);
    gate.connect(receiver);
    ChannelSender sender = sending.sender(5);
    byte[] big = new byte[5 * MESSAGE_BYTES + 123];
    new java.util.Random(5).nextBytes(big);
    sender.send(Frame.records(big, big.length, 9));
    sender.send(page(3));
    Frame got = next(receiver);
    assertEquals(9, got.count());
    assertEquals(big.length, got.size());
    assertTrue(Arrays.equals(big, Arrays.copyOf(got.page(), got.size())), "the same bytes");
    assertEquals(describe(page(3)), describe(next(receiver)));
  }

  @Test
  void everyKindOfFrameCrossesInOrder() throws Exception {
    InputGate gate = new InputGate();
    ChannelReceiver receiver = receiving.receiver(7, gate, 8);
    gate.connect(receiver);
    ChannelSender sender = sending.sender(7);
    List<Frame> sent = List.of(page(1), Frame.watermark(42), Frame.processingTime(-5), page(2),
        Frame.barrier(3), Frame.records(new byte[0], 0, 0), Frame.end());
    CompletableFuture<Void> sends = CompletableFuture.runAsync(() -> {
      try {
        for (int round = 0; round < 20; round++) {
          for (Frame f : sent) {
            sender.send(f);
          }
        }
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    });
    for (int round = 0; round < 20; round++) {
      for (Frame want : sent) {
        Frame got = next(receiver);
        assertEquals(describe(want), describe(got));
      }
    }
    sends.get(10, TimeUnit.SECONDS);
    assertNull(receiver.poll());
    assertFalse(gate.isSettled(), "arrivals count as pending at the receiving gate until handled");
    gate.handled(20 * sent.size());
    assertTrue(gate.isSettled());
  }

  @Test
  void aChannelWhoseConsumerStopsBlocksOnlyItsOwnSender() throws Exception {
    InputGate held = new InputGate();
    ChannelReceiver heldBack = receiving.receiver(1, held, 4);
    held.connect(heldBack);
    InputGate flowing = new InputGate();
    ChannelReceiver flows = receiving.receiver(2, flowing, 4);
    flowing.connect(flows);
    ChannelSender blocked = sending.sender(1);
    ChannelSender free = sending.sender(2);

    CompletableFuture<Void> fills = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < 5; i++) {
          blocked.send(page(i));
        }
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    });
    // Four frames of credit: the fifth send waits for the consumer, which does not read.
    assertThrows(TimeoutException.class, () -> fills.get(500, TimeUnit.MILLISECONDS));
    assertFalse(blocked.hasRoom());

    CompletableFuture<Void> others = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < 2000; i++) {
          free.send(page(i));
        }
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    });
    for (int i = 0; i < 2000; i++) {
      assertEquals(describe(page(i)), describe(next(flows)));
    }
    others.get(10, TimeUnit.SECONDS);
    assertFalse(fills.isDone(), "the held-back channel's sender still waits");

    List<String> got = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      got.add(describe(next(heldBack)));
    }
    fills.get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 5; i++) {
      assertEquals(describe(page(i)), got.get(i));
    }
  }

  @Test
  void aFrameForAChannelNotReceivedHereClosesTheConnection() throws Exception {
    // Credit for channel 9 comes from nowhere: the sending side forges it, as a broken peer might.
    sending.onMessage(connection, connection.allocator().buffer().writeByte(ChannelMux.CREDIT).writeLong(9).writeInt(1));
    sending.sender(9).send(page(1));
    assertTrue(connection.closeFuture().await(5, TimeUnit.SECONDS));
  }

  @Test
  void aSenderWaitingForCreditFailsWhenTheConnectionIsLost() throws Exception {
    ChannelSender sender = sending.sender(3);
    CompletableFuture<Void> waits = CompletableFuture.runAsync(() -> {
      try {
        sender.send(page(1));
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    });
    assertThrows(TimeoutException.class, () -> waits.get(300, TimeUnit.MILLISECONDS));
    connection.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> waits.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("lost"), e.getCause().getMessage());
  }

  @Test
  void pagesArriveAsTheirOwnCopies() throws Exception {
    InputGate gate = new InputGate();
    ChannelReceiver receiver = receiving.receiver(4, gate, 2);
    gate.connect(receiver);
    byte[] page = {1, 2, 3, 4};
    sending.sender(4).send(Frame.records(page, 3, 1));
    page[0] = 9;
    Frame got = next(receiver);
    assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOf(got.page(), got.size()));
  }
}
