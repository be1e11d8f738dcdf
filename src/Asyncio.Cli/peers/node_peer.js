#!/usr/bin/env node
// Bench peer of `aio bench`: the benchmark workloads of Asyncio.NET on Node's event loop.
//
// Usage: node --expose-gc node_peer.js [--quick] [--reps N] [--workloads callsoon,callsoon_chain,pingpong,yield,spawn]
//
// Prints, like the .NET harness (benchmarks/Asyncio.Benchmarks), three lines per figure (median, min, max):
//     RESULT workload=pingpong runtime=node metric=ops_per_s value=6940000
// Node has no call_soon: a callback queued to the loop is setImmediate. A hand-off between two async functions is a
// promise (a microtask: it never enters the loop); pingpong reports it and, as ops_per_s_setimmediate, a hand-off
// that goes through the loop. yield is `await` of a setImmediate promise (asyncio.sleep(0) yields to the loop).
'use strict';

const QUICK_DIVISOR = 20;

function parseArgs(argv) {
  const a = { quick: false, reps: 5, workloads: 'callsoon,callsoon_chain,pingpong,yield,spawn', spawnTasks: 0 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') a.quick = true;
    else if (argv[i] === '--reps') a.reps = parseInt(argv[++i], 10);
    else if (argv[i] === '--workloads') a.workloads = argv[++i];
    else if (argv[i] === '--spawn-tasks') a.spawnTasks = parseInt(argv[++i], 10);
    else { console.error(`unknown option ${argv[i]}`); process.exit(2); }
  }
  return a;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
const gc = () => { if (global.gc) { global.gc(); global.gc(); } };

function callsoon(n) {
  return new Promise(resolve => {
    let left = n;
    const t0 = now();
    const cb = last => {
      if (last) {
        if (left <= 0) resolve({ ops_per_s: n / (now() - t0) });
        else queueBatch();
      }
    };
    const queueBatch = () => {
      const k = Math.min(1000, left);
      left -= k;
      for (let i = 0; i < k - 1; i++) setImmediate(cb, false);
      setImmediate(cb, true);
    };
    queueBatch();
  });
}

function callsoonChain(n) {
  return new Promise(resolve => {
    let left = n;
    const t0 = now();
    const cb = () => {
      if (--left === 0) resolve({ ops_per_s: n / (now() - t0) });
      else setImmediate(cb);
    };
    setImmediate(cb);
  });
}

class Slot {
  constructor(viaLoop) { this.value = 0; this.has = false; this.waiter = null; this.viaLoop = viaLoop; }
  put(v) {
    this.value = v; this.has = true;
    const w = this.waiter;
    if (w) { this.waiter = null; if (this.viaLoop) setImmediate(w); else w(); }
  }
  async take() {
    while (!this.has) await new Promise(r => { this.waiter = r; });
    this.has = false;
    return this.value;
  }
}

async function pingpongOnce(n, viaLoop) {
  const there = new Slot(viaLoop), back = new Slot(viaLoop);
  const t0 = now();
  const pong = (async () => { for (let i = 0; i < n; i++) { const v = await there.take(); back.put(v + 1); } })();
  const ping = (async () => {
    for (let i = 0; i < n; i++) { there.put(i); if (await back.take() !== i + 1) throw new Error('pingpong: wrong answer'); }
  })();
  await ping; await pong;
  return n / (now() - t0);
}

async function pingpong(n) {
  const promises = await pingpongOnce(n, false);
  const setimmediate = await pingpongOnce(Math.max(1000, Math.floor(n / 10)), true);
  return { ops_per_s: promises, ops_per_s_setimmediate: setimmediate };
}

async function yieldOnce(n) {
  const t0 = now();
  for (let i = 0; i < n; i++) await new Promise(r => setImmediate(r));
  const t = now() - t0;
  return { ns_per_op: t * 1e9 / n, ops_per_s: n / t };
}

// Two passes, as the .NET harness does: a forced GC of n live promises must not sit inside the timed window.
async function spawn(n, sleep) {
  const sleeper = () => new Promise(r => setTimeout(r, sleep * 1000));
  const start = tasks => { for (let i = 0; i < n; i++) tasks[i] = (async () => { await sleeper(); })(); };

  gc();
  let tasks = new Array(n);
  const t0 = now();
  start(tasks);
  await Promise.all(tasks);
  const seconds = now() - t0 - sleep;

  tasks = new Array(n);
  gc();
  const m0 = process.memoryUsage();
  start(tasks);
  await null;
  gc();
  const m1 = process.memoryUsage();
  await Promise.all(tasks);
  return {
    seconds,
    bytes_per_task: (m1.heapUsed - m0.heapUsed) / n,
    rss_bytes_per_task: (m1.rss - m0.rss) / n,
  };
}

const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = v => Number(v.toPrecision(6)).toString();

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const div = a.quick ? QUICK_DIVISOR : 1;
  const spawnN = a.spawnTasks || (a.quick ? 20000 : 200000);
  const spawnS = a.quick ? 0.1 : 1.0;
  const sizes = {
    callsoon: [callsoon, Math.floor(2000000 / div)],
    callsoon_chain: [callsoonChain, Math.floor(1000000 / div)],
    pingpong: [pingpong, Math.floor(1000000 / div)],
    yield: [yieldOnce, Math.floor(500000 / div)],
    spawn: [n => spawn(n, spawnS), spawnN],
  };
  console.log(`# Node ${process.version}: ${a.reps} repetitions per figure${global.gc ? '' : ' (no --expose-gc: heap figures include garbage)'}`);
  for (const w of a.workloads.split(',').map(s => s.trim()).filter(Boolean)) {
    if (!(w in sizes)) { console.error(`unknown workload ${w}`); process.exit(2); }
    const [run, n] = sizes[w];
    console.log(`# ${w}: n=${n}${w === 'spawn' ? `, each task sleeps ${spawnS} s` : ''}`);
    const samples = [];
    for (let rep = 0; rep < a.reps; rep++) {
      gc();
      if (w === 'spawn') await spawn(Math.max(Math.floor(n / 10), 1000), 0.02); else await run(Math.max(Math.floor(n / 10), 1000));
      gc();
      samples.push(await run(n));
      console.error(`#   rep ${rep + 1}/${a.reps}: ` + Object.entries(samples.at(-1)).map(([k, v]) => `${k}=${fmt(v)}`).join(', '));
    }
    const workload = w;   // spawn: the name the harness gives its peers
    for (const metric of Object.keys(samples[0])) {
      const values = samples.map(s => s[metric]);
      for (const [suffix, value] of [['', median(values)], ['_min', Math.min(...values)], ['_max', Math.max(...values)]]) {
        console.log(`RESULT workload=${workload} runtime=node metric=${metric}${suffix} value=${fmt(value)}`);
      }
    }
  }
}

main().catch(e => { console.error(e); process.exit(1); });
