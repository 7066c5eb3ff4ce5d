package io.sluice.execution.cluster;

/**
 * A job failed on a cluster, or the cluster refused it, and the failure could not travel as itself
 * (its class is not here, or it does not serialize): its text, with the stack it had where it ran.
 */
public final class ClusterJobException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ClusterJobException(String message) {
    super(message);
  }
}
