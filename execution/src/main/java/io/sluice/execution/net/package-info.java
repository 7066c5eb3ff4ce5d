/**
 * The network between the processes of a Sluice cluster: authenticated connections ({@link
 * io.sluice.execution.net.NetServer}, {@link io.sluice.execution.net.NetClient}, the shared-secret
 * handshake) and the channels of a job multiplexed over them with per-channel credit ({@link
 * io.sluice.execution.net.ChannelMux}). Nothing here knows what a job computes.
 */
package io.sluice.execution.net;
