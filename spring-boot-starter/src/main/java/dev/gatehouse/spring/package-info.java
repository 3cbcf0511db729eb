/**
 * Gatehouse for Spring Boot: {@code gatehouse.*} properties (the {@code dev.gatehouse.config} vocabulary) become a
 * route table, run by an {@link dev.gatehouse.servlet.OffloadFilter} registered ahead of every other filter.
 */
@NullMarked
package dev.gatehouse.spring;

import org.jspecify.annotations.NullMarked;
