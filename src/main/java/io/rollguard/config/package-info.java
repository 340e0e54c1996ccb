/**
 * Reading the YAML files people write: {@code rollguard.yaml} here, rule files in {@code rules}.
 * Files are read into a tree that remembers where every node stands ({@link
 * io.rollguard.config.YamlNode}), then checked field by field ({@link io.rollguard.config.Fields})
 * so that every problem is reported at once as {@code file:line:column: message}.
 */
package io.rollguard.config;
