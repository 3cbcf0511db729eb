/** Request ids and W3C trace context. */
@NullMarked
package dev.gatehouse.requestid;

import org.jspecify.annotations.NullMarked;
