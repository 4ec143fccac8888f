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
  grep "ycsb-.  \|ratio\|^http  \|^dynalite  " $out/$name.log | grep -v throttles
}
run w-c2000 --compare http,dynalite --workload ycsb-c --warmup-ops 50000 --rate 2000 --duration 5 --warmup 3 --rounds 3
run w-a2000 --compare http,dynalite --workload ycsb-a --warmup-ops 50000 --rate 2000 --duration 5 --warmup 3 --rounds 3
echo ALLDONE
