/** The shared model: policies, decisions, exchanges, the policy chain and the route table. */
@NullMarked
package dev.gatehouse;

import org.jspecify.annotations.NullMarked;
