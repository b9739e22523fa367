// The host part of `npm run bench` (DEALSTACK_BENCH_ONLY=host): runs bench/host_bench.cpp
// (native only) against the built `dealstack` and prints each figure beside the baseline
// measured in the same run, with the targets of issue 4. What each figure measures is in
// host_bench.cpp's header; a short reminder is printed above each table.
// Environment: DEALSTACK_BENCH_HOST_RUNS (40) cold starts; DEALSTACK_BENCH_HOST_ROUND_TRIPS
//              (2000) small round trips (1 MiB ones: a twentieth); DEALSTACK_BENCH_HOST_WATCHES
//              (10000) watches for the memory figure; DEALSTACK_BENCH_HOST_CHECKS (1000)
//              watch.check calls, DEALSTACK_BENCH_HOST_CONCURRENCY (8) of them outstanding;
//              DEALSTACK_BENCH_HOST_PARTS (cold,rtt,memory,checks).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const TARGET_COLD_MS = 10;
const TARGET_SMALL_RTT_US = 200;
const TARGET_RSS_MB = 64;
const TARGET_CHECKS_PER_CPU_S = 100;

const env = (name, fallback) => process.env[`DEALSTACK_BENCH_HOST_${name}`] ?? String(fallback);
const fmt = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
const ok = (good) => (good ? 'ok' : 'OVER');

