package io.sluice.execution.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening port of a cluster process (the coordinator's, a worker's data port). Every
 * connection must pass the {@link Handshake} with one of the roles served here before any of its
 * messages is read; then its messages go to the handler made for it.
 */
public final class NetServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NetServer.class);

  private final EventLoopGroup acceptors;
  private final EventLoopGroup connections;
  private final Channel listening;

  private NetServer(EventLoopGroup acceptors, EventLoopGroup connections, Channel listening) {
    this.acceptors = acceptors;
    this.connections = connections;
    this.listening = listening;
  }

  /**
   * Binds {@code port} (0 for any free one) on the configured address.
   *
   * @param served the roles a client may prove; any other is refused
   * @param handlers makes the message handler of each authenticated connection
   */
  public static NetServer start(NetConfig config, int port, Set<PeerRole> served,
      Function<Connection, MessageHandler> handlers) throws IOException {
    Set<PeerRole> roles = EnumSet.copyOf(served);
    EventLoopGroup acceptors = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup connections = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
    try {
      Channel channel = new ServerBootstrap()
          .group(acceptors, connections)
          .channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              Pipelines.init(ch.pipeline(), config.tls() == null ? null : config.tls().serverHandler(ch.alloc()),
                  new ServerHandshake(config, roles, handlers));
            }
          })
          .bind(config.bindAddress(), port)
          .syncUninterruptibly()
          .channel();
      NetServer server = new NetServer(acceptors, connections, channel);
      LOG.info("Listening on {} for {}", server.address(), roles);
      return server;
    } catch (RuntimeException e) {
      acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      connections.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IOException("cannot listen on " + config.bindAddress() + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listening.localAddress();
  }

  /** Stops listening and closes every connection, waiting a bounded time. */
  @Override
  public void close() {
    listening.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    connections.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
