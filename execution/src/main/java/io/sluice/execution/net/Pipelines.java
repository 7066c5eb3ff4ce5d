package io.sluice.execution.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldPrepender;

/**
 * The handlers every connection starts with, server or client side: TLS if the cluster uses it,
 * framing, then the handshake.
 */
final class Pipelines {

  private Pipelines() {}

  static void init(ChannelPipeline pipeline, ChannelHandler tls, ChannelHandler handshake) {
    if (tls != null) {
      pipeline.addLast("tls", tls);
    }
    pipeline.addLast("frames", new FrameDecoder());
    pipeline.addLast("lengths", new LengthFieldPrepender(4));
    pipeline.addLast("handshake", handshake);
  }
}
