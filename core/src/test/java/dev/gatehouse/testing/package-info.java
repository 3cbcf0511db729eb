/** Fakes for testing policies without a server, shared with every module's tests through the test jar. */
@NullMarked
package dev.gatehouse.testing;

import org.jspecify.annotations.NullMarked;
