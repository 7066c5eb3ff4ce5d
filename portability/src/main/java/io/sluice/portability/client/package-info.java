/**
 * A Java client of the Job API: {@link io.sluice.portability.client.SluicePortableRunner} submits a
 * Java pipeline, as a pipeline proto, to a Sluice job server (one it starts in this JVM by default),
 * where its user code runs in Java SDK harnesses over the Fn API.
 */
package io.sluice.portability.client;
