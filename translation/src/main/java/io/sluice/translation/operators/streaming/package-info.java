/**
 * Operators of streaming jobs only: the GroupByKey that fires panes by triggers and watermarks, and
 * the TestStream source. A streaming job's ParDos run on {@code timely.TimelyParDoOperator}, which
 * batch jobs share for splittable DoFns.
 */
package io.sluice.translation.operators.streaming;
