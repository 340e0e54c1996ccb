package io.rollguard.alerting;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable incident ids: 16 hex digits of SHA-256 over what fired and when, so the same subject (a
 * rule instance, an SLO tier, a rollout attempt) firing at the same time always gets the same id.
 * Stateless.
 */
public final class IncidentIds {

  private IncidentIds() {}

  /** The id of an incident of {@code subject} (e.g. {@code rule|instance}) fired at that time. */
  public static String of(String subject, long firedAtMillis) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest((subject + "|" + firedAtMillis).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
