/**
 * User DoFns and GroupByKey panes as runners-core runs them, shared by the batch and the timely
 * operators so both run a DoFn, its state, timers and side inputs the same way: the spec fixed at
 * translation, one instance's life and bundles, the stateful and ReduceFn runners they wrap.
 */
package io.sluice.translation.operators.dofn;
