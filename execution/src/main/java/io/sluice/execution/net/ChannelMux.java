package io.sluice.execution.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import io.sluice.execution.channel.ChannelReceiver;
import io.sluice.execution.channel.ChannelSender;
import io.sluice.execution.channel.Frame;
import io.sluice.execution.channel.FrameCodec;
import io.sluice.execution.channel.InputGate;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All channels between two processes over their one connection, in both directions. Each channel
 * has an id both sides agree on and its own credit: the receiver grants as many frames as it has
 * room for and grants again as its consumer takes them, and a sender sends only against credit. So
 * a channel whose consumer stops (a channel held back for barrier alignment) fills its own credit
 * and blocks its own sender, while every other channel of the connection flows on.
 *
 * <p>A channel's id is a long: the high half names the job attempt it belongs to (unique in the
 * cluster), the low half the channel within it. When an attempt ends each side {@link #release}s
 * it: late frames and credit of a released attempt are dropped, for its channels are gone.
 *
 * <p>Messages: {@code FRAME channel frame} (the frame in {@link FrameCodec}'s bytes) and {@code
 * CREDIT channel count}. A frame beyond its channel's credit, or for a channel this side does not
 * receive and never did, breaks the protocol: the connection is closed.
 */
public final class ChannelMux implements MessageHandler {

  static final byte FRAME = 1;
  static final byte CREDIT = 2;
  /** A piece of a frame too large for one message; the frame's last piece comes as a FRAME. */
  static final byte PART = 3;
  private static final int HEADER_BYTES = 1 + 8;
  /** At most this much of a frame waits for its remaining pieces, per channel. */
  private static final long MAX_FRAME_BYTES = Integer.MAX_VALUE - 16;

  /** The largest message the connection carries: longer frames travel in pieces. */
  private final int maxMessageBytes;
  /** The pieces so far of a frame arriving in pieces, by channel: derived. Event loop only. */
  private final Map<Long, CompositeByteBuf> pieces = new HashMap<>();

  /** A mux whose messages are at most {@code maxMessageBytes} long (the connection's frame limit). */
  public ChannelMux(int maxMessageBytes) {
    if (maxMessageBytes < HEADER_BYTES + 64) {
      throw new IllegalArgumentException("messages of " + maxMessageBytes + " bytes cannot carry frames");
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  public ChannelMux() {
    this(NetConfig.DEFAULT_MAX_FRAME_BYTES);
  }

  /** Channels this side receives, by id: registered before credit is granted, so before any frame. */
  private final Map<Long, RemoteChannelReceiver> receivers = new ConcurrentHashMap<>();
  /** Channels this side sends on, by id; made by whichever comes first, the sender or its first credit. */
  private final Map<Long, RemoteChannelSender> senders = new ConcurrentHashMap<>();
  /** Attempts whose channels are gone: derived, for the connection's life. */
  private final Set<Integer> released = ConcurrentHashMap.newKeySet();
  /** The connection, once attached: set once. */
  private volatile Connection connection;

  /** Binds this mux to the connection it multiplexes; called once, before channels are made. */
  public void attach(Connection connection) {
    if (this.connection != null) {
      throw new IllegalStateException("already attached to " + this.connection);
    }
    this.connection = connection;
  }

  /** The id of channel {@code channel} of job attempt {@code attempt}. */
  public static long channelId(int attempt, int channel) {
    return (long) attempt << 32 | (channel & 0xffffffffL);
  }

  private static int attemptOf(long id) {
    return (int) (id >>> 32);
  }

  /** The sending end of channel {@code id}; it may send once the receiving side has granted credit. */
  public ChannelSender sender(long id) {
    return senderState(id);
  }

  /**
   * The receiving end of channel {@code id}, which tells {@code gate} of its frames (the caller
   * connects it to the gate before the job starts); grants the sender {@code capacity} frames at once.
   */
  public ChannelReceiver receiver(long id, InputGate gate, int capacity) {
    RemoteChannelReceiver receiver = new RemoteChannelReceiver(this, id, gate, capacity);
    if (receivers.putIfAbsent(id, receiver) != null) {
      throw new IllegalStateException("channel " + id + " is received here already");
    }
    sendCredit(id, capacity);
    return receiver;
  }

  private RemoteChannelSender senderState(long id) {
    return senders.computeIfAbsent(id, i -> new RemoteChannelSender(this, i));
  }

  /**
   * Forgets the channels of {@code attempt}, which has ended here: a sender still blocked on them
   * fails, and what arrives for them from now on is dropped.
   */
  public void release(int attempt) {
    released.add(attempt);
    receivers.keySet().removeIf(id -> attemptOf(id) == attempt);
    senders.entrySet().removeIf(e -> {
      if (attemptOf(e.getKey()) == attempt) {
        e.getValue().connectionLost();
        return true;
      }
      return false;
    });
  }

  /** Whether the connection under this mux is open. */
  public boolean isOpen() {
    Connection c = connection;
    return c != null && c.isOpen();
  }

  Connection connection() {
    Connection c = connection;
    if (c == null) {
      throw new IllegalStateException("the channel mux is not attached to a connection");
    }
    return c;
  }

  void sendFrame(long id, Frame frame) {
    Connection c = connection();
    int size = frame.kind() == Frame.Kind.RECORDS ? frame.size() : 0;
    ByteBuf message = c.allocator().buffer(HEADER_BYTES + 1 + 8 + 8 + size);
    message.writeByte(FRAME).writeLong(id);
    try (ByteBufOutputStream out = new ByteBufOutputStream(message)) {
      FrameCodec.write(frame, out);
    } catch (IOException e) {
      message.release();
      throw new IllegalStateException("cannot encode a frame of channel " + id, e);
    }
    if (message.readableBytes() <= maxMessageBytes) {
      c.send(message);
      return;
    }
    // Too long for one message: PART pieces, then the last piece as the FRAME itself.
    int piece = maxMessageBytes - HEADER_BYTES;
    message.skipBytes(HEADER_BYTES);
    try {
      // Each piece is a header and a slice of the encoded frame: the frame's bytes are not copied again.
      while (message.readableBytes() > piece) {
        c.write(c.allocator().compositeBuffer(2).addComponents(true,
            c.allocator().buffer(HEADER_BYTES).writeByte(PART).writeLong(id), message.readRetainedSlice(piece)));
      }
      c.send(c.allocator().compositeBuffer(2).addComponents(true,
          c.allocator().buffer(HEADER_BYTES).writeByte(FRAME).writeLong(id),
          message.readRetainedSlice(message.readableBytes())));
    } finally {
      message.release();
    }
  }

  void sendCredit(long id, int count) {
    Connection c = connection();
    c.send(c.allocator().buffer(13).writeByte(CREDIT).writeLong(id).writeInt(count));
  }

  @Override
  public void onMessage(Connection from, ByteBuf message) throws IOException {
    byte type = message.readByte();
    long id = message.readLong();
    if (released.contains(attemptOf(id))) {
      CompositeByteBuf stale = pieces.remove(id);
      if (stale != null) {
        stale.release();
      }
      return;
    }
    switch (type) {
      case PART:
        if (!receivers.containsKey(id)) {
          throw new IOException("a frame for channel " + id + ", which is not received here");
        }
        CompositeByteBuf sofar = pieces.computeIfAbsent(id, i -> message.alloc().compositeBuffer(Integer.MAX_VALUE));
        if (sofar.readableBytes() + (long) message.readableBytes() > MAX_FRAME_BYTES) {
          throw new IOException("a frame of channel " + id + " longer than " + MAX_FRAME_BYTES + " bytes");
        }
        sofar.addComponent(true, message.retainedSlice());
        break;
      case FRAME:
        RemoteChannelReceiver receiver = receivers.get(id);
        if (receiver == null) {
          throw new IOException("a frame for channel " + id + ", which is not received here");
        }
        CompositeByteBuf earlier = pieces.remove(id);
        ByteBuf whole = message;
        if (earlier != null) {
          earlier.addComponent(true, message.retainedSlice());
          whole = earlier;
        }
        try {
          Frame frame;
          try (ByteBufInputStream in = new ByteBufInputStream(whole)) {
            frame = FrameCodec.read(in);
          }
          if (whole.isReadable()) {
            throw new IOException("a frame of channel " + id + " with " + whole.readableBytes() + " bytes left over");
          }
          receiver.arrived(frame);
        } finally {
          if (earlier != null) {
            earlier.release();
          }
        }
        break;
      case CREDIT:
        int count = message.readInt();
        if (count <= 0) {
          throw new IOException("a credit of " + count + " for channel " + id);
        }
        senderState(id).grant(count);
        break;
      default:
        throw new IOException("unknown message type " + type);
    }
  }

  @Override
  public void onClosed(Connection closed) {
    pieces.values().forEach(ByteBuf::release);
    pieces.clear();
    for (RemoteChannelSender sender : senders.values()) {
      sender.connectionLost();
    }
  }
}
