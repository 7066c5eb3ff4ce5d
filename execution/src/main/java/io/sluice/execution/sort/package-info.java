/**
 * The external sort: records sorted by key bytes within a memory budget, spilled as sorted runs,
 * merged and grouped by key.
 */
package io.sluice.execution.sort;
