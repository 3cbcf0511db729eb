/**
 * Response compression: {@link dev.gatehouse.compression.CompressionPolicy} negotiates a content coding
 * with {@link dev.gatehouse.compression.AcceptEncoding} and streams the body through pooled deflaters.
 */
@NullMarked
package dev.gatehouse.compression;

import org.jspecify.annotations.NullMarked;
