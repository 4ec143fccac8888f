#!/usr/bin/env bash
cd /work/main
export FERRITE_REBUILD=0
export FERRITE_PERF_JAVA_OPTS="-Djava.io.tmpdir=/dev/shm"
out=/tmp/amd
run() {
  name=$1; shift
  echo "=== $name: $*" ; echo "load before: $(cat /proc/loadavg) $(date -u +%H:%M:%S)"
  timeout 600 perf/bin/ferrite-perf "$@" --records 5000 --json $out/$name.json > $out/$name.log 2>&1
  echo "rc=$? load after: $(cat /proc/loadavg) $(date -u +%H:%M:%S)"
  grep -v "INFO\|heap used\|^\s*at \|^$" $out/$name.log | tail -24
}
run c2000 --compare http,dynalite --workload ycsb-c --rate 2000 --duration 5 --warmup 3 --rounds 3
run a2000 --compare http,dynalite --workload ycsb-a --rate 2000 --duration 5 --warmup 3 --rounds 3
run sweep-http-c --target http --workload ycsb-c --sweep --rate 4000 --sweep-factor 2 --sweep-max-rate 128000 --p99-bound-us 10000 --duration 4 --warmup 3
run sweep-dyn-c --target dynalite --workload ycsb-c --sweep --rate 250 --sweep-factor 2 --sweep-max-rate 16000 --p99-bound-us 10000 --duration 4 --warmup 3
run sweep-http-a --target http --workload ycsb-a --sweep --rate 4000 --sweep-factor 2 --sweep-max-rate 128000 --p99-bound-us 10000 --duration 4 --warmup 3
run sweep-dyn-a --target dynalite --workload ycsb-a --sweep --rate 125 --sweep-factor 2 --sweep-max-rate 16000 --p99-bound-us 10000 --duration 4 --warmup 3
echo ALLDONE
