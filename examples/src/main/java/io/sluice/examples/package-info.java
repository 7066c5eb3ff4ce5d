/**
 * Beam pipelines to run on SluiceRunner from the command line: a batch word count over TextIO, and a
 * windowed word count on a stream with early and on-time panes.
 */
package io.sluice.examples;
