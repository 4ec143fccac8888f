#!/bin/bash
# Second A/B: member idle park 100 us (default) vs 300 us, and the client's park 200 us (default) vs 50 us; put at 100/s.
cd "$(dirname "$0")/../../../.."
run() { name=$1; popts=$2; shift 2; echo "== $name member='$*' harness='$popts' $(uptime)"; FERRITE_PERF_JAVA_OPTS="$popts" FERRITE_CELL_JAVA_OPTS="$*" timeout 300 perf/bin/ferrite-perf --target cell --workload ${WL:-put} --records 2000 --rate ${RATE:-100} --duration 10 --warmup 3 --json ${OUT:-/tmp}/$name.json 2>&1 | grep "p50="; export FERRITE_REBUILD=0; }
run B3-park100 ""
run F-park300 "" -Dferrite.cell.idleMaxParkUs=300
run G-client50 "-Dferrite.cell.clientIdleMaxParkUs=50"
run B4-park100 ""
run F2-park300 "" -Dferrite.cell.idleMaxParkUs=300
run G2-client50 "-Dferrite.cell.clientIdleMaxParkUs=50"
echo "== end $(uptime)"
