/**
 * The workloads the suite times, each the same computation as a Beam pipeline and as plain Java (the
 * floor), with a check of the result that trusts neither, so a fast wrong answer cannot pass.
 */
package io.sluice.benchmarks.workloads;
