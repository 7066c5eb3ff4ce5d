package io.sluice.execution.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.sluice.execution.net.Handshake.HandshakeException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of a new connection's {@link Handshake}: answers the server's challenge, then
 * checks that the server knows the secret too before anything else is sent either way.
 */
final class ClientHandshake extends HandshakeHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ClientHandshake.class);

  private final PeerRole role;
  /** Completed with the connection once both sides are proven, or with why not. */
  private final CompletableFuture<Connection> result;
  /** The server's challenge, once read: derived, lives until the handshake ends. */
  private byte[] serverNonce;
  /** This side's nonce: derived, as {@link #serverNonce}. */
  private byte[] clientNonce;

  ClientHandshake(NetConfig config, PeerRole role, Function<Connection, MessageHandler> handlers,
      CompletableFuture<Connection> result) {
    super(config, handlers);
    this.role = role;
    this.result = result;
  }

  @Override
  void onHandshakeMessage(ChannelHandlerContext ctx, byte[] message) {
    try {
      if (serverNonce == null) {
        serverNonce = Handshake.readChallenge(message);
        clientNonce = Handshake.nonce();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.response(config.secret(), serverNonce, role, clientNonce)));
        return;
      }
      Handshake.readAccept(config.secret(), serverNonce, clientNonce, message);
    } catch (HandshakeException e) {
      fail(ctx, e.getMessage());
      return;
    }
    result.complete(succeed(ctx, role));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!result.isDone()) {
      result.completeExceptionally(new IOException("the server at " + ctx.channel().remoteAddress()
          + " closed the connection during the handshake: it is not a Sluice server, or its cluster secret differs"));
    }
    super.channelInactive(ctx);
  }

  @Override
  void fail(ChannelHandlerContext ctx, String reason) {
    if (!result.isDone()) {
      LOG.warn("Refused the server at {}: {}", ctx.channel().remoteAddress(), reason);
      result.completeExceptionally(new IOException("refused the server at " + ctx.channel().remoteAddress() + ": " + reason));
    }
    ctx.close();
  }
}
