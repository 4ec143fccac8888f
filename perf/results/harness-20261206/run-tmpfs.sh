#!/usr/bin/env bash
# Same comparisons as run.sh, every target's files (WAL, stores, maps) on tmpfs: -Djava.io.tmpdir=/dev/shm
set -u
cd /work/wt-harness
P="env FERRITE_REBUILD=0 FERRITE_PERF_JAVA_OPTS=-Djava.io.tmpdir=/dev/shm perf/bin/ferrite-perf"
echo "=== compare ipc,redis (tmpfs) $(date -u +%H:%M:%S) $(uptime)"
$P --compare ipc,redis --workload ycsb-a --rate 10000 --duration 5 --warmup 2 --rounds 2 --json perf/results/harness-20261206/shm-cmp-ipc-redis.json --hgrm perf/results/harness-20261206/shm-cmp-ipc-redis.hgrm 2>&1 | grep -v INFO | grep -v '^$'
echo "=== compare embedded,chronicle-map (tmpfs) $(date -u +%H:%M:%S) $(uptime)"
$P --compare embedded,chronicle-map --workload ycsb-a --rate 10000 --duration 5 --warmup 2 --rounds 2 --json perf/results/harness-20261206/shm-cmp-emb-cm.json --hgrm perf/results/harness-20261206/shm-cmp-emb-cm.hgrm 2>&1 | grep -v INFO | grep -v '^$'
for t in embedded ipc; do
  echo "=== $t get (tmpfs) $(date -u +%H:%M:%S) $(uptime)"
  $P --target $t --workload get --rate 10000 --duration 10 --warmup 3 --json perf/results/harness-20261206/shm-$t-get.json --hgrm perf/results/harness-20261206/shm-$t-get.hgrm 2>&1 | grep -v INFO | grep -v '^$'
done
echo "=== done $(date -u +%H:%M:%S) $(uptime)"
