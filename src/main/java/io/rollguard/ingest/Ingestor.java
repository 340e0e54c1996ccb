package io.rollguard.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.rollguard.clock.Clock;
import io.rollguard.window.Labels;
import io.rollguard.window.LatencyScratch;
import io.rollguard.window.RequestWindow;
import io.rollguard.window.SeriesRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Turns ingest bodies into recorded samples: parses them ({@link BatchReader}), then commits what
 * was staged: resolves series labels, checks the token's services and the cardinality caps, and
 * records into windows, one window lock per run of samples of the same series.
 *
 * <p>Not thread-safe: one per event loop, whose requests it serves one handler call at a time. What
 * it shares (the registry) is thread-safe.
 */
public final class Ingestor {

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  private final SeriesRegistry registry;
  private final IngestLimits limits;
  private final Clock clock;
  private final BatchReader reader;
  private final Staging staging = new Staging();
  private final LatencyScratch scratch = new LatencyScratch();

  private final SeriesCache series;
  private final LabelSets labelSets = new LabelSets();

  /**
   * Cluster mode: the label whose value decides the owner of a series (null: a single node). Items
   * then go to {@link #sink}, not to the registry.
   */
  private String keyLabel;

  /** Where the body being ingested goes in cluster mode (set per body by {@link #sendTo}). */
  private io.rollguard.window.SampleSink sink;

  /** Null until {@link #acceptOtlp} is called. */
  private OtlpReader otlp;

  /** Null until {@link #acceptRemoteWrite} is called. */
  private RemoteWriteReader remoteWrite;

  /**
   * Null: requests are recorded as they are committed (replay, rule tests); see {@link #buffered}.
   */
  private final WriteBuffer buffer;

  /**
   * A run of at least this many samples of one series is written at once even by a buffered
   * ingestor: its window lock is already shared by many samples, and copying them would only cost.
   */
  static final int DIRECT_RUN = 32;

  /** An ingestor that records every committed sample at once. */
  public Ingestor(SeriesRegistry registry, IngestLimits limits, Clock clock) {
    this(registry, limits, clock, false);
  }

  /**
   * An ingestor that holds request samples per series for a few milliseconds ({@link WriteBuffer}):
   * its owner calls {@link #flush()} on a timer and registers it with the server's {@link
   * WriteBarrier}, which readers wait for.
   */
  public static Ingestor buffered(SeriesRegistry registry, IngestLimits limits, Clock clock) {
    return new Ingestor(registry, limits, clock, true);
  }

  private Ingestor(SeriesRegistry registry, IngestLimits limits, Clock clock, boolean buffered) {
    this.buffer = buffered ? new WriteBuffer(registry) : null;
    this.registry = registry;
    this.limits = limits;
    this.clock = clock;
    this.reader = new BatchReader(limits, labelSets);
    this.series = new SeriesCache(limits);
  }

  /**
   * Makes this a cluster node's ingestor (docs/cluster.md): what it accepts goes to the {@link
   * #sendTo sink} of the body, not into the registry; an item whose series lacks {@code keyLabel}
   * is rejected (it would belong to no node); the series caps are the owners' to enforce.
   */
  public Ingestor forwarding(String keyLabel) {
    this.keyLabel = keyLabel;
    return this;
  }

  /** In cluster mode, where what the next calls accept goes (one sink per body). */
  public void sendTo(io.rollguard.window.SampleSink sink) {
    this.sink = sink;
  }

