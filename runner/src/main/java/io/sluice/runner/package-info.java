/**
 * What Beam sees of Sluice: {@code --runner=SluiceRunner}, its registrar and options, and a job's
 * result and metrics. The runner translates the whole pipeline before anything starts, then runs it
 * on the engine in this JVM.
 */
package io.sluice.runner;
