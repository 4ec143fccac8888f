#!/usr/bin/env bash
set -u
cd /work/wt-harness
P="env FERRITE_REBUILD=0 perf/bin/ferrite-perf"
for t in embedded chronicle-map ipc udp redis; do
  echo "=== $t $(date -u +%H:%M:%S) $(uptime)"
  $P --target $t --workload get --rate 10000 --duration 10 --warmup 3 --json perf/results/harness-20261206/$t-get.json --hgrm perf/results/harness-20261206/$t-get.hgrm 2>&1 | grep -v INFO | grep -v '^$'
done
echo "=== compare ipc,redis $(date -u +%H:%M:%S) $(uptime)"
$P --compare ipc,redis --workload ycsb-a --rate 10000 --duration 5 --warmup 2 --rounds 2 --json perf/results/harness-20261206/cmp-ipc-redis.json --hgrm perf/results/harness-20261206/cmp-ipc-redis.hgrm 2>&1 | grep -v INFO | grep -v '^$'
echo "=== compare embedded,chronicle-map $(date -u +%H:%M:%S) $(uptime)"
$P --compare embedded,chronicle-map --workload ycsb-a --rate 10000 --duration 5 --warmup 2 --rounds 2 --json perf/results/harness-20261206/cmp-emb-cm.json --hgrm perf/results/harness-20261206/cmp-emb-cm.hgrm 2>&1 | grep -v INFO | grep -v '^$'
echo "=== done $(date -u +%H:%M:%S) $(uptime)"
