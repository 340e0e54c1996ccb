/**
 * Scheduled reports (SPEC: reports): when a report is due ({@link Schedule}, in its time zone,
 * across DST changes), what happened to rollouts between evaluations ({@link RolloutJournal}), and
 * what a report says ({@link ReportBuilder}: SLO attainment, incidents, rollouts, the noisiest
 * rules; as Markdown, HTML and JSON). Pure: no Vert.x, no Micrometer; time is passed in.
 */
package io.rollguard.report;
