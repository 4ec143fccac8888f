#!/bin/bash
# How the runs in runs.txt were made (05:09-05:13 UTC 2026-12-06): "new" = this branch's engine jar; "old" = the engine
# of 94a11c7 (before the WAL pretoucher), built with `git archive 94a11c7 | tar -x -C $SCRATCH/old` and
# `mvn -B -o -q -pl engine -am -DskipTests package` there, swapped into the harness's classpath. The command is the
# one perf/bin/ferrite-perf runs. Sequence: new tmp 1, then 4x (old tmp, new tmp), then new/old/new/old on /dev/shm.
# harness.sh old|new tmp|shm LABEL : runs the put workload as perf/bin/ferrite-perf does, with the old (94a11c7) or new engine jar
set -e
R=/work/wt-writestall
flags="$(sed -n 's/^jvm\.flags=//p' $R/perf/target/classes/io/ferrite/perf/bench.properties)"
cp="$R/perf/target/classes:$(cat $R/perf/target/bench/classpath.txt)"
if [ "$1" = old ]; then cp="${cp//$R\/engine\/target\/ferrite-engine-0.1.0-SNAPSHOT.jar//work/scratch-writestall/old/engine/target/ferrite-engine-0.1.0-SNAPSHOT.jar}"; fi
tmpdir=/tmp; [ "$2" = shm ] && tmpdir=/dev/shm
out=/work/scratch-writestall/h
mkdir -p $out
echo "== $1 $2 $3 $(date -u +%H:%M:%S) $(uptime | sed 's/.*load/load/')"
java $flags -Xms1g -Xmx1g -Djava.awt.headless=true -Djava.io.tmpdir=$tmpdir -cp "$cp" io.ferrite.perf.latency.LatencyHarness \
  --target embedded --workload put --rate 10000 --duration 10 --warmup 3 --json $out/$3.json --hgrm $out/$3.hgrm 2>&1 | grep -vE "INFO|WARN" | tail -4
