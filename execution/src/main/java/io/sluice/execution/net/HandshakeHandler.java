package io.sluice.execution.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What both ends of a {@link Handshake} do alike: a deadline from the moment the connection opens,
 * handshake messages read as plain bytes, and, on success, the connection handed to its message
 * handler with the full frame limit.
 */
abstract class HandshakeHandler extends ChannelInboundHandlerAdapter {

  protected final NetConfig config;
  private final Function<Connection, MessageHandler> handlers;
  /** Fails the handshake if it takes too long; cancelled when it ends. */
  private ScheduledFuture<?> deadline;

  HandshakeHandler(NetConfig config, Function<Connection, MessageHandler> handlers) {
    this.config = config;
    this.handlers = handlers;
  }

  /** One handshake message from the other side. */
  abstract void onHandshakeMessage(ChannelHandlerContext ctx, byte[] message);

  /** Ends the handshake unsuccessfully: logs why and closes. */
  abstract void fail(ChannelHandlerContext ctx, String reason);

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    long millis = config.handshakeTimeout().toMillis();
    deadline = ctx.executor().schedule(
        () -> fail(ctx, "no handshake within " + millis + " ms"), millis, TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf message = (ByteBuf) msg;
    byte[] bytes;
    try {
      bytes = ByteBufUtil.getBytes(message);
    } finally {
      message.release();
    }
    onHandshakeMessage(ctx, bytes);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (deadline != null) {
      deadline.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, cause.toString());
  }

  /** The other side proved itself: from now on its messages go to their handler. */
  Connection succeed(ChannelHandlerContext ctx, PeerRole role) {
    deadline.cancel(false);
    ctx.pipeline().get(FrameDecoder.class).allow(config.maxFrameBytes());
    Connection connection = new Connection(ctx.channel(), role);
    ctx.pipeline().replace(this, "messages", new MessageDispatch(connection, handlers.apply(connection)));
    return connection;
  }
}
