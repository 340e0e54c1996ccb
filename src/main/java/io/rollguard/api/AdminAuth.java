package io.rollguard.api;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin token check of control endpoints (reload, setting a rollout's stage): {@code
 * Authorization: Bearer <token>}, compared in constant time; open when no token is configured.
 * Immutable.
 */
final class AdminAuth {

  private final String adminToken;

  AdminAuth(String adminToken) {
    this.adminToken = adminToken;
  }

  /** True when the request may go on; otherwise it has been answered with 401. */
  boolean admit(RoutingContext ctx) {
    if (adminToken == null || matches(ctx.request().getHeader("Authorization"))) {
      return true;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"rollguard admin\"");
    Json.error(ctx, 401, "the admin token is required (Authorization: Bearer <token>)");
    return false;
  }

  private boolean matches(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(
        header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
        adminToken.getBytes(StandardCharsets.UTF_8));
  }
}
