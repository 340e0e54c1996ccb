package io.rollguard.notify;

/**
 * Links from notifications back to this server's incident pages. Immutable.
 *
 * @param base the server's external URL without a trailing slash
 */
public record Links(String base) {

  public String incident(String incidentId) {
    return base + "/api/v1/incidents/" + incidentId;
  }

  public String report(String incidentId) {
    return incident(incidentId) + "/report";
  }
}
