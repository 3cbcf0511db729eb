/**
 * Authentication offload: JWT bearer tokens ({@link dev.gatehouse.auth.JwtPolicy}) and API keys ({@link
 * dev.gatehouse.auth.ApiKeyPolicy}) become a {@link dev.gatehouse.Principal} and trusted identity headers
 * for the service; {@link dev.gatehouse.auth.ScopePolicy} checks scopes per route.
 */
@NullMarked
package dev.gatehouse.auth;

import org.jspecify.annotations.NullMarked;
