package io.sluice.execution.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.sluice.execution.net.Handshake.HandshakeException;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of a new connection's {@link Handshake}. Until the client has proven itself,
 * everything it sends is read as a handshake message of at most a few hundred bytes, and anything
 * else closes the connection: nothing of an unauthenticated peer is deserialized.
 */
final class ServerHandshake extends HandshakeHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ServerHandshake.class);

  private final Set<PeerRole> served;
  /** This connection's challenge: derived, lives until the handshake ends. */
  private byte[] serverNonce;

  ServerHandshake(NetConfig config, Set<PeerRole> served, Function<Connection, MessageHandler> handlers) {
    super(config, handlers);
    this.served = served;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    serverNonce = Handshake.nonce();
    ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.challenge(serverNonce)));
    super.channelActive(ctx);
  }

  @Override
  void onHandshakeMessage(ChannelHandlerContext ctx, byte[] message) {
    Handshake.Proven client;
    try {
      client = Handshake.readResponse(config.secret(), serverNonce, message);
      if (!served.contains(client.role)) {
        throw new HandshakeException("a " + client.role + " is not served here");
      }
    } catch (HandshakeException e) {
      fail(ctx, e.getMessage());
      return;
    }
    ctx.writeAndFlush(Unpooled.wrappedBuffer(Handshake.accept(config.secret(), serverNonce, client.clientNonce)));
    LOG.debug("Accepted {}", succeed(ctx, client.role));
  }

  @Override
  void fail(ChannelHandlerContext ctx, String reason) {
    if (ctx.channel().isOpen()) {
      LOG.warn("Refused a connection from {}: {}", ctx.channel().remoteAddress(), reason);
      ctx.close();
    }
  }
}
