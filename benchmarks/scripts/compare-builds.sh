#!/usr/bin/env bash
# Measures the loop's hot paths of two builds side by side: ratio = this checkout / BASE for callsoon and pingpong
# (CPU time of the loop thread per operation: on a shared machine wall time swings with other processes' load, the
# thread's CPU time much less) and spawn (bytes per task, and wall seconds), plus this checkout with
# --listen-metrics against itself. Both builds use this checkout's benchmark harness (only the library differs).
# Rounds are interleaved (base, head, head+metrics, base, ...), one repetition per process, and each ratio is the
# median of the per-round ratios with their range.
#
#   benchmarks/scripts/compare-builds.sh <base-commit> [rounds=5]
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

# value <build> <workload> <metric> [extra args]: the asyncio figure of one single-repetition run
value() {
  local build=$1 workload=$2 metric=$3; shift 3
  dotnet "$work/$build/Asyncio.Benchmarks.dll" "$workload" --reps 1 "$@" 2>/dev/null \
    | awk -v m="$metric" '$1=="RESULT" && $3=="runtime=asyncio" && $4=="metric=" m {sub("value=","",$5); print $5; exit}'
}

declare -A series
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds" >&2
  for w in "callsoon cpu_ns_per_op" "pingpong cpu_ns_per_op" "spawn bytes_per_task --tasks 200000" "spawn seconds --tasks 200000"; do
    set -- $w
    name=$1 metric=$2; shift 2
    b=$(value base "$name" "$metric" "$@")
    h=$(value head "$name" "$metric" "$@")
    m=$(value head "$name" "$metric" "$@" --listen-metrics)
    series[$name.$metric.base]+="$b "
    series[$name.$metric.head]+="$h "
    series[$name.$metric.metrics]+="$m "
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
for w in "callsoon cpu_ns_per_op" "pingpong cpu_ns_per_op" "spawn bytes_per_task" "spawn seconds"; do
  set -- $w
  k="$1.$2"
  echo "| $1 | $2 | $(ratio "${series[$k.head]}" "${series[$k.base]}") | $(ratio "${series[$k.metrics]}" "${series[$k.head]}") |"
done
echo
for k in "${!series[@]}"; do echo "# $k: ${series[$k]}"; done | sort
