#!/usr/bin/env bash
# Rollguard against VictoriaMetrics, side by side in one run, on the same load generator and the
# same samples (issue #12): both bodies come from one seed (ManySeriesBodies: 10 services x 100
# requests with their own endpoint/stage labels, 1,000 series per body), both servers run at once
# on loopback, and wrk drives one, then the other, in turn, PAIRS times. A rate is accepted samples
# per second (2xx answers x samples per body); the ratio is taken pair by pair, and the median
# reported. Installs wrk and victoria-metrics (Debian packages) when missing.
# Then Rollguard alone takes the same samples as OTLP/HTTP protobuf exports (one delta histogram
# point per series: 1,000 points per body), and exports whose points hold 20 samples each (as an
# SDK exporting every 2 s at 10 req/s would send): data points/s and the samples/s they carry.
# (VictoriaMetrics 1.79 has no OTLP endpoint.) And remote write 1.0 into both, the same Snappy
# bodies (the Prometheus text samples as one-sample series): REMOTE_WRITE=1.
# Knobs: PAIRS=3 DURATION=15 THREADS=2 CONNECTIONS=16 BODIES=8 SEED=12 MANY=1 REMOTE_WRITE=1 OTLP=1
set -euo pipefail
cd "$(dirname "$0")/../.."
PAIRS=${PAIRS:-3}
DURATION=${DURATION:-15}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
BODIES=${BODIES:-8}
SEED=${SEED:-12}

need() { command -v "$1" >/dev/null || (apt-get update -qq && apt-get install -y -qq "$2") >/dev/null; }
need wrk wrk
need victoria-metrics victoria-metrics
[ -f target/rollguard.jar ] || mvn -B -q package -DskipTests
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
java -cp "$CP" io.rollguard.benchmarks.load.ManySeriesBodies "$SEED" "$BODIES" "$work/json.bodies" "$work/prom.bodies" "$work/otlp1" 1
java -cp "$CP" io.rollguard.benchmarks.load.ManySeriesBodies "$SEED" "$BODIES" "$work/json.bodies" "$work/prom.bodies" "$work/otlp20" 20 "$work/write"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cat > "$work/rollguard.yaml" <<YAML
server: {host: 127.0.0.1, port: 0}
data_dir: $work/rg-data
limits: {max_series: 1000000, max_series_per_service: 1000000, max_inflight_requests: 4096}
YAML
java ${SERVER_JAVA_OPTS:-} -jar target/rollguard.jar serve --config "$work/rollguard.yaml" >"$work/rg.out" 2>"$work/rg.err" &
pids+=($!); rg_pid=$!
vm_port=$(free_port)
victoria-metrics -storageDataPath="$work/vm-data" -httpListenAddr="127.0.0.1:$vm_port" -retentionPeriod=1d \
  -loggerLevel=ERROR >"$work/vm.out" 2>&1 &
pids+=($!); vm_pid=$!
rg_port=""
for _ in $(seq 1 150); do
  rg_port=$(grep -oE 'listening on http://[^ ]+:[0-9]+' "$work/rg.out" | grep -oE '[0-9]+$' || true)
  [ -n "$rg_port" ] && curl -sf "http://127.0.0.1:$vm_port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
