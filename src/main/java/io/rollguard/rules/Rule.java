package io.rollguard.rules;

import io.rollguard.config.Position;
import io.rollguard.window.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A threshold rule as written in a rule file (SPEC 3.1), validated. {@code every} is null when the
 * rule uses the server's evaluation interval; {@code baseline} is null without a baseline selector.
 * Immutable.
 */
public record Rule(
    String name,
    String description,
    Selector select,
    Map<String, String> selectSpec,
    List<String> by,
    Duration window,
    Expr when,
    String whenText,
    Duration forDuration,
    int consecutive,
    Duration every,
    long minSamples,
    Duration keepFiringFor,
    Severity severity,
    List<String> receivers,
    Map<String, String> labels,
    Map<String, String> annotations,
    Selector baseline,
    Position position) {}
