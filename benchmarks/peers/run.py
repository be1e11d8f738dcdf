"""Runs the peers benchmark (called by run.sh, which builds the client and the .NET servers first).

Each echo server is started pinned to core 0 (taskset -c 0) and driven by the C client pinned to core 1; the client
reads the server's CPU from /proc/PID/stat over its measured window. Every server runs --repeat times (interleaved,
so a noisy minute hits all of them), and the table shows medians with [min-max] ranges. Syscalls per request come
from a separate short run under `perf stat` (tracepoints; strace -c as a fallback), which barely slows the server.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"   # Debian's: the one python3-uvloop installs into
BASELINE = "uvloop-protocol"
SYSCALLS = ["epoll_wait", "epoll_pwait", "epoll_ctl", "recvfrom", "recvmsg", "read", "sendto", "sendmsg", "write",
            "writev", "futex", "sched_yield"]


def servers(root):
    echo = os.path.join(root, "samples/EchoServer/bin/Release/net10.0/EchoServer.dll")
    dn = os.path.join(root, "benchmarks/peers/dotnet_echo/bin/Release/net10.0/dotnet_echo.dll")
    py = os.path.join(HERE, "asyncio_echo.py")
    has_uvloop = subprocess.run([PY, "-c", "import uvloop"], capture_output=True).returncode == 0
    has_node = shutil.which("node") is not None
    uv_missing = None if has_uvloop else "apt-get install python3-uvloop"
    node_missing = None if has_node else "apt-get install nodejs"
    return [
        ("ours-streams", ["dotnet", echo, "--port", "0", "--style", "streams"], None, {}),
        ("ours-protocol", ["dotnet", echo, "--port", "0", "--style", "protocol"], None, {}),
        ("asyncio-streams", [PY, py, "--port", "0", "--style", "streams"], None, {}),
        ("asyncio-protocol", [PY, py, "--port", "0", "--style", "protocol"], None, {}),
        ("uvloop-streams", [PY, py, "--port", "0", "--style", "streams", "--uvloop"], uv_missing, {}),
        ("uvloop-protocol", [PY, py, "--port", "0", "--style", "protocol", "--uvloop"], uv_missing, {}),
        ("node-net", ["node", os.path.join(HERE, "node_echo.js"), "--port", "0"], node_missing, {}),
        ("dotnet-sockets", ["dotnet", dn, "--port", "0"], None, {}),
        ("dotnet-sockets-inline", ["dotnet", dn, "--port", "0"], None, {"DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS": "1"}),
        # Our servers on the portable (completion-based) backend, as on macOS and Windows: only when named in --only.
        ("ours-streams-portable", ["dotnet", echo, "--port", "0", "--style", "streams"], None, {"ASYNCIO_SELECTOR": "portable"}),
        ("ours-protocol-portable", ["dotnet", echo, "--port", "0", "--style", "protocol"], None, {"ASYNCIO_SELECTOR": "portable"}),
    ]


OPT_IN = {"ours-streams-portable", "ours-protocol-portable"}


NICE = []   # ["nice", "-n", "-10"] with --nice -10: server and client get a bigger share of their core than other work


def pinned(core, cmd):
    return NICE + ["taskset", "-c", str(core)] + cmd


class Started:
    def __init__(self, cmd, env, log):
        self.log = open(log, "w")
        self.proc = subprocess.Popen(pinned(0, cmd), stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     env={**os.environ, **env}, start_new_session=True)
        deadline = time.time() + 60
        line = ""
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line or line.startswith("listening on"):
                break
        m = re.search(r":(\d+) .*pid=(\d+)", line or "")
        if not m:
            self.stop()
            raise RuntimeError(f"{cmd[0]} did not start: {line!r}; see {log}")
        self.port, self.pid = int(m.group(1)), int(m.group(2))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def run_client(a, port, pid, size, duration, warmup):
    cmd = pinned(1, [a.client, "--port", str(port), "--size", str(size), "--connections", str(a.connections),
           "--duration", str(duration), "--warmup", str(warmup), "--server-pid", str(pid)])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + warmup + 60)
    m = re.search(r"^result (.*)$", out.stdout, re.M)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"client failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def count_syscalls(a, port, pid, size):
    """
    Syscalls per request: perf stat counts the server's syscall tracepoints for exactly as long as a 2 s client run
    (no warm-up: the server is warm from the measured runs) lives, and that client counts its requests.
    Falls back to strace -c (which slows the server a lot, so batching differs) when perf is missing.
    """
    client = pinned(1, [a.client, "--port", str(port), "--size", str(size), "--connections",
                        str(a.connections), "--duration", "2", "--warmup", "0"])
    events = ",".join(["raw_syscalls:sys_enter"] + [f"syscalls:sys_enter_{s}" for s in SYSCALLS])
    counts, how, out = {}, "perf", ""
    if shutil.which("perf"):
        p = subprocess.run(["perf", "stat", "-x", ",", "-e", events, "-p", str(pid), "--"] + client,
                           capture_output=True, text=True, timeout=60)
        out = p.stdout
        for line in p.stderr.splitlines():
            f = line.split(",")
            if len(f) > 2 and f[0].strip().isdigit():
                counts[f[2].replace("syscalls:sys_enter_", "").replace("raw_syscalls:sys_enter", "total")] = int(f[0])
    if "total" not in counts and shutil.which("strace"):
        how = "strace"
        tracer = subprocess.Popen(["strace", "-c", "-f", "-p", str(pid)], stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        out = subprocess.run(client, capture_output=True, text=True, timeout=60).stdout
        tracer.send_signal(signal.SIGINT)
        err = tracer.communicate(timeout=30)[1]
        for line in err.splitlines():
            f = line.split()
            if len(f) >= 5 and f[-1] != "syscall" and f[3].isdigit():
                counts["total" if f[-1] == "total" else f[-1]] = int(f[3])
        if "total" not in counts and "not permitted" in err:
            how = "ptrace not permitted"
    m = re.search(r"^result requests=(\d+)", out, re.M)
    if not m or "total" not in counts or int(m.group(1)) == 0:
        return None, how
    return {k: v / int(m.group(1)) for k, v in counts.items()}, how


def run_wrk(a, name, cmd, duration, warmup, log):
    if not shutil.which("wrk"):
        return {"missing": "apt-get install wrk"}
    s = Started(cmd, {}, log)
    try:
        url = f"http://127.0.0.1:{s.port}/"
        base = pinned(1, ["wrk", "-t1", f"-c{a.connections}", "--latency"])
        subprocess.run(base + [f"-d{warmup}s", url], capture_output=True, timeout=warmup + 60)
        t0 = proc_cpu(s.pid)
        run = subprocess.run(base + [f"-d{duration}s", url], capture_output=True, text=True, timeout=duration + 60)
        out = run.stdout + run.stderr
        t1 = proc_cpu(s.pid)
    finally:
        s.stop()
    if not re.search(r"(\d+) requests in", out) or not re.search(r"99%\s+\S+", out):
        raise RuntimeError("unexpected wrk output: " + " ".join(out.split())[:300])
    n = int(re.search(r"(\d+) requests in", out).group(1))
    r = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
         "p50_us": to_us(re.search(r"50%\s+(\S+)", out).group(1)), "p99_us": to_us(re.search(r"99%\s+(\S+)", out).group(1)),
         "server_user_us": (t1[0] - t0[0]) * 1e6 / n, "server_sys_us": (t1[1] - t0[1]) * 1e6 / n,
         "errors": "Non-2xx" in out or "Socket errors" in out}
    return r


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def to_us(s):
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def rng(xs, fmt):
    return f" [{fmt(min(xs))}–{fmt(max(xs))}]" if len(xs) > 1 else ""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--client", required=True)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--sizes", default="1024,16384")
    p.add_argument("--repeat", type=int)
    p.add_argument("--duration", type=float)
    p.add_argument("--connections", type=int, default=100)
    p.add_argument("--only", default="")
    p.add_argument("--no-syscalls", action="store_true")
    p.add_argument("--no-http", action="store_true")
    p.add_argument("--http-only", action="store_true")
    p.add_argument("--nice", type=int, default=0, help="run server and client under nice -n N (negative: ahead of other work; root only)")
    a = p.parse_args()
    if a.nice:
        NICE.extend(["nice", "-n", str(a.nice)])
    load_start = os.getloadavg()[0]
    duration = a.duration or (3 if a.quick else 10)
    warmup = 1 if a.quick else 2
    repeat = a.repeat or (1 if a.quick else 3)
    sizes = [int(s) for s in a.sizes.split(",")]
    logs = os.path.join(HERE, "build", "logs")
    os.makedirs(logs, exist_ok=True)
    chosen = [s for s in servers(a.root) if (s[0] in a.only.split(",") if a.only else s[0] not in OPT_IN)]
    if a.only and BASELINE not in a.only.split(","):
        print(f"note: {BASELINE} is not in --only, so there are no ratios", file=sys.stderr)

    results = {}   # (name, size) -> list of client results
    syscalls = {}  # (name, size) -> dict
    missing = {name: hint for name, _, hint, _ in chosen if hint}
    for r in range(0 if a.http_only else repeat):
        for name, cmd, hint, env in chosen:
            if hint:
                continue
            print(f"[{r + 1}/{repeat}] {name} ...", file=sys.stderr, flush=True)
            try:
                s = Started(cmd, env, os.path.join(logs, f"{name}.log"))
            except RuntimeError as e:
                missing[name] = str(e)
                continue
            try:
                for size in sizes:
                    try:
                        res = run_client(a, s.port, s.pid, size, duration, warmup)
                        res["round"] = r
                        results.setdefault((name, size), []).append(res)
                        with open(os.path.join(logs, "runs.jsonl"), "a") as raw:
                            raw.write(json.dumps({"server": name, "size": size, **res}) + "\n")
                        print(f"    {size} B: {res['rps']:.0f} req/s, {res['server_user_us'] + res['server_sys_us']:.2f} us CPU/req,"
                              f" client {res['client_cpu'] * 100:.0f}%", file=sys.stderr, flush=True)
                        if r == 0 and not a.no_syscalls:
                            syscalls[(name, size)] = count_syscalls(a, s.port, s.pid, size)
                    except (RuntimeError, subprocess.TimeoutExpired) as e:
                        print(f"    {size} B: FAILED: {e}", file=sys.stderr)
                        results.setdefault((name, size), [])
            finally:
                s.stop()

    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    if a.http_only:
        chosen = []
    if chosen:
        print(f"\n## TCP echo, {a.connections} connections, one request in flight each — {now}, {os.cpu_count()} cores ({cpu_model}), "
              f"{'quick: ' if a.quick else ''}{repeat} run(s) of {duration:g} s after {warmup:g} s warm-up{f', nice {a.nice}' if a.nice else ''}; "
              f"load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; medians [min–max]\n")
    for size in sizes if chosen else []:
        base = results.get((BASELINE, size)) or []
        base_cpu = med([x["server_user_us"] + x["server_sys_us"] for x in base])
        base_rps = med([x["rps"] for x in base])
        base_sys = (syscalls.get((BASELINE, size)) or (None, ""))[0]
        print(f"### {size} B requests\n")
        print("| server | req/s | p50 µs | p99 µs | CPU µs/req (user+sys) | user µs | sys µs | CPU/req ÷ uvloop-protocol | req/s ÷ uvloop-protocol | syscalls/req | client |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for name, cmd, hint, env in chosen:
            if name in missing:
                print(f"| {name} | missing: `{missing[name]}` | | | | | | | | | |")
                continue
            xs = results.get((name, size)) or []
            if not xs:
                print(f"| {name} | failed (see benchmarks/peers/build/logs/{name}.log) | | | | | | | | | |")
                continue
            cpu = [x["server_user_us"] + x["server_sys_us"] for x in xs]
            # Paired: this server's CPU/req over uvloop-protocol's in the same round (run a few seconds apart).
            base_by_round = {x["round"]: x["server_user_us"] + x["server_sys_us"] for x in base}
            paired = [(x["server_user_us"] + x["server_sys_us"]) / base_by_round[x["round"]] for x in xs if x["round"] in base_by_round]
            rps = [x["rps"] for x in xs]
            bound = sum(1 for x in xs if x["client_cpu"] > 0.85)
            paired_text = f" (paired {med(paired):.2f}× [{min(paired):.2f}–{max(paired):.2f}])" if len(paired) > 1 and name != BASELINE else ""
            client_cpu = med([x["client_cpu"] for x in xs]) * 100
            client_text = f"client-bound {bound}/{len(xs)} ({client_cpu:.0f}%)" if bound else f"{client_cpu:.0f}%"
            sc, how = syscalls.get((name, size)) or (None, "not run")
            if sc:
                parts = sorted(((v, k) for k, v in sc.items() if k != "total" and v >= 0.05), reverse=True)
                sc_text = f"{sc['total']:.2f} ({', '.join(f'{k} {v:.2f}' for v, k in parts)})"
                if base_sys and name != BASELINE:
                    sc_text += f" = {sc['total'] / base_sys['total']:.2f}×"
            else:
                sc_text = how
            print(f"| {name} | {med(rps) / 1e3:.1f} k{rng(rps, lambda v: f'{v / 1e3:.0f}')} | {med([x['p50_us'] for x in xs]):.0f} | "
                  f"{med([x['p99_us'] for x in xs]):.0f} | {med(cpu):.2f}{rng(cpu, lambda v: f'{v:.2f}')} | "
                  f"{med([x['server_user_us'] for x in xs]):.2f} | {med([x['server_sys_us'] for x in xs]):.2f} | "
                  f"{med(cpu) / base_cpu:.2f}×{paired_text} | {med(rps) / base_rps:.2f}× | {sc_text} | "
                  f"{client_text} |")
        print()
    print("CPU/req ÷ uvloop-protocol below 1 means less server CPU per request than uvloop-protocol (the target for ours is ≤ 0.87, i.e. 1.15× lower);")
    print("'paired' is the median [range] of the per-round ratios (each server against uvloop-protocol's run of the same round).")
    print("client: the C client's share of its core over the run; 'client-bound' when above 85% (requests/s then says more about the client).\n")

    if not a.no_http:
        http = [("ours-http (samples/HttpServer)", ["dotnet", os.path.join(a.root, "samples/HttpServer/bin/Release/net10.0/HttpServer.dll"), "--port", "0"]),
                ("node-http", ["node", os.path.join(HERE, "node_http.js"), "--port", "0"])]
        print(f"## HTTP/1.1 keep-alive, wrk -t1 -c{a.connections}, GET / (14-byte body), {duration:g} s after {warmup:g} s warm-up, one run\n")
        print("| server | req/s | p50 µs | p99 µs | CPU µs/req (user+sys) | user µs | sys µs |")
        print("|---|---|---|---|---|---|---|")
        for name, cmd in http:
            if name == "node-http" and not shutil.which("node"):
                print(f"| {name} | missing: `apt-get install nodejs` | | | | | |")
                continue
            try:
                r = run_wrk(a, name, cmd, duration, warmup, os.path.join(logs, name.split()[0] + ".log"))
            except (RuntimeError, AttributeError, subprocess.TimeoutExpired) as e:
                print(f"| {name} | failed: {e} | | | | | |")
                continue
            if "missing" in r:
                print(f"| {name} | missing: `{r['missing']}` | | | | | |")
                continue
            print(f"| {name} | {r['rps'] / 1e3:.1f} k{' (errors!)' if r['errors'] else ''} | {r['p50_us']:.0f} | {r['p99_us']:.0f} | "
                  f"{r['server_user_us'] + r['server_sys_us']:.2f} | {r['server_user_us']:.2f} | {r['server_sys_us']:.2f} |")
        print()


if __name__ == "__main__":
    main()
