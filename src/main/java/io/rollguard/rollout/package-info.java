/**
 * Progressive rollouts (SPEC 3.4): the live stage, and a verdict (promote, hold or rollback) from
 * the rollout's criteria over the live stage's series and, for {@code baseline(...)}, the
 * concurrent baseline's. Pure: neither Vert.x nor Micrometer, time as an argument.
 */
package io.rollguard.rollout;
