/** Implementation details shared by Gatehouse packages; not API, not exported. */
@NullMarked
package dev.gatehouse.internal;

import org.jspecify.annotations.NullMarked;
