package io.sluice.execution.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The first three messages of every connection, by which both ends prove that they know the
 * cluster's {@link SharedSecret} without sending it:
 *
 * <ol>
 *   <li>challenge, server to client: magic, version, the server's nonce;
 *   <li>response, client to server: magic, version, the client's role, the client's nonce, and
 *       HMAC(secret, "client", server nonce, client nonce, role);
 *   <li>accept, server to client: magic, version, HMAC(secret, "server", client nonce, server nonce).
 * </ol>
 *
 * Fresh nonces on both sides make a recorded handshake useless for another connection; the labels
 * keep a client's proof from serving as a server's. Nothing else a peer sends is read before the
 * handshake has succeeded. Without TLS, an attacker on the path can still relay a handshake and then
 * tamper with the connection: across networks one does not trust, turn TLS on.
 */
final class Handshake {

  static final int NONCE_BYTES = 32;
  static final int MAC_BYTES = 32;
  static final byte VERSION = 1;
  private static final byte[] MAGIC = {'S', 'L', 'C', 'E'};
  private static final byte[] CLIENT_LABEL = "sluice-client".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SERVER_LABEL = "sluice-server".getBytes(StandardCharsets.US_ASCII);
  static final int CHALLENGE_BYTES = MAGIC.length + 1 + NONCE_BYTES;
  static final int RESPONSE_BYTES = MAGIC.length + 1 + 1 + NONCE_BYTES + MAC_BYTES;
  static final int ACCEPT_BYTES = MAGIC.length + 1 + MAC_BYTES;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {}

  static byte[] nonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  static byte[] challenge(byte[] serverNonce) {
    return ByteBuffer.allocate(CHALLENGE_BYTES).put(MAGIC).put(VERSION).put(serverNonce).array();
  }

  /** The server nonce of a challenge. */
  static byte[] readChallenge(byte[] message) throws HandshakeException {
    ByteBuffer in = open(message, CHALLENGE_BYTES, "challenge");
    return take(in, NONCE_BYTES);
  }

  static byte[] response(SharedSecret secret, byte[] serverNonce, PeerRole role, byte[] clientNonce) {
    byte[] mac = secret.mac(CLIENT_LABEL, serverNonce, clientNonce, new byte[] {role.tag});
    return ByteBuffer.allocate(RESPONSE_BYTES).put(MAGIC).put(VERSION).put(role.tag).put(clientNonce).put(mac).array();
  }

  /** The client's role and nonce, once its proof checks out. */
  static Proven readResponse(SharedSecret secret, byte[] serverNonce, byte[] message) throws HandshakeException {
    ByteBuffer in = open(message, RESPONSE_BYTES, "response");
    byte tag = in.get();
    byte[] clientNonce = take(in, NONCE_BYTES);
    byte[] mac = take(in, MAC_BYTES);
    if (!MessageDigest.isEqual(mac, secret.mac(CLIENT_LABEL, serverNonce, clientNonce, new byte[] {tag}))) {
      throw new HandshakeException("the client does not know the cluster secret");
    }
    return new Proven(roleOf(tag), clientNonce);
  }

  static byte[] accept(SharedSecret secret, byte[] serverNonce, byte[] clientNonce) {
    return ByteBuffer.allocate(ACCEPT_BYTES).put(MAGIC).put(VERSION)
        .put(secret.mac(SERVER_LABEL, clientNonce, serverNonce)).array();
  }

  static void readAccept(SharedSecret secret, byte[] serverNonce, byte[] clientNonce, byte[] message)
      throws HandshakeException {
    ByteBuffer in = open(message, ACCEPT_BYTES, "accept");
    if (!MessageDigest.isEqual(take(in, MAC_BYTES), secret.mac(SERVER_LABEL, clientNonce, serverNonce))) {
      throw new HandshakeException("the server does not know the cluster secret");
    }
  }

  /** A client that proved itself. */
  static final class Proven {
    final PeerRole role;
    final byte[] clientNonce;

    Proven(PeerRole role, byte[] clientNonce) {
      this.role = role;
      this.clientNonce = clientNonce;
    }
  }

  private static PeerRole roleOf(byte tag) throws HandshakeException {
    for (PeerRole role : PeerRole.values()) {
      if (role.tag == tag) {
        return role;
      }
    }
    throw new HandshakeException("unknown role " + tag);
  }

  private static ByteBuffer open(byte[] message, int length, String what) throws HandshakeException {
    if (message.length != length) {
      throw new HandshakeException("a " + what + " of " + message.length + " bytes, expected " + length);
    }
    ByteBuffer in = ByteBuffer.wrap(message);
    if (!Arrays.equals(take(in, MAGIC.length), MAGIC)) {
      throw new HandshakeException("not a Sluice peer (bad magic in the " + what + ")");
    }
    byte version = in.get();
    if (version != VERSION) {
      throw new HandshakeException("protocol version " + version + ", this process speaks " + VERSION);
    }
    return in;
  }

  private static byte[] take(ByteBuffer in, int n) {
    byte[] out = new byte[n];
    in.get(out);
    return out;
  }

  /** A handshake that failed: the connection is closed and the reason logged. */
  static final class HandshakeException extends Exception {
    HandshakeException(String message) {
      super(message);
    }
  }
}
