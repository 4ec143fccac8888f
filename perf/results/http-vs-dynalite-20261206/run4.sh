#!/usr/bin/env bash
while ! grep -q ALLDONE3 /tmp/hpm/all3.out; do sleep 1; done
cd /work/wt-httpperf
export FERRITE_REBUILD=0
export FERRITE_PERF_JAVA_OPTS="-Daeron.driver.timeout=60000 -Daeron.client.liveness.timeout=60000000000 -Daeron.publication.unblock.timeout=70000000000 -Daeron.timer.interval=1000000000"
name=sweep4-dyn-a
echo "=== $name"; echo "load before: $(cat /proc/loadavg)"
timeout 240 perf/bin/ferrite-perf --target dynalite --workload ycsb-a --sweep --rate 125 --sweep-factor 2 --sweep-max-rate 16000 --p99-bound-us 10000 --duration 4 --warmup 3 --records 5000 --json /tmp/hpm/$name.json > /tmp/hpm/$name.log 2>&1
echo "rc=$? load after: $(cat /proc/loadavg)"
grep "sweep" /tmp/hpm/$name.log
echo ALLDONE4
