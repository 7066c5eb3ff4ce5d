package io.sluice.execution.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import java.net.SocketAddress;

/** An authenticated connection between two processes of a cluster, either end. */
public final class Connection {

  private final Channel channel;
  private final PeerRole role;

  Connection(Channel channel, PeerRole role) {
    this.channel = channel;
    this.role = role;
  }

  /** The role the client side proved it has. */
  public PeerRole role() {
    return role;
  }

  public ByteBufAllocator allocator() {
    return channel.alloc();
  }

  /**
   * Sends one message; the buffer is released once written. Messages go out in the order of the
   * calls, whichever threads make them: a call on the connection's own event loop is queued behind
   * the writes other threads queued before it, rather than written at once ahead of them (Netty
   * keeps order per calling thread only, and the coordinator sends one client's updates from the
   * event loops of several workers' connections).
   */
  public ChannelFuture send(ByteBuf message) {
    if (!channel.eventLoop().inEventLoop()) {
      return channel.writeAndFlush(message);
    }
    ChannelPromise promise = channel.newPromise();
    channel.eventLoop().execute(() -> channel.writeAndFlush(message, promise));
    return promise;
  }

  /** Queues one message without flushing: a writer that sends several in a row flushes once, after. */
  public ChannelFuture write(ByteBuf message) {
    return channel.write(message);
  }

  public void flush() {
    channel.flush();
  }

  /** Whether the connection can take more bytes without queueing them beyond its high-water mark. */
  public boolean isWritable() {
    return channel.isWritable();
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  public ChannelFuture close() {
    return channel.close();
  }

  /** Completes when the connection has closed. */
  public ChannelFuture closeFuture() {
    return channel.closeFuture();
  }

  @Override
  public String toString() {
    return "Connection[" + role + " " + channel.remoteAddress() + "]";
  }
}
