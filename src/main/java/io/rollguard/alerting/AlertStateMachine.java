package io.rollguard.alerting;

import io.rollguard.rules.Truth;

/**
 * The lifecycle of SPEC 3.3 as a function: {@code (state, outcome of an evaluation, now) -> (state,
 * event)}. Only {@link Truth#TRUE} counts as a violation; {@code FALSE} and {@code NO_DATA} both
 * count as "not violating".
 *
 * <ul>
 *   <li>inactive: a true evaluation starts pending (at {@code now}, one in a row);
 *   <li>pending: fires once it has held {@code for} and {@code consecutive} true evaluations in a
 *       row (both can already hold on the first, so an instance can fire at once); anything but
 *       true returns to inactive;
 *   <li>firing: stays while true; resolves at the first evaluation that is not true once {@code
 *       keep_firing_for} has passed since the last true one.
 * </ul>
 *
 * Stateless; an {@link IncidentNamer} names each firing episode.
 */
public final class AlertStateMachine {

  /** The state after an evaluation, and what changed (null: nothing to tell). */
  public record Step(InstanceState state, Phase transition) {}

  /** Names the incident of an episode that fires at a given time ({@link IncidentIds} does). */
  @FunctionalInterface
  public interface IncidentNamer {
    String idFor(long firedAtMillis);
  }

  private AlertStateMachine() {}

  public static Step step(
      InstanceState s, Truth outcome, long now, Timing timing, IncidentNamer incidentIds) {
    boolean violating = outcome == Truth.TRUE;
    switch (s.phase()) {
      case INACTIVE -> {
        if (!violating) {
          return new Step(s, null);
        }
        InstanceState pending = new InstanceState(Phase.PENDING, now, 1, 0, now, null);
        Step fired = fireIfDue(pending, now, timing, incidentIds);
        return fired != null ? fired : new Step(pending, Phase.PENDING);
      }
      case PENDING -> {
        if (!violating) {
          return new Step(InstanceState.INACTIVE, Phase.INACTIVE);
        }
        InstanceState held =
            new InstanceState(
                Phase.PENDING, s.pendingSinceMillis(), s.consecutiveTrue() + 1, 0, now, null);
        Step fired = fireIfDue(held, now, timing, incidentIds);
        return fired != null ? fired : new Step(held, null);
      }
      default -> {
        if (violating) {
          return new Step(
              new InstanceState(
                  Phase.FIRING,
                  s.pendingSinceMillis(),
                  s.consecutiveTrue() + 1,
                  s.firedAtMillis(),
                  now,
                  s.incidentId()),
              null);
        }
        if (now - s.lastTrueMillis() >= timing.keepFiringForMillis()) {
          return new Step(InstanceState.INACTIVE, Phase.INACTIVE);
        }
        return new Step(s, null);
      }
    }
  }

  private static Step fireIfDue(InstanceState pending, long now, Timing timing, IncidentNamer ids) {
    if (now - pending.pendingSinceMillis() >= timing.forMillis()
        && pending.consecutiveTrue() >= timing.consecutive()) {
      return new Step(
          new InstanceState(
              Phase.FIRING,
              pending.pendingSinceMillis(),
              pending.consecutiveTrue(),
              now,
              now,
              ids.idFor(now)),
          Phase.FIRING);
    }
    return null;
  }
}
