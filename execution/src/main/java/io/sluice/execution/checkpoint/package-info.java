/**
 * Checkpoints: the coordinator that triggers them and completes or declines them, the storage
 * they are written to (state files, shared files, metadata written last), and the restore plan
 * that maps a completed checkpoint onto a job's operator instances.
 */
package io.sluice.execution.checkpoint;
