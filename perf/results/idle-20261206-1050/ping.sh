#!/bin/bash
# idle rerun of issue 4's IPC round trip: pinned and unpinned alternately
cd /work/main
export FERRITE_REBUILD=0
out=/tmp/final/ping; mkdir -p $out
run_server() { # $1 = extra opts
  rm -rf /tmp/ferrite-bench-final
  FERRITE_JAVA_OPTS="-Dferrite.node.agentThreading=SHARED -Dferrite.node.driverThreading=INVOKER -Dferrite.node.idleStrategy=YIELD $1" \
    tools/bin/ferrite server --data-dir /tmp/ferrite-bench-final --http-port none > $out/server.log 2>&1 &
  SPID=$!
  for i in $(seq 1 60); do grep -q 'node ready' $out/server.log && break; sleep 0.5; done
  sleep 2
  AD=$(grep 'node ready' $out/server.log | grep -o 'aeronDir=[^ ]*' | cut -d= -f2)
  echo "server pid=$SPID aeronDir=$AD"
}
stop_server() { kill $SPID; wait $SPID; }
for round in 1 2 3; do
  run_server "-Dferrite.node.cpus=0"
  echo "== pinned round $round: $(uptime)"
  tools/bin/ferrite ping --transport ipc --aeron-dir "$AD" --rate 10000 --seconds 10 --warmup-seconds 5 --cpus 0 --late-us 100 > $out/pinned-$round.txt 2>&1
  grep -E 'p50|p99|"name"' $out/pinned-$round.txt | head -5
  stop_server
  run_server ""
  echo "== unpinned round $round: $(uptime)"
  tools/bin/ferrite ping --transport ipc --aeron-dir "$AD" --rate 10000 --seconds 10 --warmup-seconds 5 --late-us 100 > $out/unpinned-$round.txt 2>&1
  grep -E 'p50|p99|"name"' $out/unpinned-$round.txt | head -5
  stop_server
done
echo PINGDONE
