#!/usr/bin/env bash
cd /work/wt-httpperf
export FERRITE_REBUILD=0
export FERRITE_PERF_JAVA_OPTS="-Daeron.driver.timeout=60000 -Daeron.client.liveness.timeout=60000000000 -Daeron.publication.unblock.timeout=70000000000 -Daeron.timer.interval=1000000000"
run() {
  name=$1; shift
  echo "=== $name: $*" ; echo "load before: $(cat /proc/loadavg)"
  timeout 400 perf/bin/ferrite-perf "$@" --records 5000 --json /tmp/hpm/$name.json > /tmp/hpm/$name.log 2>&1
  echo "rc=$? load after: $(cat /proc/loadavg)"
  grep -v "INFO\|heap used\|^\s*at \|^$" /tmp/hpm/$name.log | tail -14
}
/tmp/hpm/ab.sh
run sweep2-http-a --target http --workload ycsb-a --sweep --rate 500 --sweep-factor 2 --sweep-max-rate 64000 --p99-bound-us 10000 --duration 4 --warmup 3
run sweep2-dyn-a --target dynalite --workload ycsb-a --sweep --rate 250 --sweep-factor 2 --sweep-max-rate 16000 --p99-bound-us 10000 --duration 4 --warmup 3
run a2000b --compare http,dynalite --workload ycsb-a --rate 2000 --duration 5 --warmup 3 --rounds 2
echo ALLDONE
