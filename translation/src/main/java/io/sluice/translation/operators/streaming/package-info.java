/**
 * Operators of streaming jobs only: the GroupByKey that fires panes by triggers and watermarks, the
 * GroupByKey and Combine.perKey that fire each window once at its end (the default trigger without
 * lateness), and the TestStream source. A streaming job's ParDos run on {@code
 * timely.TimelyParDoOperator}, which batch jobs share for splittable DoFns.
 */
package io.sluice.translation.operators.streaming;
