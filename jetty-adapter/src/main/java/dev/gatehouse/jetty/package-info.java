/** Runs Gatehouse policy chains in front of Jetty 12 core handlers: {@link dev.gatehouse.jetty.OffloadHandler}. */
@NullMarked
package dev.gatehouse.jetty;

import org.jspecify.annotations.NullMarked;
