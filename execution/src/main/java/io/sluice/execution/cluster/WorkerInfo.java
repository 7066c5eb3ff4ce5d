package io.sluice.execution.cluster;

/** A worker as the coordinator knows it: what it registered with. */
public final class WorkerInfo {

  private final String id;
  private final int slots;
  private final String dataHost;
  private final int dataPort;

  WorkerInfo(String id, int slots, String dataHost, int dataPort) {
    this.id = id;
    this.slots = slots;
    this.dataHost = dataHost;
    this.dataPort = dataPort;
  }

  public String id() {
    return id;
  }

  public int slots() {
    return slots;
  }

  public String dataHost() {
    return dataHost;
  }

  public int dataPort() {
    return dataPort;
  }

  @Override
  public String toString() {
    return id + " (" + slots + " slots, data at " + dataHost + ":" + dataPort + ")";
  }
}
