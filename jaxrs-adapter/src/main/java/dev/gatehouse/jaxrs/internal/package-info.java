/** Implementation details of the JAX-RS adapter; not API. */
@NullMarked
package dev.gatehouse.jaxrs.internal;

import org.jspecify.annotations.NullMarked;
