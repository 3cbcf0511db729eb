/** Runs Gatehouse policy chains in Servlet 6 containers: {@link dev.gatehouse.servlet.OffloadFilter}. */
@NullMarked
package dev.gatehouse.servlet;

import org.jspecify.annotations.NullMarked;
