/**
 * Cluster mode on Kafka (docs/cluster.md), being built: so far the record codec ingest nodes will
 * produce (one record per series and second of a body, the latency distribution in the windows'
 * buckets). Pure: no Vert.x, no Kafka client.
 */
package io.rollguard.cluster;
