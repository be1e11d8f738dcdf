#!/usr/bin/env bash
# Measures the loop's hot paths of two builds side by side: ratio = this checkout / BASE for callsoon and pingpong
# (CPU time of the loop thread per operation: on a shared machine wall time swings with other processes' load, the
# thread's CPU time much less) and spawn (bytes per task, and wall seconds), plus this checkout with
# --listen-metrics against itself. Both builds use this checkout's benchmark harness (only the library differs).
# Rounds are interleaved (base, head, head+metrics, base, ...), one repetition per process, and each ratio is the
# median of the per-round ratios with their range.
#
#   benchmarks/scripts/compare-builds.sh <base-commit> [rounds=5]
#   COMMANDS="pingpong" benchmarks/scripts/compare-builds.sh <base-commit> 9   # only some of the commands below
#   COMMANDS="queue" benchmarks/scripts/compare-builds.sh <base-commit> 5      # queue, queue-handoff, queue-10x10
set -euo pipefail
base=${1:?usage: compare-builds.sh <base-commit> [rounds]}
rounds=${2:-5}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base-src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$root" worktree add --detach "$work/base-src" "$base" >/dev/null
rm -rf "$work/base-src/benchmarks/Asyncio.Benchmarks"
cp -r "$root/benchmarks/Asyncio.Benchmarks" "$work/base-src/benchmarks/"
rm -rf "$work/base-src/benchmarks/Asyncio.Benchmarks/bin" "$work/base-src/benchmarks/Asyncio.Benchmarks/obj"
dotnet build -c Release "$work/base-src/benchmarks/Asyncio.Benchmarks" -o "$work/base" >/dev/null
dotnet build -c Release "$root/benchmarks/Asyncio.Benchmarks" -o "$work/head" >/dev/null

# run <build> <workload> [extra args]: the RESULT lines of one single-repetition run
run() {
  local build=$1 workload=$2; shift 2
  dotnet "$work/$build/Asyncio.Benchmarks.dll" "$workload" --reps 1 "$@" 2>/dev/null | grep '^RESULT' || true
}

# pick <workload> <metric>: the asyncio figure from RESULT lines on stdin
pick() {
  awk -v w="workload=$1" -v m="metric=$2" '$1=="RESULT" && $2==w && $3=="runtime=asyncio" && $4==m {sub("value=","",$5); print $5; exit}'
}

# figures: "<workload> <metric>" pairs, each from the run of its command
figures=("callsoon cpu_ns_per_op" "pingpong cpu_ns_per_op" "spawn_coroutine bytes_per_task" "spawn_coroutine seconds"
         "queue cpu_ns_per_op" "queue-handoff cpu_ns_per_op" "queue-10x10 cpu_ns_per_op"
         "queue bytes_per_op" "queue-handoff bytes_per_op" "queue-10x10 bytes_per_op")
IFS=',' read -r -a commands <<<"${COMMANDS:-callsoon,pingpong,spawn --tasks 200000}"
declare -A series
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds" >&2
  for cmd in "${commands[@]}"; do
    for variant in base head metrics; do
      build=$variant; extra=()
      if [[ $variant == metrics ]]; then build=head; extra=(--listen-metrics); fi
      out=$(run "$build" $cmd "${extra[@]}")
      for f in "${figures[@]}"; do
        set -- $f
        v=$(pick "$1" "$2" <<<"$out")
        if [[ -n $v ]]; then series[$1.$2.$variant]+="$v "; fi
      done
    done
  done
done

# median and range of per-round ratios a/b (every metric here is lower-is-better: below 1 means faster or smaller)
ratio() {
  python3 - "$1" "$2" <<'PY'
import sys, statistics
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
r = [x / y for x, y in zip(a, b)]
print(f"{statistics.median(r):.3f} [{min(r):.3f} - {max(r):.3f}]")
PY
}

echo "| workload | metric | head / base ($base) | head+listened metrics / head |"
echo "|---|---|---|---|"
for f in "${figures[@]}"; do
  set -- $f
  k="$1.$2"
  [[ -n ${series[$k.head]:-} ]] || continue
  echo "| $1 | $2 | $(ratio "${series[$k.head]}" "${series[$k.base]}") | $(ratio "${series[$k.metrics]}" "${series[$k.head]}") |"
done
echo
for k in "${!series[@]}"; do echo "# $k: ${series[$k]}"; done | sort
