/**
 * One conformance suite for every host of a policy chain: servlet containers, JAX-RS runtimes, the gateway.
 * A host implements {@link dev.gatehouse.testing.conformance.ConformanceHost} and extends {@link
 * dev.gatehouse.testing.conformance.ConformanceSuite}.
 */
@NullMarked
package dev.gatehouse.testing.conformance;

import org.jspecify.annotations.NullMarked;
