package io.rollguard.ingest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every event loop's {@link WriteBuffer}, and a barrier over them: {@link #flushAll} completes once
 * each loop has written what it held, so a reader that waits for it sees every sample accepted
 * before it asked. Evaluation ticks and queries wait for it; it costs one hop to each event loop.
 *
 * <p>Thread-safe.
 */
public final class WriteBarrier {

  private record Member(Context context, Runnable flush) {}

  private final List<Member> members = new CopyOnWriteArrayList<>();

  /** {@code flush} writes one loop's buffer; it runs on {@code context}. */
  public void register(Context context, Runnable flush) {
    members.add(new Member(context, flush));
  }

  /** Completes once every registered loop has flushed (at once when none is registered). */
  public Future<Void> flushAll() {
    if (members.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> flushed = new ArrayList<>();
    for (Member m : members) {
      Promise<Void> p = Promise.promise();
      m.context()
          .runOnContext(
              v -> {
                try {
                  m.flush().run();
                  p.complete();
                } catch (RuntimeException e) {
                  p.fail(e);
                }
              });
      flushed.add(p.future());
    }
    return Future.all(flushed).mapEmpty();
  }
}
