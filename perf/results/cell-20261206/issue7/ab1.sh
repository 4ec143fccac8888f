#!/bin/bash
# A/B of cell member settings, back to back: put at 100/s, 2,000 records, 3 s warm-up, 10 s measured.
cd "$(dirname "$0")/../../../.."
run() { name=$1; shift; echo "== $name opts='$*' $(uptime)"; FERRITE_CELL_JAVA_OPTS="$*" timeout 300 perf/bin/ferrite-perf --target cell --workload ${WL:-put} --records 2000 --rate ${RATE:-100} --duration 10 --warmup 3 --json ${OUT:-/tmp}/$name.json 2>&1 | grep "p50="; }
run A-batch -Dferrite.engine.fsync=BATCH
run B-none
run C-nopretouch -Dferrite.engine.walPretouchAheadBytes=0
run D-park1000 -Dferrite.engine.walPretouchAheadBytes=0 -Dferrite.cell.idleMaxParkUs=1000
run E-park20 -Dferrite.engine.walPretouchAheadBytes=0 -Dferrite.cell.idleMaxParkUs=20
run B2-none
run A2-batch -Dferrite.engine.fsync=BATCH
echo "== end $(uptime)"
