/** The access log: one structured event per exchange. */
@NullMarked
package dev.gatehouse.logging;

import org.jspecify.annotations.NullMarked;
