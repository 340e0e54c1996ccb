package io.rollguard.server;

import io.rollguard.alerting.AlertEvent;
import io.rollguard.alerting.RuleEngine;
import io.rollguard.notify.Notification;
import io.rollguard.rollout.RolloutEngine;
import io.rollguard.slo.SloEngine;
import java.util.List;
import java.util.Map;

/**
 * What the rules service of a cluster node needs from the cluster (docs/cluster.md): which keys it
 * owns right now, and where its states go after every change. Null on a single node.
 */
interface ClusterOwnership {

  /** The label whose value is the evaluation key ({@code cluster.key_label}). */
  String keyLabel();

  /**
   * True when this node owns {@code key} and has rebuilt it: it alone evaluates and sends for it.
   */
  boolean owns(String key);

  /**
   * True while this node has heard from the brokers lately: false during an outage, and right after
   * the node itself was paused (a GC pause, a frozen VM) until it has checked with them, so that a
   * node whose partitions may have moved meanwhile evaluates and sends nothing.
   */
  boolean reading();

  /**
   * Everything the owner of a key must hand on: called on the rules worker after an evaluation or a
   * change; the cluster writes the records of the keys it owns that changed.
   */
  void statesChanged(States states);

  /**
   * The states of every definition, the notifications not settled yet, and the key of each
   * definition ({@link #definitionKey}).
   */
  record States(
      List<RuleEngine.SavedInstance> instances,
      List<RolloutEngine.SavedStage> stages,
      List<SloEngine.SavedSlo> slos,
      List<Notification> unsettled,
      Map<String, String> keyOf) {}

  /** How {@link States#keyOf} names a definition. */
  static String definitionKey(AlertEvent.Source source, String name) {
    return source.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
  }
}
