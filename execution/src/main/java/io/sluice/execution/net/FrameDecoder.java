package io.sluice.execution.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits a connection's bytes into messages, each sent as a four-byte length and its bytes. The
 * limit starts at what a handshake message needs and is raised once the peer has proven itself, so
 * that an unauthenticated peer cannot make this process buffer a large frame.
 */
final class FrameDecoder extends ByteToMessageDecoder {

  /** The largest handshake message, with room to spare. */
  static final int HANDSHAKE_MAX_BYTES = 256;

  /** The largest message accepted now: raised after the handshake. Owned by the event loop. */
  private int maxFrameBytes = HANDSHAKE_MAX_BYTES;

  void allow(int bytes) {
    this.maxFrameBytes = bytes;
  }

  /**
   * One frame per call: the decoder hands it on before it decodes the next, so the limit raised by
   * the handshake's last message applies to the message after it.
   */
  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() >= 4) {
      int length = in.getInt(in.readerIndex());
      if (length < 0) {
        throw new CorruptedFrameException("a frame of negative length " + length);
      }
      if (length > maxFrameBytes) {
        throw new TooLongFrameException("a frame of " + length + " bytes, the limit is " + maxFrameBytes);
      }
      if (in.readableBytes() < 4 + length) {
        return;
      }
      in.skipBytes(4);
      out.add(in.readRetainedSlice(length));
    }
  }
}
