#!/usr/bin/env bash
cd /work/main
export FERRITE_REBUILD=0
export FERRITE_PERF_JAVA_OPTS="-Djava.io.tmpdir=/dev/shm"
out=/tmp/quiet
run() {
  name=$1; shift
  echo "=== $name: $*" ; echo "load before: $(cat /proc/loadavg) $(date -u +%H:%M:%S)"
  timeout 600 perf/bin/ferrite-perf "$@" --records 5000 --json $out/$name.json > $out/$name.log 2>&1
  echo "rc=$? load after: $(cat /proc/loadavg) $(date -u +%H:%M:%S)"
  grep "sweep:" $out/$name.log
}
run t4-http-c --target http --workload ycsb-c --threads 4 --warmup-ops 50000 --sweep --rate 32000 --sweep-factor 1.25 --sweep-max-rate 400000 --p99-bound-us 10000 --duration 4 --warmup 3
run t4-dyn-c --target dynalite --workload ycsb-c --threads 4 --warmup-ops 20000 --sweep --rate 8000 --sweep-factor 1.25 --sweep-max-rate 64000 --p99-bound-us 10000 --duration 4 --warmup 3
echo ALLDONE
