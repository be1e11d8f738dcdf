#!/usr/bin/env python3
"""Bench peer of `aio bench`: the benchmark workloads of Asyncio.NET on CPython's asyncio loop, or on uvloop.

Usage: asyncio_peer.py [--uvloop] [--quick] [--reps N] [--workloads callsoon,callsoon_chain,pingpong,yield,spawn]

Prints, like the .NET harness (benchmarks/Asyncio.Benchmarks), three lines per figure (median, min, max of the
repetitions):
    RESULT workload=pingpong runtime=cpython metric=ops_per_s value=147000
and '#' lines saying what was measured. Each measurement runs on a fresh loop after a warm-up run at a tenth of the size.
"""
import argparse
import asyncio
import gc
import statistics
import sys
import time

QUICK_DIVISOR = 20


def rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Runtime:
    def __init__(self, use_uvloop):
        self.name = "uvloop" if use_uvloop else "cpython"
        if use_uvloop:
            import uvloop
            self.new_loop = uvloop.new_event_loop
            self.version = "uvloop " + uvloop.__version__ + " on Python " + sys.version.split()[0]
        else:
            self.new_loop = asyncio.new_event_loop
            self.version = "CPython " + sys.version.split()[0]

    def run(self, coro):
        with asyncio.Runner(loop_factory=self.new_loop) as runner:
            return runner.run(coro)


# ------------------------------------------------------------------ workloads: each returns a dict of metrics

def callsoon(rt, n):
    """Batches of 1,000 call_soon; the last callback of a batch queues the next batch."""
    loop = rt.new_loop()
    left = [n]

    def cb(last):
        if last:
            if left[0] <= 0:
                loop.stop()
            else:
                queue_batch()

    def queue_batch():
        k = min(1000, left[0])
        left[0] -= k
        for _ in range(k - 1):
            loop.call_soon(cb, False)
        loop.call_soon(cb, True)

    queue_batch()
    t0 = time.perf_counter()
    loop.run_forever()
    t = time.perf_counter() - t0
    loop.close()
    return {"ops_per_s": n / t}


def callsoon_chain(rt, n):
    """Each callback queues the next: one callback per loop iteration."""
    loop = rt.new_loop()
    left = [n]

    def cb():
        left[0] -= 1
        if left[0] == 0:
            loop.stop()
        else:
            loop.call_soon(cb)

    loop.call_soon(cb)
    t0 = time.perf_counter()
    loop.run_forever()
    t = time.perf_counter() - t0
    loop.close()
    return {"ops_per_s": n / t}


class Slot:
    """A one-slot channel: put fills the slot and wakes the taker; take waits on a fresh future."""
    __slots__ = ("value", "has", "waiter", "loop")

    def __init__(self, loop):
        self.value = 0
        self.has = False
        self.waiter = None
        self.loop = loop

    def put(self, v):
        self.value = v
        self.has = True
        w = self.waiter
        if w is not None:
            self.waiter = None
            if not w.done():
                w.set_result(None)

    async def take(self):
        while not self.has:
            self.waiter = self.loop.create_future()
            await self.waiter
        self.has = False
        return self.value


def pingpong(rt, n):
    """Two tasks hand an int back and forth n times (one round trip = two hand-offs)."""
    async def main():
        loop = asyncio.get_running_loop()
        there, back = Slot(loop), Slot(loop)

        async def ping():
            for i in range(n):
                there.put(i)
                if await back.take() != i + 1:
                    raise RuntimeError("pingpong: wrong answer")

        async def pong():
            for _ in range(n):
                v = await there.take()
                back.put(v + 1)

        t0 = time.perf_counter()
        a = asyncio.create_task(pong())
        b = asyncio.create_task(ping())
        await b
        await a
        return time.perf_counter() - t0

    t = rt.run(main())
    return {"ops_per_s": n / t}


def yield_(rt, n):
    """await asyncio.sleep(0) n times in one coroutine."""
    async def main():
        t0 = time.perf_counter()
        for _ in range(n):
            await asyncio.sleep(0)
        return time.perf_counter() - t0

    t = rt.run(main())
    return {"ns_per_op": t * 1e9 / n, "ops_per_s": n / t}


def spawn(rt, n, sleep):
    """n tasks each sleeping `sleep` s, then all awaited. RSS while all sleep; seconds beyond the sleep."""
    async def sleeper():
        await asyncio.sleep(sleep)

    async def main():
        gc.collect()
        r0 = rss_bytes()
        t0 = time.perf_counter()
        tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
        await asyncio.sleep(0)   # every task has run its first step and sleeps
        r1 = rss_bytes()
        await asyncio.gather(*tasks)
        return time.perf_counter() - t0 - sleep, r1 - r0

    seconds, rss = rt.run(main())
    return {"seconds": seconds, "rss_bytes_per_task": rss / n}


# ------------------------------------------------------------------ harness

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--uvloop", action="store_true")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--workloads", default="callsoon,callsoon_chain,pingpong,yield,spawn")
    p.add_argument("--spawn-tasks", type=int, default=0, help="tasks for spawn (default 200,000; 20,000 with --quick)")
    args = p.parse_args()
    rt = Runtime(args.uvloop)
    div = QUICK_DIVISOR if args.quick else 1
    spawn_n = args.spawn_tasks or (20_000 if args.quick else 200_000)
    spawn_s = 0.1 if args.quick else 1.0
    sizes = {
        "callsoon": (lambda n: callsoon(rt, n), 1_000_000 // div),
        "callsoon_chain": (lambda n: callsoon_chain(rt, n), 500_000 // div),
        "pingpong": (lambda n: pingpong(rt, n), 200_000 // div),
        "yield": (lambda n: yield_(rt, n), 500_000 // div),
        "spawn": (lambda n: spawn(rt, n, spawn_s), spawn_n),
    }
    print(f"# {rt.version}: {args.reps} repetitions per figure", flush=True)
    for w in [w.strip() for w in args.workloads.split(",") if w.strip()]:
        if w not in sizes:
            print(f"# unknown workload {w}", file=sys.stderr)
            return 2
        run, n = sizes[w]
        print(f"# {w}: n={n}" + (f", each task sleeps {spawn_s} s" if w == "spawn" else ""), flush=True)
        samples = []
        for rep in range(args.reps):
            gc.collect()
            if w == "spawn":
                spawn(rt, max(n // 10, 1000), 0.02)
            else:
                run(max(n // 10, 1000))   # warm-up
            gc.collect()
            samples.append(run(n))
            print(f"#   rep {rep + 1}/{args.reps}: " + ", ".join(f"{k}={v:.4g}" for k, v in samples[-1].items()), file=sys.stderr, flush=True)
        workload = w   # spawn: the name the harness gives its peers (its own loop's rows are spawn_coroutine/spawn_task)
        for metric in samples[0]:
            values = [s[metric] for s in samples]
            for suffix, value in (("", statistics.median(values)), ("_min", min(values)), ("_max", max(values))):
                print(f"RESULT workload={workload} runtime={rt.name} metric={metric}{suffix} value={value:.6g}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
