/**
 * Beam's state types over the engine's sorted byte stores, so a keyed operator's state lives in the
 * state backend and a checkpoint holds it. A state object keeps only its cell's location: the store
 * is the single truth, and any number of views of one cell agree.
 */
package io.sluice.translation.state;
