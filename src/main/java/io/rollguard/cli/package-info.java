/**
 * The {@code rollguard} command line (SPEC 6). Commands parse arguments, call into the server or
 * the evaluation code, and print; this is the only package that writes to standard output.
 */
package io.rollguard.cli;
