#!/bin/bash
cd /work/wt-cellchaos
export FERRITE_REBUILD=0
for w in put get; do for r in 500 2000; do
  echo "== $w $r $(uptime)"
  timeout 300 perf/bin/ferrite-perf --target cell --workload $w --records 10000 --rate $r --duration 10 --warmup 3 --json /tmp/cellchaos-perf3/cell-$w-$r.json 2>&1 | grep -v "heap used"
done; done
for w in put get; do
echo "== sweep $w $(uptime)"
timeout 400 perf/bin/ferrite-perf --target cell --workload $w --records 10000 --rate 250 --sweep --sweep-factor 2 --sweep-max-rate 8000 --p99-bound-us 5000 --duration 5 --warmup 2 2>&1 | grep -v "heap used"
done
echo "== chaos $(uptime)"
tools/bin/ferrite chaos --target cell --duration 60 --kill-interval 5 --seed 11 2>&1 | grep -v "^chaos: member [0-9] pid"
echo "== done $(uptime)"
