/**
 * The harness that runs Beam's ValidatesRunner suite against SluiceRunner: it finds the tagged tests
 * in Beam's tests jars, leaves out the checked-in exclusions (each with its reason), runs each class
 * with a timeout per test and reports per category, failing the build on any failure not excluded.
 */
package io.sluice.validatesrunner;
