package io.sluice.execution.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Opens authenticated connections to cluster servers; its threads serve all of them. */
public final class NetClient implements AutoCloseable {

  private final NetConfig config;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());

  public NetClient(NetConfig config) {
    this.config = config;
  }

  /**
   * Connects and passes the handshake as {@code role}, within the handshake timeout; fails with an
   * IOException that says why (no server, a server that is not Sluice's, a different secret).
   */
  public Connection connect(InetSocketAddress server, PeerRole role, Function<Connection, MessageHandler> handlers)
      throws IOException, InterruptedException {
    CompletableFuture<Connection> result = new CompletableFuture<>();
    long millis = config.handshakeTimeout().toMillis();
    ChannelFuture connecting = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, millis))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Pipelines.init(ch.pipeline(),
                config.tls() == null ? null : config.tls().clientHandler(ch.alloc(), server.getHostString(), server.getPort()),
                new ClientHandshake(config, role, handlers, result));
          }
        })
        .connect(server);
    connecting.addListener(f -> {
      if (!f.isSuccess()) {
        result.completeExceptionally(new IOException("cannot connect to " + server + ": " + f.cause(), f.cause()));
      }
    });
    try {
      // The connect and the handshake each have their own deadline; this bound only backs them up.
      return result.get(2 * millis + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
    } catch (TimeoutException e) {
      connecting.channel().close();
      throw new IOException("no handshake with " + server + " within " + (2 * millis + 1000) + " ms");
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