function printTable(header, rows, leftColumns = 1) {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => String(r[i]).length)));
  for (const r of [header, ...rows]) {
    console.log(r.map((c, i) => (i < leftColumns ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  }
}

function printCold(c) {
  const ms = (s, k) => fmt(s[k] / 1000);
  console.log(`\nhost cold start (agent already running), ${c.runs} runs, ms from posix_spawn: ` +
    'host = to the hello reply frame, +exit = until it exited after stdin closed;');
  console.log('baselines in the same runs (interleaved): /bin/true and `dealstack version` to exit');
  printTable(['process', 'p50', 'p90', 'min', 'max', 'p50 / true', 'p50 / version'], [
    ['host: hello reply', ms(c.host_reply, 'p50'), ms(c.host_reply, 'p90'), ms(c.host_reply, 'min'), ms(c.host_reply, 'max'),
      fmt(c.host_reply.p50 / c.true_exit.p50), fmt(c.host_reply.p50 / c.version_exit.p50)],
    ['host: +exit', ms(c.host_exit, 'p50'), ms(c.host_exit, 'p90'), ms(c.host_exit, 'min'), ms(c.host_exit, 'max'),
      fmt(c.host_exit.p50 / c.true_exit.p50), fmt(c.host_exit.p50 / c.version_exit.p50)],
    ['dealstack version', ms(c.version_exit, 'p50'), ms(c.version_exit, 'p90'), ms(c.version_exit, 'min'),
      ms(c.version_exit, 'max'), fmt(c.version_exit.p50 / c.true_exit.p50), '1.00'],
    ['/bin/true', ms(c.true_exit, 'p50'), ms(c.true_exit, 'p90'), ms(c.true_exit, 'min'), ms(c.true_exit, 'max'), '1.00', '-'],
  ]);
  const p50 = c.host_reply.p50 / 1000;
  const p90 = c.host_reply.p90 / 1000;
  console.log(`target: cold start to first reply <= ${TARGET_COLD_MS} ms: p50 ${fmt(p50)} ms (${ok(p50 <= TARGET_COLD_MS)}), ` +
    `p90 ${fmt(p90)} ms (${ok(p90 <= TARGET_COLD_MS)})`);
}

function printRtt(rows) {
  console.log('\nround trips through one long-lived host and the agent, µs from write() of the request to the ' +
    'last byte of the reply;');
  console.log('baseline (echo): the same request and reply frames through a pipe pair to a thread of the bench process');
  const kb = (n) => (n >= 1 << 20 ? `${fmt(n / (1 << 20))} MiB` : n >= 1024 ? `${fmt(n / 1024, 1)} KiB` : `${n} B`);
  printTable(['message', 'request', 'reply', 'frames', 'answer', 'n', 'host p50', 'p90', 'p99', 'echo p50', 'p90',
    'host/echo p50'], rows.map((r) => [r.name, kb(r.request_bytes), kb(r.reply_bytes), r.reply_frames, r.reply,
    r.host.n, fmt(r.host.p50, 1), fmt(r.host.p90, 1), fmt(r.host.p99, 1), fmt(r.echo.p50, 1), fmt(r.echo.p90, 1),
    fmt(r.host.p50 / r.echo.p50)]));
  const small = rows.find((r) => r.name === 'hello');
  if (small) {
    console.log(`target: small round trip <= ${TARGET_SMALL_RTT_US} µs: p50 ${fmt(small.host.p50, 1)} µs ` +
      `(${ok(small.host.p50 <= TARGET_SMALL_RTT_US)}), p99 ${fmt(small.host.p99, 1)} µs ` +
      `(${ok(small.host.p99 <= TARGET_SMALL_RTT_US)})`);
  }
}

function printMemory(m) {
  const mb = (kib) => fmt(kib / 1024, 1);
  console.log(`\nagent memory (/proc/<pid>/status, MB = MiB), fresh agent in a temporary home; baseline: the same ` +
    'agent with 0 watches (after one hello)');
  const rows = [
    ['0 watches', mb(m.empty.rss_kib), mb(m.empty.hwm_kib), '1.00'],
    [`${m.watches} watches`, mb(m.full.rss_kib), mb(m.full.hwm_kib), fmt(m.full.rss_kib / m.empty.rss_kib)],
  ];
  if (m.after_list) {
    rows.push([`${m.watches} + watch.list through a host`, mb(m.after_list.rss_kib), mb(m.after_list.hwm_kib),
      fmt(m.after_list.rss_kib / m.empty.rss_kib)]);
  }
  printTable(['agent', 'VmRSS MB', 'VmHWM MB', 'RSS / 0 watches'], rows);
  console.log(`  (${m.watches} watch.add over the socket, pipelined: ${fmt(m.adds.seconds, 1)} s, ` +
    `${fmt(m.adds.per_second, 0)}/s, agent CPU ${fmt(m.adds.agent_cpu_seconds)} s)`);
  const rss = m.full.rss_kib / 1024;
  console.log(`target: agent with ${m.watches} watches <= ${TARGET_RSS_MB} MB resident: ${fmt(rss, 1)} MB ` +
    `(${ok(rss <= TARGET_RSS_MB)}); peak ${mb(m.full.hwm_kib)} MB`);
}

function printChecks(c) {
  if (c.status !== 'ok') {
    console.log(`\nchecks/s: skipped (${c.reason})`);
    return;
  }
  const b = c.baseline;
  console.log(`\nchecks against a loopback shop (${c.shop_ports} ports, ${c.watches} watches, page ` +
    `${fmt(c.page_bytes / 1024, 0)} KiB with JSON-LD Product), ${c.concurrency} requests outstanding;`);
  console.log('agent: watch.check = fetch + extract + store (+ rules), its CPU = utime+stime of the agent process;');
  console.log('baseline: the same urls fetched by http::async_fetch on one thread of the bench, no extract/store ' +
    '(CPU of that thread)');
  printTable(['', 'done', 'errors', 'wall s', 'CPU s', 'per s', 'per CPU-s', 'CPU ms each'], [
    ['agent watch.check', c.ok, c.errors, fmt(c.wall_seconds), fmt(c.agent_cpu_seconds), fmt(c.per_second, 0),
      fmt(c.per_cpu_second, 0), fmt(c.agent_cpu_seconds * 1000 / c.ok)],
    ['bare fetch', b.fetches, b.errors, fmt(b.wall_seconds), fmt(b.cpu_seconds), fmt(b.per_second, 0),
      fmt(b.per_cpu_second, 0), fmt(b.cpu_seconds * 1000 / b.fetches)],
  ]);
  console.log(`  shop saw ${c.shop_hits} requests during the agent run; agent config ${JSON.stringify(c.agent_config)} ` +
    `(rate_per_minute caps a run at ${fmt(c.agent_config.monitor.rate_per_minute / 60, 0)}/s)`);
  if (c.errors > 0) console.log(`  errors: ${JSON.stringify(c.error_codes)}, e.g. ${JSON.stringify(c.first_error)}`);
  console.log(`  checks cost ${fmt(b.per_cpu_second / c.per_cpu_second, 1)}x a bare fetch in CPU; ` +
    `agent RSS after: ${fmt(c.agent_memory.rss_kib / 1024, 1)} MB`);
  console.log(`target: >= ${TARGET_CHECKS_PER_CPU_S} checks/s per core: ${fmt(c.per_cpu_second, 0)} per CPU-second ` +
    `(${ok(c.per_cpu_second >= TARGET_CHECKS_PER_CPU_S)}); ${fmt(c.per_second, 0)}/s wall`);
}

export function runHostBench({ root, nativeBuild }) {
  const bin = join(nativeBuild, 'bin/host_bench');
  const dealstack = join(nativeBuild, 'bin/dealstack');
  if (!existsSync(bin) || !existsSync(dealstack)) {
    console.log(`\nnote: ${existsSync(bin) ? dealstack : bin} is missing (build the native preset's host_bench); ` +
      'skipping the host and agent');
    return;
  }
  const args = ['--dealstack', dealstack, '--page', join(root, 'tests/fixtures/pages/jsonld-plain.html'),
    '--parts', env('PARTS', 'cold,rtt,memory,checks'), '--runs', env('RUNS', 40),
    '--round-trips', env('ROUND_TRIPS', 2000), '--watches', env('WATCHES', 10000),
    '--checks', env('CHECKS', 1000), '--concurrency', env('CONCURRENCY', 8)];
  console.log(`\nhost and agent: ${bin} (progress on stderr)`);
  const r = spawnSync(bin, args, { maxBuffer: 16 << 20, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.error || r.status !== 0) {
    throw new Error(`${bin} failed (${r.error?.message ?? `exit ${r.status}`})`);
  }
  const out = JSON.parse(r.stdout);
  if (out.cold) printCold(out.cold);
  if (out.rtt) printRtt(out.rtt);
  if (out.memory) printMemory(out.memory);
  if (out.checks) printChecks(out.checks);
}
