/** Response security headers and per-route request and response header transforms. */
@NullMarked
package dev.gatehouse.headers;

import org.jspecify.annotations.NullMarked;
