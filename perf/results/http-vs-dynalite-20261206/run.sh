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
run a500 --compare http,dynalite --workload ycsb-a --rate 500 --duration 5 --warmup 3 --rounds 2
run c500 --compare http,dynalite --workload ycsb-c --rate 500 --duration 5 --warmup 3 --rounds 2
run a2000 --compare http,dynalite --workload ycsb-a --rate 2000 --duration 5 --warmup 3 --rounds 2
run c2000 --compare http,dynalite --workload ycsb-c --rate 2000 --duration 5 --warmup 3 --rounds 2
run sweep-http-c --target http --workload ycsb-c --sweep --rate 500 --sweep-factor 2 --sweep-max-rate 64000 --p99-bound-us 10000 --duration 4 --warmup 3
run sweep-dyn-c --target dynalite --workload ycsb-c --sweep --rate 250 --sweep-factor 2 --sweep-max-rate 16000 --p99-bound-us 10000 --duration 4 --warmup 3
run sweep-http-a --target http --workload ycsb-a --sweep --rate 500 --sweep-factor 2 --sweep-max-rate 64000 --p99-bound-us 10000 --duration 4 --warmup 3
run sweep-dyn-a --target dynalite --workload ycsb-a --sweep --rate 250 --sweep-factor 2 --sweep-max-rate 16000 --p99-bound-us 10000 --duration 4 --warmup 3
echo ALLDONE
