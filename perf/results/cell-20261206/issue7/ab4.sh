#!/bin/bash
# Members' longest idle park (ferrite.cell.idleMaxParkUs) 50 / 100 / 200 / 500 us, twice interleaved; put at 100/s.
cd "${FERRITE_ROOT:-$(dirname "$0")/../../../..}"
export FERRITE_REBUILD=0
run() { name=$1; wl=$2; shift 2; echo "== $name $wl member='$*' $(uptime)"; FERRITE_CELL_JAVA_OPTS="$*" timeout 300 perf/bin/ferrite-perf --target cell --workload $wl --records 2000 --rate 100 --duration 10 --warmup 3 --json ${OUT:-/tmp}/$name.json 2>&1 | grep "p50="; }
for round in 1 2; do
  for park in 50 100 200 500; do run park$park-$round put -Dferrite.cell.idleMaxParkUs=$park; done
done
echo "== end $(uptime)"
