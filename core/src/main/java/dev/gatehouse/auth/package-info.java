/**
 * Authentication offload: one {@link dev.gatehouse.auth.AuthPolicy} owns the refusals, the challenges and the
 * identity headers, and asks pluggable {@link dev.gatehouse.auth.Authenticator}s — JWT bearer tokens ({@link
 * dev.gatehouse.auth.JwtAuthenticator}), API keys ({@link dev.gatehouse.auth.ApiKeyAuthenticator}) and client
 * certificates ({@link dev.gatehouse.auth.ClientCertificateAuthenticator}) — who made
 * the request, as a {@link dev.gatehouse.Principal}; {@link dev.gatehouse.auth.ScopePolicy} checks scopes per
 * route.
 */
@NullMarked
package dev.gatehouse.auth;

import org.jspecify.annotations.NullMarked;
