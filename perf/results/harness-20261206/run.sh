#!/usr/bin/env bash
# The runs behind perf/README.md's "Results (harness, ...)": OUT=dir perf/results/.../run.sh from the repository root.
set -u
OUT="${OUT:-/tmp/m3}"
P="env FERRITE_REBUILD=0 perf/bin/ferrite-perf"
S="env FERRITE_REBUILD=0 FERRITE_PERF_JAVA_OPTS=-Djava.io.tmpdir=/dev/shm perf/bin/ferrite-perf"
for t in embedded chronicle-map ipc udp redis; do
  echo "=== $t get $(date -u +%H:%M:%S) $(uptime)"
  $P --target $t --workload get --rate 10000 --duration 10 --warmup 3 --json $OUT/$t-get.json --hgrm $OUT/$t-get.hgrm 2>&1 | grep -v INFO | grep -v '^$'
done
echo "=== compare ipc,redis $(date -u +%H:%M:%S) $(uptime)"
$P --compare ipc,redis --workload ycsb-a --rate 10000 --duration 5 --warmup 2 --rounds 2 --json $OUT/cmp-ipc-redis.json --hgrm $OUT/cmp-ipc-redis.hgrm 2>&1 | grep -v INFO | grep -v '^$'
echo "=== compare embedded,chronicle-map $(date -u +%H:%M:%S) $(uptime)"
$P --compare embedded,chronicle-map --workload ycsb-a --rate 10000 --duration 5 --warmup 2 --rounds 2 --json $OUT/cmp-emb-cm.json --hgrm $OUT/cmp-emb-cm.hgrm 2>&1 | grep -v INFO | grep -v '^$'
echo "=== compare ipc,redis, files on tmpfs $(date -u +%H:%M:%S) $(uptime)"
$S --compare ipc,redis --workload ycsb-a --rate 10000 --duration 5 --warmup 2 --rounds 2 --json $OUT/shm-cmp-ipc-redis.json --hgrm $OUT/shm-cmp-ipc-redis.hgrm 2>&1 | grep -v INFO | grep -v '^$'
echo "=== compare embedded,chronicle-map, files on tmpfs $(date -u +%H:%M:%S) $(uptime)"
$S --compare embedded,chronicle-map --workload ycsb-a --rate 10000 --duration 5 --warmup 2 --rounds 2 --json $OUT/shm-cmp-emb-cm.json --hgrm $OUT/shm-cmp-emb-cm.hgrm 2>&1 | grep -v INFO | grep -v '^$'
for d in /tmp /dev/shm /tmp /dev/shm; do
  echo "=== embedded put, files in $d $(date -u +%H:%M:%S) $(uptime)"
  env FERRITE_REBUILD=0 FERRITE_PERF_JAVA_OPTS=-Djava.io.tmpdir=$d perf/bin/ferrite-perf --target embedded --workload put --rate 5000 --duration 5 --warmup 2 2>&1 | grep -v INFO | grep -v '^$'
done
echo "=== done $(date -u +%H:%M:%S) $(uptime)"
