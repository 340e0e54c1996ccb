/**
 * Rule unit tests ({@code rollguard test}, SPEC 3.6 and 6): synthetic input series in a compact
 * notation, fed to the same {@link io.rollguard.evaluation.Evaluation} as {@code serve} on virtual
 * time, and expected alert states, rollout verdicts, SLO statuses and notifications at given times.
 * No network, no clock.
 */
package io.rollguard.ruletest;
