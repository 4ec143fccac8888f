#!/usr/bin/env bash
# HTTP front before (b4a63dc's http classes, compiled into OLD and put first on the class path) and after this
# change, back to back, then both against dynalite. Run from the repo root after
#   mvn -B -o -q -pl perf -am -DskipTests package
#   mkdir -p /tmp/httpgc-old/src /tmp/httpgc-old/classes && git archive b4a63dc http/src/main/java | tar -x -C /tmp/httpgc-old/src
#   javac -d /tmp/httpgc-old/classes -cp "$(cat perf/target/bench/classpath.txt):$HOME/.m2/repository/com/fasterxml/jackson/core/jackson-core/2.23.0/jackson-core-2.23.0.jar" \
#     $(find /tmp/httpgc-old/src -name '*.java')
# (OLD also needs jackson-core, which the http module no longer ships.) Output: perf/results/http-gc-20261206/ (OUT to
# change).
set -u
OLD=${OLD:-/tmp/httpgc-old/classes:$HOME/.m2/repository/com/fasterxml/jackson/core/jackson-core/2.23.0/jackson-core-2.23.0.jar}
OUT=${OUT:-perf/results/http-gc-20261206}
target=perf/target
flags="$(sed -n 's/^jvm\.flags=//p' "$target/classes/io/ferrite/perf/bench.properties")"
base="$target/classes:$(cat "$target/bench/classpath.txt")"
opts="-Djava.io.tmpdir=/dev/shm -Daeron.driver.timeout=60000 -Daeron.client.liveness.timeout=60000000000 -Daeron.publication.unblock.timeout=70000000000 -Daeron.timer.interval=1000000000"
run() { # name version args...
  local name=$1 v=$2; shift 2
  local cp="$base"; [ "$v" = old ] && cp="$OLD:$base"
  echo "=== $name $v $(date -u +%H:%M:%S) load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086
  timeout 300 java $flags -Xms1g -Xmx1g -Djava.awt.headless=true $opts -cp "$cp" io.ferrite.perf.latency.LatencyHarness \
    "$@" --json "$OUT/$name-$v.json" > "$OUT/$name-$v.log" 2>&1
  echo "rc=$? load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  grep -E "rate=|held|missed=[1-9]" "$OUT/$name-$v.log" | sed 's/ *errors=0 *us://'
}
for what in ${WHAT:-fixed sweep dynalite}; do
  case $what in
    fixed)
      for round in 1 2; do
        for v in old new; do
          run c2000-r$round $v --target http --workload ycsb-c --rate 2000 --duration 5 --warmup 3 --records 5000
          run a2000-r$round $v --target http --workload ycsb-a --rate 2000 --duration 5 --warmup 3 --records 5000
        done
      done ;;
    sweep)
      for v in old new; do
        run sweep-c $v --target http --workload ycsb-c --rate 4000 --sweep --sweep-factor 2 --p99-bound-us 10000 --duration 4 --warmup 3 --records 5000
        run sweep-a $v --target http --workload ycsb-a --rate 4000 --sweep --sweep-factor 2 --p99-bound-us 10000 --duration 4 --warmup 3 --records 5000
      done ;;
    dynalite)
      run sweep-c dynalite --target dynalite --workload ycsb-c --rate 250 --sweep --sweep-factor 2 --p99-bound-us 10000 --duration 4 --warmup 3 --records 5000
      run sweep-a dynalite --target dynalite --workload ycsb-a --rate 125 --sweep --sweep-factor 2 --p99-bound-us 10000 --duration 4 --warmup 3 --records 5000 ;;
  esac
done
echo "ALLDONE $(date -u +%H:%M:%S)"
