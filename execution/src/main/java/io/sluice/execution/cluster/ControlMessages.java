package io.sluice.execution.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.net.Connection;
import java.io.IOException;

/** Control-plane messages on a connection: one protobuf {@link ControlMessage} per network message. */
final class ControlMessages {

  private ControlMessages() {}

  static ChannelFuture send(Connection connection, ControlMessage message) {
    return connection.send(Unpooled.wrappedBuffer(message.toByteArray()));
  }

  /** Parses one message; one that is not a control message fails, and its connection is closed. */
  static ControlMessage read(ByteBuf bytes) throws IOException {
    try (ByteBufInputStream in = new ByteBufInputStream(bytes)) {
      ControlMessage message = ControlMessage.parseFrom(in);
      if (message.getKindCase() == ControlMessage.KindCase.KIND_NOT_SET) {
        throw new IOException("a control message of no known kind");
      }
      return message;
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("a malformed control message: " + e.getMessage(), e);
    }
  }
}
