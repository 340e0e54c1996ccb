package io.rollguard.alerting;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every engine over named definitions shares (rules, rollouts, SLOs): replacing the
 * definitions when the files reload, matched by name (what is new starts, what was there before is
 * carried over as the subclass sees fit, what is gone is retired and resolves what it had open),
 * and saving and restoring runtimes across restarts, matched by name again. Subclasses say what
 * starting, carrying, retiring, saving and restoring mean; the skeleton is written once.
 *
 * <p>Not thread-safe: owned by the thread that loads and evaluates; subclasses publish immutable
 * snapshots for readers from {@link #publish}.
 *
 * @param <D> a definition as loaded from a rule file
 * @param <R> its runtime: the definition with its state
 * @param <S> one item of what is saved across restarts
 */
public abstract class DefinitionEngine<D, R, S> {

  private Map<String, R> runtimes = Map.of();

  private Map<String, D> definitions = Map.of();

  /** The name that identifies {@code definition} across reloads and restarts. */
  protected abstract String nameOf(D definition);

  /** The runtime of a definition seen for the first time. */
  protected abstract R start(D definition, long nowMillis);

  /**
   * The runtime of {@code definition}, which replaces {@code old} of the same name (changed or
   * not); what the change ends (a resolve) goes to {@code events}.
   */
  protected abstract R carry(D definition, R old, long nowMillis, List<AlertEvent> events);

  /** A runtime whose definition is gone: what it has open resolves into {@code events}. */
  protected abstract void retire(R gone, long nowMillis, List<AlertEvent> events);

  /** What readers see, published after every change. */
  protected abstract void publish(long nowMillis);

  /** What of {@code runtime} must outlive the process (nothing: an empty list). */
  protected abstract List<S> save(R runtime);

  /** The name of the definition {@code saved} belongs to. */
  protected abstract String savedName(S saved);

  /** Applies {@code saved} to its runtime; false when it no longer fits (it is then ignored). */
  protected abstract boolean restore(R runtime, S saved, long nowMillis);

  /**
   * Replaces the definitions; returns what resolved because a definition changed or is gone.
   * Runtimes stay in the order of {@code definitions}.
   */
  protected final List<AlertEvent> replace(List<D> definitions, long nowMillis) {
    Map<String, R> previous = new LinkedHashMap<>(runtimes);
    Map<String, R> next = new LinkedHashMap<>();
    List<AlertEvent> events = new ArrayList<>();
    for (D d : definitions) {
      R old = previous.remove(nameOf(d));
      next.put(nameOf(d), old == null ? start(d, nowMillis) : carry(d, old, nowMillis, events));
    }
    for (R gone : previous.values()) {
      retire(gone, nowMillis, events);
    }
    runtimes = next;
    Map<String, D> named = new LinkedHashMap<>();
    definitions.forEach(d -> named.put(nameOf(d), d));
    this.definitions = named;
    publish(nowMillis);
    return events;
  }

  /**
   * Starts the definitions {@code which} names afresh, as if seen for the first time: their states
   * are forgotten, nothing resolves (cluster mode: their key moved to another node, or is about to
   * be restored from the state topic). Returns how many.
   */
  public final int reset(java.util.function.Predicate<String> which, long nowMillis) {
    Map<String, R> next = new LinkedHashMap<>(runtimes);
    int n = 0;
    for (var e : definitions.entrySet()) {
      if (which.test(e.getKey())) {
        next.put(e.getKey(), start(e.getValue(), nowMillis));
        n++;
      }
    }
    runtimes = next;
    publish(nowMillis);
    return n;
  }

  /** The runtimes, in definition order. */
  protected final Collection<R> runtimes() {
    return Collections.unmodifiableCollection(runtimes.values());
  }

  /** The runtime of the definition named {@code name}, or null. */
  protected final R runtime(String name) {
    return runtimes.get(name);
  }

  /** Everything that must outlive the process, in definition order. */
  public final List<S> saveState() {
    List<S> saved = new ArrayList<>();
    for (R rt : runtimes.values()) {
      saved.addAll(save(rt));
    }
    return saved;
  }

  /**
   * Restores what {@link #saveState} gave before a restart (after the definitions loaded, before
   * the first evaluation). What belongs to no definition any more, or no longer fits one, is
   * ignored; returns how much.
   */
  public final int restoreState(List<S> saved, long nowMillis) {
    int ignored = 0;
    for (S s : saved) {
      R rt = runtimes.get(savedName(s));
      if (rt == null || !restore(rt, s, nowMillis)) {
        ignored++;
      }
    }
    publish(nowMillis);
    return ignored;
  }
}
