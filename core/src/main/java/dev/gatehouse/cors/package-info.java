/** Cross-origin resource sharing (the Fetch standard's CORS protocol), answered before any guard. */
@NullMarked
package dev.gatehouse.cors;

import org.jspecify.annotations.NullMarked;