  /**
   * Ingests a whole JSON body: one batch object or an array of them. Nothing is recorded unless the
   * whole body parses.
   *
   * @param serviceAllowed which services the caller's token may write
   * @throws MalformedBodyException when the body is not JSON, saying where
   */
  public IngestOutcome ingestJson(byte[] body, int length, Predicate<String> serviceAllowed)
      throws MalformedBodyException {
    long now = clock.wallTimeMillis();
    IngestOutcome out = new IngestOutcome();
    staging.clear();
    try (JsonParser p = JSON.createParser(body, 0, length)) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_OBJECT) {
        reader.read(p, 0, line(p), now, staging, out);
      } else if (t == JsonToken.START_ARRAY) {
        int index = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          if (t == JsonToken.START_OBJECT) {
            reader.read(p, index, line(p), now, staging, out);
          } else {
            out.reject(RejectReason.INVALID, 1, index, line(p), "a batch must be a JSON object");
            p.skipChildren();
          }
          index++;
        }
      } else {
        throw malformed(
            t == null
                ? "the body is empty"
                : "the body must be a JSON object or an array of objects",
            p.currentTokenLocation());
      }
      if (p.nextToken() != null) {
        throw malformed("unexpected content after the JSON value", p.currentTokenLocation());
      }
    } catch (JsonProcessingException e) {
      staging.clear();
      throw malformed(e.getOriginalMessage(), e.getLocation());
    } catch (IOException e) {
      staging.clear();
      throw new UncheckedIOException(e);
    }
    commit(out, serviceAllowed, now);
    return out;
  }

  /**
   * Lets this ingestor take OTLP exports ({@link #ingestOtlp}), mapped by {@code settings}, with
   * {@code streams} (shared by every ingestor) turning cumulative points into deltas.
   */
  public Ingestor acceptOtlp(
      OtlpStreams streams, io.rollguard.config.RollguardConfig.Otlp settings) {
    this.otlp = new OtlpReader(limits, labelSets, streams, settings);
    return this;
  }

  /**
   * Ingests one OTLP export: what maps onto series is recorded, through the same checks as JSON
   * ingest; every point that cannot be taken is rejected alone (SPEC 1.4).
   */
  public IngestOutcome ingestOtlp(
      io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest request,
      Predicate<String> serviceAllowed) {
    if (otlp == null) {
      throw new IllegalStateException("this ingestor does not take OTLP (acceptOtlp)");
    }
    long now = clock.wallTimeMillis();
    IngestOutcome out = new IngestOutcome();
    staging.clear();
    try {
      otlp.read(request, now, staging, out, serviceAllowed);
    } catch (RuntimeException e) {
      staging.clear();
      throw e;
    }
    commit(out, serviceAllowed, now);
    return out;
  }

  /**
   * Lets this ingestor take Prometheus remote write ({@link #ingestRemoteWrite}), mapped by {@code
   * settings}; {@code histograms} and {@code nativeStreams} (shared by every ingestor) turn
   * cumulative buckets into per-scrape counts.
   */
  public Ingestor acceptRemoteWrite(
      PromHistograms histograms,
      OtlpStreams nativeStreams,
      io.rollguard.config.RollguardConfig.RemoteWrite settings) {
    this.remoteWrite =
        new RemoteWriteReader(limits, labelSets, histograms, nativeStreams, settings);
    return this;
  }

  /**
   * Ingests one remote write request, {@code proto} being the {@code WriteRequest} already out of
   * its Snappy block: what maps onto series is recorded, through the same checks as JSON ingest.
   *
   * @throws MalformedBodyException when {@code proto} is not a {@code WriteRequest}
   */
  public IngestOutcome ingestRemoteWrite(byte[] proto, Predicate<String> serviceAllowed)
      throws MalformedBodyException {
    if (remoteWrite == null) {
      throw new IllegalStateException("this ingestor does not take remote write");
    }
    long now = clock.wallTimeMillis();
    IngestOutcome out = new IngestOutcome();
    staging.clear();
    try {
      remoteWrite.read(proto, now, staging, out, serviceAllowed);
    } catch (RuntimeException e) {
      staging.clear();
      throw e;
    }
    commit(out, serviceAllowed, now);
    return out;
  }

  /** Starts an NDJSON body; feed it chunks as they arrive. */
  public NdjsonStream ndjson(Predicate<String> serviceAllowed) {
    return new NdjsonStream(serviceAllowed);
  }

  /**
   * An NDJSON body being read: each complete line is parsed on its own as it arrives, and what a
   * chunk completed is recorded at once; a partial last line waits for the next chunk. A line that
   * does not parse is rejected alone and never touches its neighbours. Not thread-safe: owned by
   * one request.
   */
  public final class NdjsonStream {
    private final Predicate<String> serviceAllowed;
    private final IngestOutcome out = new IngestOutcome();
    private final NdjsonLines lines = new NdjsonLines(limits.maxBodyBytes());
    private final NdjsonLines.Handler readLine = this::readLine;
    private final IngestOutcome.Mark outcomeBefore = new IngestOutcome.Mark();
    private long nowMillis;

    private NdjsonStream(Predicate<String> serviceAllowed) {
      this.serviceAllowed = serviceAllowed;
    }

    public IngestOutcome outcome() {
      return out;
    }

    /** Reads {@code chunk[0, length)}. */
    public void accept(byte[] chunk, int length) throws LineTooLongException {
      accept(chunk, 0, length);
    }

    /** Reads {@code chunk[from, from + length)}. */
    public void accept(byte[] chunk, int from, int length) throws LineTooLongException {
      nowMillis = clock.wallTimeMillis();
      staging.clear();
      try {
        lines.accept(chunk, from, length, readLine);
      } finally {
        commit(out, serviceAllowed, nowMillis);
      }
    }

    /**
     * Reads one complete line, numbered {@code lineNumber}, split off by the caller's own {@link
     * NdjsonLines} (replay does, to set its clock between lines); do not mix with {@link #accept}.
     */
    public void acceptLine(byte[] bytes, int from, int length, int lineNumber) {
      nowMillis = clock.wallTimeMillis();
      staging.clear();
      try {
        readLine(bytes, from, length, lineNumber);
      } finally {
        commit(out, serviceAllowed, nowMillis);
      }
    }

    /** Reads a last line without a newline, and returns what became of the whole body. */
    public IngestOutcome finish() {
      nowMillis = clock.wallTimeMillis();
      staging.clear();
      lines.finish(readLine);
      commit(out, serviceAllowed, nowMillis);
      return out;
    }

    private void readLine(byte[] bytes, int from, int length, int line) {
      Staging.Mark before = staging.mark();
      out.mark(outcomeBefore);
      try (JsonParser p = JSON.createParser(bytes, from, length)) {
        JsonToken t = p.nextToken();
        if (t == null) {
          return; // a blank line
        }
        if (t != JsonToken.START_OBJECT) {
          p.skipChildren();
          out.reject(
              RejectReason.INVALID, 1, line - 1, line, "line " + line + ": must be a JSON object");
        } else {
          reader.read(p, line - 1, line, nowMillis, staging, out);
        }
        if (p.nextToken() != null) {
          throw new JsonParseException(p, "more than one JSON value on the line");
        }
      } catch (JsonProcessingException e) {
        rejectLine(before, line, e.getOriginalMessage());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Forgets whatever the broken line staged or reported and rejects the line once: its items read
     * so far count as rejected (at least one).
     */
    private void rejectLine(Staging.Mark before, int line, String why) {
      long items = staging.itemsSince(before) + out.rejected() - outcomeBefore.rejected();
      staging.rollBack(before);
      out.rollBack(outcomeBefore);
      out.reject(
          RejectReason.INVALID,
          Math.max(1, items),
          line - 1,
          line,
          "line " + line + ": not valid JSON: " + why);
    }
  }

  private void commit(IngestOutcome out, Predicate<String> serviceAllowed, long now) {
    try {
      for (Staging.Batch batch : staging.batches) {
        batch.resolved = resolveBatch(batch, serviceAllowed, out);
        if (batch.resolved != null) {
          recordRequests(batch, out, now);
        }
      }
      for (Staging.Gauge g : staging.gauges) {
        SeriesCache.Entry e = entry(g.batch(), g.ownLabels(), out, 1);
        if (e == null) {
          continue;
        }
        if (keyLabel != null) {
          sink.gauge(g.name(), e.labels, g.tsMillis(), g.value());
          out.acceptGauge();
          continue;
        }
        io.rollguard.window.GaugeWindow cached = g.name().equals(e.gaugeName) ? e.gauge : null;
        if (cached != null && cached.record(g.tsMillis(), g.value(), now)) {
          out.acceptGauge();
          continue;
        }
        record(
            out,
            g.batch(),
            e.labels,
            1,
            labels -> {
              io.rollguard.window.GaugeWindow w = registry.gauge(g.name(), labels);
              e.gaugeName = g.name();
              e.gauge = w;
              return w;
            },
            w -> w.record(g.tsMillis(), g.value(), now),
            n -> out.acceptGauge());
      }
      for (Staging.Check c : staging.checks) {
        if (keyLabel != null) {
          Labels labels = seriesLabels(c.batch(), c.ownLabels(), out, 1);
          if (labels != null) {
            sink.check(c.name(), labels, c.tsMillis(), c.ok());
            out.acceptCheck();
          }
          continue;
        }
        record(
            out,
            c.batch(),
            seriesLabels(c.batch(), c.ownLabels(), out, 1),
            1,
            labels -> registry.check(c.name(), labels),
            w -> w.record(c.tsMillis(), c.ok(), now),
            n -> out.acceptCheck());
      }
      for (Staging.Histogram h : staging.histograms) {
        if (keyLabel != null) {
          Labels labels = seriesLabels(h.batch(), h.ownLabels(), out, 1);
          if (labels != null) {
            sink.histogram(labels, h.endMillis(), h.micros(), h.errors());
            out.acceptHistogram();
          }
          continue;
        }
        record(
            out,
            h.batch(),
            seriesLabels(h.batch(), h.ownLabels(), out, 1),
            1,
            registry::requests,
            w -> w.recordHistogram(h.endMillis(), h.micros(), h.errors(), now, scratch),
            n -> out.acceptHistogram());
      }
      for (Staging.Buckets b : staging.buckets) {
        if (keyLabel != null) {
          Labels labels = seriesLabels(b.batch(), b.ownLabels(), out, 1);
          if (labels != null) {
            sink.buckets(labels, b.endMillis(), b.latency(), b.errors());
            out.acceptHistogram();
          }
          continue;
        }
        record(
            out,
            b.batch(),
            seriesLabels(b.batch(), b.ownLabels(), out, 1),
            1,
            registry::requests,
            w -> w.recordBuckets(b.endMillis(), b.latency(), b.errors(), now, scratch),
            n -> out.acceptHistogram());
      }
    } finally {
      staging.clear();
    }
    if (buffer != null && buffer.full()) {
      buffer.flush(now);
    }
  }

  /** Writes the samples a buffered ingestor holds into their windows (no-op when unbuffered). */
  public void flush() {
    if (buffer != null && !buffer.isEmpty()) {
      buffer.flush(clock.wallTimeMillis());
    }
  }

  /** Samples a buffered ingestor accepted but lost at a flush (their series could not be made). */
  public long lostAtFlush() {
    return buffer == null ? 0 : buffer.lost();
  }

  /**
   * Records one item into the window of its series: looks the series up (creating it if a cap
   * allows), writes, and looks again if the window was evicted meanwhile. {@code labels} null: the
   * item was already rejected.
   */
  private static <W> void record(
      IngestOutcome out,
      Staging.Batch batch,
      Labels labels,
      int items,
      Function<Labels, W> lookup,
      Predicate<W> write,
      LongConsumer accept) {
    if (labels == null) {
      return;
    }
    W window = lookup.apply(labels);
    while (window != null && !write.test(window)) {
      window = lookup.apply(labels);
    }
    if (window == null) {
      out.reject(
          RejectReason.CARDINALITY,
          items,
          batch.index,
          batch.line,
          "series limit reached: new series " + labels + " refused");
    } else {
      accept.accept(items);
    }
  }

  /**
   * Records a batch's requests, one window lock per run of requests of the same series. A run's
   * series comes from the cache: its window too, unless the window was evicted meanwhile.
   */
  private void recordRequests(Staging.Batch batch, IngestOutcome out, long now) {
    int i = batch.requestFrom;
    while (i < batch.requestTo) {
      LabelSets.Set own = staging.requestOwnLabels(i);
      int j = i + 1;
      while (j < batch.requestTo && staging.requestOwnLabels(j) == own) {
        j++;
      }
      int from = i;
      int to = j;
      i = j;
      SeriesCache.Entry entry = entry(batch, own, out, to - from);
      if (entry == null) {
        continue;
      }
      if (keyLabel != null) {
        sink.requests(entry.labels, staging.requests, from, to);
        out.acceptRequests(to - from);
        continue;
      }
      if (buffer != null && to - from < DIRECT_RUN) {
        buffer(batch, entry, from, to, out);
        continue;
      }
      RequestWindow window = entry.window;
      if (window != null && window.record(staging.requests, from, to, now, scratch)) {
        out.acceptRequests(to - from);
        continue;
      }
      record(
          out,
          batch,
          entry.labels,
          to - from,
          labels -> {
            RequestWindow w = registry.requests(labels);
            entry.window = w;
            return w;
          },
          w -> w.record(staging.requests, from, to, now, scratch),
          out::acceptRequests);
    }
  }

  /** Holds a run of requests in the write buffer; their series is looked up (or made) now. */
  private void buffer(
      Staging.Batch batch, SeriesCache.Entry entry, int from, int to, IngestOutcome out) {
    if (entry.window == null) {
      entry.window = registry.requests(entry.labels);
    }
    if (entry.window == null) {
      out.reject(
          RejectReason.CARDINALITY,
          to - from,
          batch.index,
          batch.line,
          "series limit reached: new series " + entry.labels + " refused");
      return;
    }
    buffer.add(entry, staging.requests, from, to);
    out.acceptRequests(to - from);
  }

  /** The batch's labels, or null (every item of the batch rejected and reported) when refused. */
  private Labels resolveBatch(
      Staging.Batch batch, Predicate<String> serviceAllowed, IngestOutcome out) {
    int items = batch.requestTo - batch.requestFrom + batch.otherItems;
    if (items == 0) {
      return null;
    }
    if (batch.problem != null) {
      out.reject(RejectReason.INVALID, items, batch.index, batch.line, batch.problem);
      return null;
    }
    if (batch.service == null) {
      out.reject(
          RejectReason.INVALID,
          items,
          batch.index,
          batch.line,
          "service is required (a non-empty string)");
      return null;
    }
    if (!serviceAllowed.test(batch.service)) {
      out.reject(
          RejectReason.FORBIDDEN,
          items,
          batch.index,
          batch.line,
          "this token may not write service '" + batch.service + "'");
      return null;
    }
    SeriesCache.Entry own = series.get(batch.service, batchLabels(batch), LabelSets.EMPTY);
    if (own.problem != null) {
      out.reject(RejectReason.LABELS, items, batch.index, batch.line, own.problem);
      return null;
    }
    return own.labels;
  }

  private static LabelSets.Set batchLabels(Staging.Batch batch) {
    return batch.labels == null ? LabelSets.EMPTY : batch.labels;
  }

  /**
   * The series of {@code items} items sharing {@code own} labels: their batch's, with {@code own}
   * merged over them; null (and the items rejected) when those are not valid or the batch was
   * refused.
   */
  private SeriesCache.Entry entry(
      Staging.Batch batch, LabelSets.Set own, IngestOutcome out, int items) {
    if (batch.resolved == null) {
      return null; // the batch was refused and counted whole
    }
    SeriesCache.Entry e =
        series.get(batch.service, batchLabels(batch), own == null ? LabelSets.EMPTY : own);
    if (e.problem != null) {
      out.reject(RejectReason.LABELS, items, batch.index, batch.line, e.problem);
      return null;
    }
    if (keyLabel != null && e.labels.get(keyLabel) == null) {
      out.reject(
          RejectReason.LABELS,
          items,
          batch.index,
          batch.line,
          "cluster mode: the series has no '"
              + keyLabel
              + "' label (cluster.key_label), which decides the node that evaluates it");
      return null;
    }
    return e;
  }

  private Labels seriesLabels(
      Staging.Batch batch, LabelSets.Set own, IngestOutcome out, int items) {
    SeriesCache.Entry e = entry(batch, own, out, items);
    return e == null ? null : e.labels;
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static MalformedBodyException malformed(String message, JsonLocation at) {
    String where =
        at == null
            ? ""
            : " at line "
                + at.getLineNr()
                + ", column "
                + at.getColumnNr()
                + " (byte "
                + at.getByteOffset()
                + ")";
    return new MalformedBodyException("the body is not valid JSON" + where + ": " + message);
  }
}
