#!/usr/bin/env bash
# Compares the echo workload (streams_echo and protocol_echo, see Workloads/EchoWorkload.cs) of several benchmark
# builds, interleaved: build 1, build 2, ..., build 1, ... one process per case, build and round. For each run it reports the harness's
# figures (loop-thread CPU ns per round trip from getrusage, user part, bytes) and, when perf works, the loop thread's
# user-mode CPU per round trip from perf samples (cpu-clock at 4 kHz): getrusage splits user from system time by
# timer ticks, which swings by ±30% here, while thousands of user-mode samples per run, taken only inside the measured
# windows (perf's control fifo, see Harness/PerfControl.cs), pin it to a few percent.
#
#   [ASYNCIO_ECHO_SIZE=16384] benchmarks/scripts/echo-perf.sh <rounds> <ops> <name>=<build-dir> [<name>=<build-dir> ...]
#   e.g. echo-perf.sh 5 200000 base=/tmp/base head=/tmp/head
#
# A build dir holds Asyncio.Benchmarks.dll (dotnet build -c Release benchmarks/Asyncio.Benchmarks -o DIR); to measure
# an older library with this harness, copy benchmarks/Asyncio.Benchmarks into a worktree of that commit first (as
# compare-builds.sh does). Each process runs 2 repetitions of <ops> round trips; its figures are their medians.
set -euo pipefail
usage="usage: echo-perf.sh <rounds> <ops> <name>=<build-dir> [...]"
rounds=${1:?$usage}
ops=${2:?$usage}
shift 2
[[ $# -ge 1 ]] || { echo "$usage" >&2; exit 2; }
names=(); declare -A dirs
for a in "$@"; do names+=("${a%%=*}"); dirs[${a%%=*}]=${a#*=}; done
reps=2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
have_perf=0
if command -v perf >/dev/null && perf record -q -e cpu-clock -o "$work/probe" true >/dev/null 2>&1; then have_perf=1; fi

# one <build> <case>: prints "cpu user bytes perf_user" for one process running <case> (--reps $reps, --ops $ops)
one() {
  local dir=$1 case=$2
  if [[ $have_perf == 1 ]]; then
    rm -f "$work/ctl"; mkfifo "$work/ctl"
    # -D -1: sampling starts disabled; the workload enables it for its measured windows only (ASYNCIO_PERF_CTL)
    ASYNCIO_PERF_CTL="$work/ctl" perf record -q -D -1 --control="fifo:$work/ctl" -F 4000 -e cpu-clock -o "$work/data" -- \
      dotnet "$dir/Asyncio.Benchmarks.dll" "$case" --reps $reps --ops "$ops" >"$work/out" 2>"$work/err"
    # user-mode samples of the main thread (the loop: Aio.Run runs on it, so its tid is the pid); 250 µs of CPU each
    usamples=$(perf script -i "$work/data" -F pid,tid,ip 2>/dev/null | awk '{split($1, a, "/")} a[1]==a[2] && $2 !~ /^ffff/ {n++} END {print n+0}')
  else
    dotnet "$dir/Asyncio.Benchmarks.dll" "$case" --reps $reps --ops "$ops" >"$work/out" 2>"$work/err"
    usamples=0
  fi
  awk -v w="workload=$case" -v us="$usamples" -v total="$(( reps * ops ))" '
    $1=="RESULT" && $2==w && $4=="metric=cpu_ns_per_op" {sub("value=","",$5); c=$5}
    $1=="RESULT" && $2==w && $4=="metric=user_ns_per_op" {sub("value=","",$5); u=$5}
    $1=="RESULT" && $2==w && $4=="metric=bytes_per_op" {sub("value=","",$5); b=$5}
    END {printf "%s %s %s %.1f\n", c, u, b, us * 250000 / total}' "$work/out"
}

declare -A series
for ((r = 1; r <= rounds; r++)); do
  for c in streams_echo protocol_echo; do
    for b in "${names[@]}"; do
      read -r cpu user bytes puser < <(one "${dirs[$b]}" "$c")
      echo "round $r $c $b: cpu_ns=$cpu user_ns=$user bytes=$bytes perf_user_ns=$puser load=$(cut -d' ' -f1 /proc/loadavg)" >&2
      series[$c.$b.cpu]+="$cpu "; series[$c.$b.user]+="$user "; series[$c.$b.bytes]+="$bytes "; series[$c.$b.puser]+="$puser "
    done
  done
done

python3 - "${names[@]}" <<PY
import sys, statistics as st
names = sys.argv[1:]
s = {$(for k in "${!series[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${series[$k]} | tr ' ' ',')"; done)}
def f(v): return f"{st.median(v):.0f} [{min(v):.0f}–{max(v):.0f}]"
print(f"{len(s[next(iter(s))])} rounds, median [range]")
print("| case | build | CPU ns/op (getrusage user+sys) | user ns/op (getrusage) | user ns/op (perf samples) | bytes/op |")
print("|---|---|---|---|---|---|")
for c in ("streams_echo", "protocol_echo"):
    for b in names:
        print(f"| {c} | {b} | {f(s[c+'.'+b+'.cpu'])} | {f(s[c+'.'+b+'.user'])} | {f(s[c+'.'+b+'.puser'])} | {st.median(s[c+'.'+b+'.bytes']):.2f} |")
for b in names:
    d = [x - y for x, y in zip(s['streams_echo.'+b+'.puser'], s['protocol_echo.'+b+'.puser'])]
    dc = [x - y for x, y in zip(s['streams_echo.'+b+'.cpu'], s['protocol_echo.'+b+'.cpu'])]
    print(f"| streams − protocol (same round) | {b} | {f(dc)} | | {f(d)} | |")
PY
