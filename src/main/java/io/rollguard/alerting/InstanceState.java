package io.rollguard.alerting;

/**
 * The state of one alert instance, immutable: a new one comes out of every evaluation. Times are
 * epoch milliseconds, {@code 0} when not applicable; {@code incidentId} is set while firing.
 */
public record InstanceState(
    Phase phase,
    long pendingSinceMillis,
    int consecutiveTrue,
    long firedAtMillis,
    long lastTrueMillis,
    String incidentId) {

  public static final InstanceState INACTIVE = new InstanceState(Phase.INACTIVE, 0, 0, 0, 0, null);
}
