#!/bin/bash
# Third A/B when the load dropped: fsync NONE (new default) vs BATCH for put, then get with the new defaults; 100/s.
cd "${FERRITE_ROOT:-$(dirname "$0")/../../../..}"
export FERRITE_REBUILD=0
run() { name=$1; wl=$2; shift 2; echo "== $name $wl member='$*' $(uptime)"; FERRITE_CELL_JAVA_OPTS="$*" timeout 300 perf/bin/ferrite-perf --target cell --workload $wl --records 2000 --rate 100 --duration 10 --warmup 3 --json ${OUT:-/tmp}/$name.json 2>&1 | grep "p50="; }
run H-none put
run I-batch put -Dferrite.engine.fsync=BATCH
run J-none-get get
run K-batch-get get -Dferrite.engine.fsync=BATCH
echo "== end $(uptime)"
