/**
 * Authentication and authorization contracts shared by the front ends (MQTT, gRPC, admin API):
 * {@link io.ratatoskr.core.security.Authenticator} turns {@link io.ratatoskr.core.security.Credentials}
 * into a {@link io.ratatoskr.core.security.Principal}, and {@link io.ratatoskr.core.security.Authorizer}
 * decides per topic. The defaults let everyone in anonymously and allow everything.
 */
package io.ratatoskr.core.security;
