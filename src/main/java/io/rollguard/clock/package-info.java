/**
 * Time as an argument: wall-clock milliseconds for time stamps and monotonic nanoseconds for
 * durations. Only {@link io.rollguard.clock.SystemClock} reads the operating system; {@link
 * io.rollguard.clock.ManualClock} drives tests, {@code test} and {@code replay} on virtual time.
 */
package io.rollguard.clock;
