/**
 * What only hosts call: building an exchange, running a chain over it, buffering request bodies. Users who
 * write policies and chains need none of it.
 */
@NullMarked
package dev.gatehouse.host;

import org.jspecify.annotations.NullMarked;
