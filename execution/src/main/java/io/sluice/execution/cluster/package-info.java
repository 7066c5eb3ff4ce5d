/**
 * The control plane of a Sluice cluster: the {@link io.sluice.execution.cluster.Coordinator},
 * where workers register and send heartbeats, the {@link io.sluice.execution.cluster.WorkerRegistry}
 * that loses a worker whose connection closes or who falls silent, and a worker's {@link
 * io.sluice.execution.cluster.WorkerAgent}. Messages are the protobufs of {@code cluster.proto}.
 */
package io.sluice.execution.cluster;
