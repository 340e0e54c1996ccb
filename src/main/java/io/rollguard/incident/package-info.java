/**
 * Incidents: the record of each firing episode, from breach start through every delivery attempt to
 * its resolve, kept on disk under {@code data_dir/incidents}, served by the API and rendered as a
 * postmortem skeleton.
 */
package io.rollguard.incident;
