/**
 * One translator per Beam transform Sluice runs itself, each choosing the operators, edges and edge
 * encodings for it; a composite without one is expanded and its parts translated. The wiring several
 * translators share (keyed inputs, a DoFn's ports) is kept here once, because the operators count on it.
 */
package io.sluice.translation.translators;
