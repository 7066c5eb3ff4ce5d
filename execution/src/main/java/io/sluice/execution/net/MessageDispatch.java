package io.sluice.execution.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an authenticated connection's messages to its {@link MessageHandler}. A message the handler
 * cannot take (it throws), an oversized or malformed frame, or a failing socket closes the
 * connection, logged; the process goes on.
 */
final class MessageDispatch extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(MessageDispatch.class);

  private final Connection connection;
  private final MessageHandler handler;

  MessageDispatch(Connection connection, MessageHandler handler) {
    this.connection = connection;
    this.handler = handler;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    ByteBuf message = (ByteBuf) msg;
    try {
      handler.onMessage(connection, message);
    } finally {
      message.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handler.onClosed(connection);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (ctx.channel().isOpen()) {
      LOG.warn("Closing {}: {}", connection, cause.toString());
      ctx.close();
    }
  }
}
