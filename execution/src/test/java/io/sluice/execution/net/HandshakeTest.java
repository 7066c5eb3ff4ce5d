package io.sluice.execution.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.net.Handshake.HandshakeException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HandshakeTest {

  private static final SharedSecret SECRET = SharedSecret.ofText("0123456789abcdef-right");
  private static final SharedSecret OTHER = SharedSecret.ofText("0123456789abcdef-wrong");

  @Test
  void bothSidesProveTheSecretAndTheClientsRoleIsBound() throws Exception {
    byte[] serverNonce = Handshake.nonce();
    byte[] clientNonce = Handshake.nonce();
    byte[] challenge = Handshake.challenge(serverNonce);
    assertArrayEquals(serverNonce, Handshake.readChallenge(challenge));

    byte[] response = Handshake.response(SECRET, serverNonce, PeerRole.WORKER, clientNonce);
    Handshake.Proven proven = Handshake.readResponse(SECRET, serverNonce, response);
    assertEquals(PeerRole.WORKER, proven.role);
    assertArrayEquals(clientNonce, proven.clientNonce);
    Handshake.readAccept(SECRET, serverNonce, clientNonce, Handshake.accept(SECRET, serverNonce, clientNonce));

    // A claimed role other than the one proven: the role byte is under the MAC.
    byte[] promoted = response.clone();
    promoted[5] = PeerRole.CLIENT.tag;
    assertThrows(HandshakeException.class, () -> Handshake.readResponse(SECRET, serverNonce, promoted));
  }

  @Test
  void aWrongSecretOnEitherSideIsRefused() {
    byte[] serverNonce = Handshake.nonce();
    byte[] clientNonce = Handshake.nonce();
    assertThrows(HandshakeException.class, () -> Handshake.readResponse(
        SECRET, serverNonce, Handshake.response(OTHER, serverNonce, PeerRole.CLIENT, clientNonce)));
    assertThrows(HandshakeException.class, () -> Handshake.readAccept(
        SECRET, serverNonce, clientNonce, Handshake.accept(OTHER, serverNonce, clientNonce)));
  }

  @Test
  void aRecordedProofIsWorthNothingOnAnotherConnection() {
    byte[] recordedNonce = Handshake.nonce();
    byte[] recorded = Handshake.response(SECRET, recordedNonce, PeerRole.PEER, Handshake.nonce());
    assertThrows(HandshakeException.class, () -> Handshake.readResponse(SECRET, Handshake.nonce(), recorded));
    // Nor does a client's proof serve as a server's: the labels differ.
    byte[] serverNonce = Handshake.nonce();
    byte[] clientNonce = Handshake.nonce();
    byte[] clientProof = Handshake.response(SECRET, serverNonce, PeerRole.PEER, clientNonce);
    byte[] forged = new byte[Handshake.ACCEPT_BYTES];
    System.arraycopy(clientProof, 0, forged, 0, 5);
    System.arraycopy(clientProof, clientProof.length - Handshake.MAC_BYTES, forged, 5, Handshake.MAC_BYTES);
    assertThrows(HandshakeException.class, () -> Handshake.readAccept(SECRET, serverNonce, clientNonce, forged));
  }

  @Test
  void garbageIsRefusedWithAReason() {
    HandshakeException e = assertThrows(HandshakeException.class,
        () -> Handshake.readChallenge("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    assertTrue(e.getMessage().contains("challenge"), e.getMessage());
    byte[] badMagic = Handshake.challenge(Handshake.nonce());
    badMagic[0] = 'X';
    assertTrue(assertThrows(HandshakeException.class, () -> Handshake.readChallenge(badMagic))
        .getMessage().contains("magic"));
    byte[] badVersion = Handshake.challenge(Handshake.nonce());
    badVersion[4] = 9;
    assertTrue(assertThrows(HandshakeException.class, () -> Handshake.readChallenge(badVersion))
        .getMessage().contains("version"));
  }

  @Test
  void theSecretIsNeverPrintedAndShortSecretsAreRefused() {
    assertFalse(SECRET.toString().contains("0123"));
    assertThrows(IllegalArgumentException.class, () -> SharedSecret.ofText("short"));
    SharedSecret random = SharedSecret.random();
    assertEquals(random, SharedSecret.ofText(random.reveal()));
  }
}
