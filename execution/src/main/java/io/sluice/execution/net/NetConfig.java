package io.sluice.execution.net;

import java.time.Duration;
import java.util.Objects;

/**
 * How a process takes part in a cluster's network: the secret, where servers bind, and the limits
 * that keep a peer from making it allocate or wait without bound.
 */
public final class NetConfig {

  /** Loopback unless told otherwise: a cluster reachable from the network is a choice, not a default. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  private final SharedSecret secret;
  private String bindAddress = DEFAULT_BIND_ADDRESS;
  /** The longest message a connection takes unless configured otherwise. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private Duration handshakeTimeout = Duration.ofSeconds(10);
  /** Null: connections are plain TCP (the secret's handshake still authenticates them). */
  private ClusterTls tls;

  public NetConfig(SharedSecret secret) {
    this.secret = Objects.requireNonNull(secret, "secret");
  }

  /** Every connection runs over TLS with the cluster's key store. */
  public NetConfig tls(ClusterTls tls) {
    this.tls = tls;
    return this;
  }

  /** Null without TLS. */
  public ClusterTls tls() {
    return tls;
  }

  public SharedSecret secret() {
    return secret;
  }

  public String bindAddress() {
    return bindAddress;
  }

  public NetConfig bindAddress(String address) {
    this.bindAddress = Objects.requireNonNull(address, "address");
    return this;
  }

  /** The largest message an authenticated peer may send; a larger one closes its connection. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  public NetConfig maxFrameBytes(int bytes) {
    if (bytes < 1024 || bytes > 1 << 30) {
      throw new IllegalArgumentException("the largest frame must be from 1 KiB to 1 GiB: " + bytes);
    }
    this.maxFrameBytes = bytes;
    return this;
  }

  /** How long a new connection has to prove itself before it is closed. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  public NetConfig handshakeTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the handshake timeout must be positive: " + timeout);
    }
    this.handshakeTimeout = timeout;
    return this;
  }
}
