/**
 * The alert lifecycle (SPEC 3.3): per rule instance, {@code inactive -> pending -> firing ->
 * inactive}, as a pure state machine on times it is given, and the engine that evaluates rules over
 * the windows on each tick. Pure code: no Vert.x, no Micrometer; the shell schedules ticks and
 * carries out the events.
 */
package io.rollguard.alerting;
