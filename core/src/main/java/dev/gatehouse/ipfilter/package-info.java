/** Allow and deny lists of networks on the trusted client address, checked before any guard. */
@NullMarked
package dev.gatehouse.ipfilter;

import org.jspecify.annotations.NullMarked;
