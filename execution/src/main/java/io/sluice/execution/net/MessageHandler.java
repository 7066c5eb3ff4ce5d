package io.sluice.execution.net;

import io.netty.buffer.ByteBuf;

/**
 * What an authenticated connection's messages go to, on the connection's event-loop thread: keep
 * it short, hand long work to another thread.
 */
public interface MessageHandler {

  /** One message; the buffer is released when this returns, so retain it to keep it. */
  void onMessage(Connection connection, ByteBuf message) throws Exception;

  /** The connection closed, by either side or by a failure (already logged). */
  default void onClosed(Connection connection) {}
}
