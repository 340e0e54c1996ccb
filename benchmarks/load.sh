#!/usr/bin/env bash
# End-to-end ingest load: the real jar on loopback, driven by wrk (Debian package) with a Lua
# POST script, or by the Java LoadGenerator (LOADGEN=java, or when wrk cannot be installed).
# Samples/s are the server's own count of accepted samples over the run; server CPU and peak RSS
# come from /proc. Knobs: DURATION=20 SERIES=1000 SAMPLES=1000 CONNECTIONS=8 THREADS=1
#                         LOADGEN=wrk|java SERVER_JAVA_OPTS=""
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
SERIES=${SERIES:-1000}
SAMPLES=${SAMPLES:-1000}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-1}
LOADGEN=${LOADGEN:-wrk}

if [ "$LOADGEN" = wrk ] && ! command -v wrk >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 || LOADGEN=java
fi
if [ ! -f target/rollguard.jar ]; then mvn -B -q package -DskipTests; fi
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cat > "$work/rollguard.yaml" <<YAML
server: {host: 127.0.0.1, port: 0}
data_dir: $work/data
limits: {max_series: 1000000, max_series_per_service: 1000000, max_inflight_requests: 4096}
YAML
java ${SERVER_JAVA_OPTS:-} -jar target/rollguard.jar serve --config "$work/rollguard.yaml" >"$work/out.log" 2>"$work/err.log" &
pid=$!
port=""
for _ in $(seq 1 150); do
  port=$(grep -oE 'listening on http://[^ ]+:[0-9]+' "$work/out.log" | grep -oE '[0-9]+$' || true)
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || { echo "server did not start"; cat "$work/err.log"; exit 1; }
base="http://127.0.0.1:$port"
accepted() { curl -s "$base/metrics" | awk '/^rollguard_ingest_samples_total\{kind="requests"\}/ {printf "%.0f", $2}'; }

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
echo "load: $LOADGEN, $SERIES series, $SAMPLES samples per batch, $CONNECTIONS connections, ${DURATION}s"
if [ "$LOADGEN" = wrk ]; then
  java -cp "$CP" io.rollguard.benchmarks.load.BodyFile "$work/bodies.ndjson" "$SERIES" "$SAMPLES"
  # Warm the server's JIT for a few seconds before measuring.
  BODIES="$work/bodies.ndjson" wrk -t1 -c"$CONNECTIONS" -d5s -s benchmarks/load/ingest.lua "$base" >/dev/null
  samples0=$(accepted); before=$(ticks "$pid"); start=$(date +%s.%N)
  BODIES="$work/bodies.ndjson" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s benchmarks/load/ingest.lua "$base" \
    | grep -E "Latency|50%|99%|Requests/sec|Non-2xx|Socket errors" | sed 's/^/wrk: /'
else
  samples0=$(accepted); before=$(ticks "$pid"); start=$(date +%s.%N)
  java -cp "$CP" io.rollguard.benchmarks.load.LoadGenerator --url "$base" \
    --series "$SERIES" --samples "$SAMPLES" --seconds "$DURATION" --connections "$CONNECTIONS"
fi
end=$(date +%s.%N); after=$(ticks "$pid"); samples1=$(accepted)
awk -v s=$((samples1 - samples0)) -v a="$start" -v b="$end" -v t=$((after - before)) -v hz="$hz" 'BEGIN {
  d = b - a
  printf "result: %.2fM samples/s accepted by the server over %.1f s\n", s / d / 1e6, d
  printf "server: %.1f CPU s (%.2f cores), %.0f ns of server CPU per sample\n", t / hz, t / hz / d, (t / hz) * 1e9 / s
}'
echo "server: peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status")"
