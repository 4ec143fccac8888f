#!/usr/bin/env bash
cd /work/wt-httpperf
target=perf/target
flags="$(sed -n 's/^jvm\.flags=//p' "$target/classes/io/ferrite/perf/bench.properties")"
base="$target/classes:$(cat "$target/bench/classpath.txt")"
opts="-Daeron.driver.timeout=60000 -Daeron.client.liveness.timeout=60000000000 -Daeron.publication.unblock.timeout=70000000000 -Daeron.timer.interval=1000000000"
for round in 1 2; do
  for v in old new; do
    if [ $v = old ]; then cp="/tmp/oldhttp/classes:$base"; else cp="$base"; fi
    echo "=== $v round $round load $(cat /proc/loadavg)"
    timeout 120 java $flags -Xms1g -Xmx1g -Djava.awt.headless=true $opts -cp "$cp" io.ferrite.perf.latency.LatencyHarness \
      --target http --workload ycsb-c --rate 100 --duration 5 --warmup 3 --records 2000 2>&1 | grep "rate=100"
  done
done
echo "load after $(cat /proc/loadavg)"
