/**
 * Processing as input flows, in either mode: each element handled on arrival, keyed state in the
 * job's state backend, timers fired as watermarks and the clock advance, output watermarks held by
 * both. Every ParDo of a streaming job runs here, and so does every splittable DoFn, in batch too:
 * the residuals of its split calls come back by processing-time resume timers.
 */
package io.sluice.translation.operators.timely;
