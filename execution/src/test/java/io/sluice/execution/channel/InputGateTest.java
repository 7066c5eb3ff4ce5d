package io.sluice.execution.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.channel.local.LocalChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Per-channel input: channels held back on their own, bounded, in order, and waking the consumer. */
class InputGateTest {

  private static Frame watermark(long t) {
    return Frame.watermark(t);
  }

  @Test
  void aBlockedChannelHoldsItsFramesWhileTheOthersFlow() throws Exception {
    InputGate gate = new InputGate();
    LocalChannel a = new LocalChannel(4, gate);
    LocalChannel b = new LocalChannel(4, gate);
    assertEquals(0, gate.connect(a));
    assertEquals(1, gate.connect(b));
    a.send(watermark(1));
    a.send(watermark(2));
    b.send(watermark(10));
    b.send(watermark(11));

    gate.block(0);
    assertEquals(10, gate.poll().value());
    assertEquals(1, gate.lastChannel());
    assertEquals(11, gate.poll().value());
    assertNull(gate.poll(), "only the blocked channel has frames");
    assertEquals(2, a.size());

    gate.resume(0);
    assertEquals(1, gate.poll().value());
    assertEquals(0, gate.lastChannel());
    assertEquals(2, gate.poll().value());
    assertNull(gate.poll());
  }

  @Test
  void channelsTakeTurns() throws Exception {
    InputGate gate = new InputGate();
    LocalChannel a = new LocalChannel(8, gate);
    LocalChannel b = new LocalChannel(8, gate);
    gate.connect(a);
    gate.connect(b);
    for (int i = 0; i < 3; i++) {
      a.send(watermark(i));
      b.send(watermark(100 + i));
    }
    StringBuilder order = new StringBuilder();
    for (Frame f = gate.poll(); f != null; f = gate.poll()) {
      order.append(gate.lastChannel());
    }
    assertEquals("010101", order.toString());
  }

  @Test
  void aFullChannelBlocksItsSenderUntilTheConsumerTakesAFrameEvenWhileBlocked() throws Exception {
    InputGate gate = new InputGate();
    LocalChannel channel = new LocalChannel(2, gate);
    gate.connect(channel);
    gate.block(0);
    AtomicInteger sent = new AtomicInteger();
    Thread sender = new Thread(() -> {
      try {
        for (int i = 0; i < 5; i++) {
          channel.send(watermark(i));
          sent.incrementAndGet();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    sender.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (sent.get() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    Thread.sleep(100);
    assertEquals(2, sent.get(), "the sender stops at the channel's capacity");
    assertNull(gate.poll(), "nothing is readable while the channel is blocked");
    gate.resume(0);
    for (int expected = 0; expected < 5; expected++) {
      Frame f = null;
      while (f == null && System.nanoTime() < deadline) {
        f = gate.poll();
      }
      assertEquals(expected, f.value(), "frames arrive in order");
    }
    sender.join(5_000);
    assertFalse(sender.isAlive());
  }

  @Test
  void anInterruptEndsABlockedSend() throws Exception {
    InputGate gate = new InputGate();
    LocalChannel channel = new LocalChannel(1, gate);
    gate.connect(channel);
    channel.send(watermark(0));
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    Thread sender = new Thread(() -> {
      try {
        channel.send(watermark(1));
      } catch (Throwable t) {
        outcome.set(t);
      }
      done.countDown();
    });
    sender.start();
    Thread.sleep(50);
    sender.interrupt();
    assertTrue(done.await(5, TimeUnit.SECONDS));
    assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
  }

  @Test
  void aWaitingConsumerWakesWhenAFrameArrivesOrOnWakeUp() throws Exception {
    InputGate gate = new InputGate();
    LocalChannel channel = new LocalChannel(4, gate);
    gate.connect(channel);
    Thread consumer = Thread.currentThread();
    Thread sender = new Thread(() -> {
      try {
        while (consumer.getState() != Thread.State.TIMED_WAITING) {
          Thread.onSpinWait();
        }
        channel.send(watermark(7));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    sender.start();
    long start = System.nanoTime();
    Frame f = null;
    while (f == null) {
      gate.await(30_000);
      f = gate.poll();
    }
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "woken by the frame, not the timeout");
    assertEquals(7, f.value());

    Thread waker = new Thread(() -> {
      while (consumer.getState() != Thread.State.TIMED_WAITING) {
        Thread.onSpinWait();
      }
      gate.wakeUp();
    });
    waker.start();
    start = System.nanoTime();
    gate.await(30_000);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "woken by wakeUp, not the timeout");
  }

  @Test
  void pendingFramesCountUntilHandled() throws Exception {
    InputGate gate = new InputGate();
    LocalChannel channel = new LocalChannel(4, gate);
    gate.connect(channel);
    assertTrue(gate.isSettled());
    channel.reserve();
    assertFalse(gate.isSettled(), "a reserved frame counts before it is readable");
    Frame end = Frame.end();
    channel.sendReserved(end);
    assertSame(end, gate.poll());
    assertFalse(gate.isSettled(), "polled is not handled");
    gate.handled(1);
    assertTrue(gate.isSettled());
  }
}
