/** Stores on SQL databases through plain JDBC: durable idempotency records on PostgreSQL. */
@NullMarked
package dev.gatehouse.jdbc;

import org.jspecify.annotations.NullMarked;
