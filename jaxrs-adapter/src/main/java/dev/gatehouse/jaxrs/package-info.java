/** Runs Gatehouse policy chains in Jakarta REST runtimes: {@link dev.gatehouse.jaxrs.OffloadFeature}. */
@NullMarked
package dev.gatehouse.jaxrs;

import org.jspecify.annotations.NullMarked;
