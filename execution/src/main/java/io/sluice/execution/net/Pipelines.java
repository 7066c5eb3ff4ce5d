package io.sluice.execution.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldPrepender;

/** The handlers every connection starts with, server or client side: framing, then the handshake. */
final class Pipelines {

  private Pipelines() {}

  static void init(ChannelPipeline pipeline, ChannelHandler handshake) {
    pipeline.addLast("frames", new FrameDecoder());
    pipeline.addLast("lengths", new LengthFieldPrepender(4));
    pipeline.addLast("handshake", handshake);
  }
}
