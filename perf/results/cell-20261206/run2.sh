#!/bin/bash
cd /work/wt-cellchaos
export FERRITE_REBUILD=0
echo "== put 500 clients=4 $(uptime)"
FERRITE_PERF_JAVA_OPTS=-Dferrite.perf.cellClients=4 timeout 300 perf/bin/ferrite-perf --target cell --workload put --records 10000 --rate 500 --duration 10 --warmup 3 2>&1 | grep -v "heap used"
echo "== sweep get clients=4 from 100 $(uptime)"
FERRITE_PERF_JAVA_OPTS=-Dferrite.perf.cellClients=4 timeout 400 perf/bin/ferrite-perf --target cell --workload get --records 10000 --rate 100 --sweep --sweep-factor 2 --sweep-max-rate 6400 --p99-bound-us 5000 --duration 5 --warmup 2 2>&1 | grep -v "heap used"
echo "== done $(uptime)"
