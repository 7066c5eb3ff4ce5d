package io.sluice.execution.net;

/** Who opens a connection: a server accepts the roles it serves and no other. */
public enum PeerRole {
  /** A pipeline's submitter, talking to the coordinator. */
  CLIENT(1),
  /** A worker, registering with the coordinator. */
  WORKER(2),
  /** A worker, exchanging a job's data with another worker. */
  PEER(3);

  /** The role's byte in the handshake: never reuse or renumber. */
  final byte tag;

  PeerRole(int tag) {
    this.tag = (byte) tag;
  }
}
