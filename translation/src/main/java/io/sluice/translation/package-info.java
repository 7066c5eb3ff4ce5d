/**
 * Turns a Beam pipeline into a Sluice job graph, so the engine runs operators, not transforms: the
 * map from each transform (by URN) to its translator, the context that builds the graph and decides
 * fusion, and what of the pipeline and options decides how the job runs. Translators, operators,
 * edge records and state sit in subpackages.
 */
package io.sluice.translation;
