#!/usr/bin/env bash
# iso.sh CMD...: runs CMD alone on CPU 1 (every other process moved to CPU 0 for the duration), then restores.
cg=/sys/fs/cgroup/cpuset
for p in $(cat $cg/cgroup.procs); do echo $p > $cg/rest/cgroup.procs 2>/dev/null; done
bash -c 'echo $$ > /sys/fs/cgroup/cpuset/bench/cgroup.procs; exec "$@"' _ "$@"
rc=$?
for g in rest bench; do for p in $(cat $cg/$g/cgroup.procs); do echo $p > $cg/cgroup.procs 2>/dev/null; done; done
exit $rc
