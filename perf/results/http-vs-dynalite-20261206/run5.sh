#!/usr/bin/env bash
cd /work/wt-httpperf
export FERRITE_REBUILD=0
export FERRITE_PERF_JAVA_OPTS="-Djava.io.tmpdir=/dev/shm -Daeron.driver.timeout=60000 -Daeron.client.liveness.timeout=60000000000 -Daeron.publication.unblock.timeout=70000000000 -Daeron.timer.interval=1000000000"
for name in c2000-tmpfs a2000-tmpfs; do
  w=ycsb-${name:0:1}
  echo "=== $name $w"; echo "load before: $(cat /proc/loadavg)"
  timeout 200 perf/bin/ferrite-perf --compare http,dynalite --workload $w --rate 2000 --duration 5 --warmup 3 --rounds 2 --records 5000 --json /tmp/hpm/$name.json > /tmp/hpm/$name.log 2>&1
  echo "rc=$? load after: $(cat /proc/loadavg)"
  grep "rate=\|missed=[1-9]" /tmp/hpm/$name.log | sed 's/ *errors=0 *us://'
done
echo ALLDONE5