[ -n "$rg_port" ] || { echo "rollguard did not start"; cat "$work/rg.err"; exit 1; }

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# run NAME PID PORT PATH TYPE FILE SECONDS [SAMPLES_PER_BODY]: prints "rate cpu_ns_per_sample"
# (FILE: bodies separated by lines, or a directory of binary bodies, one per file)
run() {
  local before after out ok files=""
  [ -d "$6" ] && files=$(ls "$6"/* | tr '\n' ' ')
  before=$(ticks "$2")
  out=$(BODIES="$6" BODY_FILES="$files" URL_PATH="$4" CONTENT_TYPE="$5" CONTENT_ENCODING="${ENCODING:-}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${7}s" \
    -s benchmarks/peers/post.lua "http://127.0.0.1:$3")
  after=$(ticks "$2")
  ok=$(echo "$out" | awk '/^ok_requests/ {print $2}')
  awk -v ok="$ok" -v d="$7" -v t=$((after - before)) -v hz="$hz" -v per="${8:-1000}" \
    'BEGIN { s = ok * per; printf "%.0f %.0f\n", s / d, (s > 0 ? (t / hz) * 1e9 / s : 0) }'
}
RG=(rollguard "$rg_pid" "$rg_port" /api/v1/ingest application/json "$work/json.bodies")
VM=(victoria-metrics "$vm_pid" "$vm_port" /api/v1/import/prometheus text/plain "$work/prom.bodies")
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(victoria-metrics -version 2>&1 | head -1)"
echo "shape: 10 services x 100 requests, own endpoint/stage labels, 1,000 series and samples per body; $BODIES bodies; wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s per run"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
# side_by_side LABEL WARMUP: the arrays A (Rollguard) and B (VictoriaMetrics) in turn, PAIRS times
side_by_side() {
  local label=$1 ratios=() rg rg_cpu vm vm_cpu ratio i
  run "${A[@]}" "$2" >/dev/null; run "${B[@]}" "$2" >/dev/null   # warm-up (JIT, series, caches)
  for i in $(seq 1 "$PAIRS"); do
    read -r rg rg_cpu < <(run "${A[@]}" "$DURATION")
    read -r vm vm_cpu < <(run "${B[@]}" "$DURATION")
    ratio=$(awk -v a="$rg" -v b="$vm" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    ratios+=("$ratio")
    printf "%spair %d: rollguard %.2fM samples/s (%s ns CPU/sample), victoria-metrics %.2fM samples/s (%s ns CPU/sample), ratio %sx\n" \
      "$label" "$i" "$(awk -v x="$rg" 'BEGIN{print x/1e6}')" "$rg_cpu" "$(awk -v x="$vm" 'BEGIN{print x/1e6}')" "$vm_cpu" "$ratio"
  done
  echo "${label}result: rollguard / victoria-metrics = $(median "${ratios[@]}")x (median of $PAIRS pairs)"
}
if [ "${MANY:-1}" = 1 ]; then
  A=("${RG[@]}"); B=("${VM[@]}")
  side_by_side "" 10
fi

if [ "${REMOTE_WRITE:-1}" = 1 ]; then
  # remote write 1.0 into both, the same Snappy bodies (the text samples as one-sample series)
  A=(rollguard "$rg_pid" "$rg_port" /api/v1/write application/x-protobuf "$work/write")
  B=(victoria-metrics "$vm_pid" "$vm_port" /api/v1/write application/x-protobuf "$work/write")
  export ENCODING=snappy
  side_by_side "remote write " 5
  unset ENCODING
fi

if [ "${OTLP:-1}" = 1 ]; then
  for per in 1 20; do
    OT=(rollguard "$rg_pid" "$rg_port" /v1/metrics application/x-protobuf "$work/otlp$per")
    run "${OT[@]}" 5 1000 >/dev/null   # warm-up
    rates=()
    for i in $(seq 1 "$PAIRS"); do
      read -r points points_cpu < <(run "${OT[@]}" "$DURATION" 1000)
      rates+=("$points")
      printf "otlp run %d (%d samples per point): %.2fM data points/s = %.2fM samples/s (%s ns CPU/point)\n" \
        "$i" "$per" "$(awk -v x="$points" 'BEGIN{print x/1e6}')" "$(awk -v x="$points" -v k="$per" 'BEGIN{print x*k/1e6}')" "$points_cpu"
    done
    m=$(median "${rates[@]}")
    printf "otlp result (%d samples per point): %.2fM data points/s, %.2fM samples/s (median of %d)\n" \
      "$per" "$(awk -v x="$m" 'BEGIN{print x/1e6}')" "$(awk -v x="$m" -v k="$per" 'BEGIN{print x*k/1e6}')" "$PAIRS"
  done
fi
