/**
 * What crosses an edge between stages and how it is encoded: windowed elements, keyed records
 * whose key is encoded once for partitioning and grouping, and the serializers the engine calls.
 * Translators choose an edge's encoding; operators on either end read and write it.
 */
package io.sluice.translation.records;
