/**
 * Keyed state and timers over sorted byte stores, on the heap or in RocksDB, with keys grouped
 * into key groups so that state can move between subtasks by whole groups.
 */
package io.sluice.execution.state;
