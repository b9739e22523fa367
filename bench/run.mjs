// npm run bench: extraction speed natively and as wasm under node, each beside a bare gumbo
// parse of the same bytes in the same process (bench/extract_bench.cpp), plus the shipped ES
// module (build/wasm/wasm/dealstack_core.mjs) timed from JS, copies in and out included.
//
// Pages: gumbo's own saved pages (node_modules/gumbo-parser/deps/gumbo-parser/benchmarks) and,
// when present, the development pages in ../shared/data/product-pages/html/*.html.gz
// (unpacked in memory, never copied anywhere).
// Then the deal stacker (bench/stack_bench.cpp, natively and as wasm): stack_deals_json and
// search() alone on generated realistic requests (bench/stack_requests.cpp) for carts of 1, 5
// and 20 lines with 10, 30 and 60 offers, beside the exhaustive reference where it finishes.
// Then the native-messaging host and the agent (bench/host.mjs, bench/host_bench.cpp, native
// only): host cold start, round trips, agent memory with 10,000 watches, checks per second.
// Then the extension (bench/extension.mjs): page load to popup-ready product and stack on the
// demo shop's 500 KB page in headless Chromium, the wasm module's size, full HTML vs digest.
// Then dealstack-server (bench/server_load.cpp, native only): requests per second on loopback
// over keep-alive TLS connections for GET /v1/health, GET /v1/offers/{retailer} answered 304,
// and an authenticated empty POST /v1/sync, each beside a minimal Beast HTTPS server measured
// in the same run (DEALSTACK_BENCH_SERVER_SECONDS, default 3, per measurement;
// DEALSTACK_BENCH_SERVER_CONNECTIONS, default 32). Target: >= 5,000 requests/s on 2 cores.
// Environment: DEALSTACK_BENCH_MIN_MS (default 300) time per page and measurement;
//              DEALSTACK_BUILD_NATIVE / DEALSTACK_BUILD_WASM: the build folders;
//              DEALSTACK_BENCH_ONLY: "extraction", "stacking", "host", "extension" or "server" to run just that part;
//              DEALSTACK_BENCH_STACK_REQUESTS (200) requests per stacking cell,
//              DEALSTACK_BENCH_STACK_REPS (3) timings per request (the median is kept),
//              DEALSTACK_BENCH_EXHAUSTIVE_MS (3000) exhaustive-reference time per cell.
// Targets (printed beside the figures; a report, not a test): extraction <= 1.3x a bare gumbo
// parse; wasm <= 1.5x native; stacking <= 1 ms at p99 in wasm for 20 lines x 60 offers;
// host and agent: see bench/host.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { runExtensionBench } from './extension.mjs';
import { runHostBench } from './host.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const nativeBuild = resolve(process.env.DEALSTACK_BUILD_NATIVE ?? join(root, 'build/native'));
const wasmBuild = resolve(process.env.DEALSTACK_BUILD_WASM ?? join(root, 'build/wasm'));
const minMs = Number(process.env.DEALSTACK_BENCH_MIN_MS ?? 300);
const PAGE_URL = 'https://shop.example/';

const TARGET_EXTRACT_VS_GUMBO = 1.3;
const TARGET_WASM_VS_NATIVE = 1.5;

function loadPages() {
  const sets = [];
  const gumboDir = join(root, 'node_modules/gumbo-parser/deps/gumbo-parser/benchmarks');
  if (existsSync(gumboDir)) {
    const pages = readdirSync(gumboDir).filter((f) => f.endsWith('.html')).sort()
      .map((f) => ({ name: f, bytes: readFileSync(join(gumboDir, f)) }));
    sets.push({ title: 'gumbo benchmark pages', pages });
  } else {
    console.log(`note: ${gumboDir} is missing (run \`npm ci\`); skipping gumbo's pages`);
  }
  const devDir = resolve(root, '../shared/data/product-pages/html');
  const dev = existsSync(devDir) ? devDir : null;
  if (dev) {
    const pages = readdirSync(dev).filter((f) => f.endsWith('.html.gz')).sort()
      .map((f) => ({ name: `${f.slice(0, 12)}….html`, bytes: gunzipSync(readFileSync(join(dev, f))) }));
    sets.push({ title: `development product pages (${dev})`, pages });
  } else {
    console.log('note: no development pages (../shared/data/product-pages/html); skipping them');
  }
  return sets;
}

// The stdin format of extract_bench: <name> TAB <byte count> LF <bytes>, repeated.
function frame(pages) {
  const parts = [];
  for (const { name, bytes } of pages) {
    parts.push(Buffer.from(`${name.replace(/[\t\n]/g, ' ')}\t${bytes.length}\n`), bytes);
  }
  return Buffer.concat(parts);
}

function runBench(command, args, input) {
  const r = spawnSync(command, [...args, '--min-ms', String(minMs), '--url', PAGE_URL], {
    input, maxBuffer: 64 << 20, encoding: 'utf8',
  });
  if (r.error || r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
  }
  return new Map(JSON.parse(r.stdout).pages.map((p) => [p.name, p]));
}

async function timeModule(pages) {
  const modulePath = join(wasmBuild, 'wasm/dealstack_core.mjs');
  if (!existsSync(modulePath)) return null;
  const { load } = await import(pathToFileURL(modulePath).href);
  const core = await load();
  const out = new Map();
  for (const { name, bytes } of pages) {
    const once = () => {
      const t0 = performance.now();
      try { core.extractProductJson(bytes, PAGE_URL); } catch { /* errors are results too */ }
      return performance.now() - t0;
    };
    once();
    const times = [];
    let total = 0;
    while (times.length < 5 || total < minMs) {
      times.push(once());
      total += times.at(-1);
    }
    times.sort((a, b) => a - b);
    out.set(name, times[Math.floor(times.length / 2)]);
  }
  return out;
}

const fmt = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
const mbps = (bytes, ms) => bytes / (1 << 20) / (ms / 1000);
const mark = (ratio, target) => (ratio <= target ? 'ok' : 'OVER');

function printSet(title, pages, native, wasm, module) {
  console.log(`\n${title}: median ms per call; ratio = extract / bare gumbo parse of the same bytes`);
  const header = ['page', 'KB', 'result', 'nat gumbo', 'nat extr', 'MB/s', 'x gumbo',
    'wasm gumbo', 'wasm extr', 'MB/s', 'x gumbo', 'wasm/nat', 'module', 'mod/nat'];
  const rows = [header];
  const sums = { bytes: 0, ng: 0, ne: 0, wg: 0, we: 0, me: 0 };
  for (const { name, bytes } of pages) {
    const n = native.get(name);
    const w = wasm?.get(name);
    const m = module?.get(name);
    sums.bytes += bytes.length;
    sums.ng += n.gumbo_ms; sums.ne += n.extract_ms;
    if (w) { sums.wg += w.gumbo_ms; sums.we += w.extract_ms; }
    if (m !== undefined) sums.me += m;
    rows.push([name, fmt(bytes.length / 1024, 0), n.ok ? 'product' : n.error,
      fmt(n.gumbo_ms), fmt(n.extract_ms), fmt(mbps(bytes.length, n.extract_ms), 1), fmt(n.extract_ms / n.gumbo_ms),
      fmt(w?.gumbo_ms), fmt(w?.extract_ms), fmt(w && mbps(bytes.length, w.extract_ms), 1),
      fmt(w && w.extract_ms / w.gumbo_ms), fmt(w && w.extract_ms / n.extract_ms),
      fmt(m), fmt(m !== undefined ? m / n.extract_ms : undefined)]);
  }
  rows.push(['TOTAL', fmt(sums.bytes / 1024, 0), '', fmt(sums.ng), fmt(sums.ne),
    fmt(mbps(sums.bytes, sums.ne), 1), fmt(sums.ne / sums.ng),
    wasm ? fmt(sums.wg) : '-', wasm ? fmt(sums.we) : '-', wasm ? fmt(mbps(sums.bytes, sums.we), 1) : '-',
    wasm ? fmt(sums.we / sums.wg) : '-', wasm ? fmt(sums.we / sums.ne) : '-',
    module ? fmt(sums.me) : '-', module ? fmt(sums.me / sums.ne) : '-']);
  const widths = header.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) {
    console.log(r.map((c, i) => (i === 0 || i === 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  }
  const natRatio = sums.ne / sums.ng;
  console.log(`targets: native extraction ${fmt(natRatio)}x gumbo (target <= ${TARGET_EXTRACT_VS_GUMBO}x: ${mark(natRatio, TARGET_EXTRACT_VS_GUMBO)})`);
  if (wasm) {
    const wasmRatio = sums.we / sums.wg;
    const wasmVsNative = sums.we / sums.ne;
    console.log(`         wasm extraction ${fmt(wasmRatio)}x wasm gumbo (target <= ${TARGET_EXTRACT_VS_GUMBO}x: ${mark(wasmRatio, TARGET_EXTRACT_VS_GUMBO)})`);
    console.log(`         wasm ${fmt(wasmVsNative)}x native (target <= ${TARGET_WASM_VS_NATIVE}x: ${mark(wasmVsNative, TARGET_WASM_VS_NATIVE)})`);
  }
  if (module) {
    const modVsNative = sums.me / sums.ne;
    console.log(`         ES module (with JS copies) ${fmt(modVsNative)}x native (target <= ${TARGET_WASM_VS_NATIVE}x: ${mark(modVsNative, TARGET_WASM_VS_NATIVE)})`);
  }
}

const only = process.env.DEALSTACK_BENCH_ONLY ?? '';
const runPart = (name) => only === '' || only === name;
if (!['', 'extraction', 'stacking', 'host', 'extension', 'server', 'sync'].includes(only)) {
  console.error(`DEALSTACK_BENCH_ONLY: "${only}" is not one of extraction, stacking, host, extension, server, sync`);
  process.exit(2);
}
console.log(`${basename(process.argv[1])}: node ${process.version}`);

if (runPart('extraction')) {
  const nativeBin = join(nativeBuild, 'bin/extract_bench');
  const wasmJs = join(wasmBuild, 'bin/extract_bench.js');
  if (!existsSync(nativeBin)) {
    console.error(`${nativeBin} is missing: run \`bash scripts/build.sh native wasm\` first`);
    process.exit(1);
  }
  const haveWasm = existsSync(wasmJs);
  if (!haveWasm) console.log(`note: ${wasmJs} is missing; wasm columns left empty`);
  console.log(`\nextraction: at least ${minMs} ms and 5 iterations per page and measurement`);

  for (const { title, pages } of loadPages()) {
    if (pages.length === 0) continue;
    const input = frame(pages);
    const native = runBench(nativeBin, [], input);
    const wasm = haveWasm ? runBench(process.execPath, ['--no-experimental-fetch', wasmJs], input) : null;
    const module = await timeModule(pages);
    printSet(title, pages, native, wasm, module);
  }
}

// ---- stacking ------------------------------------------------------------------------
const TARGET_STACK_P99_MS = 1;  // wasm, 20 lines x 60 offers
const stackRequests = Number(process.env.DEALSTACK_BENCH_STACK_REQUESTS ?? 200);
const stackReps = Number(process.env.DEALSTACK_BENCH_STACK_REPS ?? 3);
const exhaustiveMs = Number(process.env.DEALSTACK_BENCH_EXHAUSTIVE_MS ?? 3000);

function runStackBench(command, args) {
  const r = spawnSync(command, [...args, '--requests', String(stackRequests), '--reps', String(stackReps),
    '--exhaustive-ms', String(exhaustiveMs)], { maxBuffer: 64 << 20, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

const us = (x) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(0));
const cellName = (c) => `${c.lines}x${c.offers}`;

function printTable(header, rows, leftColumns = 1) {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => String(r[i]).length)));
  for (const r of [header, ...rows]) {
    console.log(r.map((c, i) => (i < leftColumns ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  }
}

function exhaustiveColumns(c) {
  const e = c?.exhaustive;
  if (!e) return ['-', '-'];
  if (e.status !== 'ok') return ['n/a (too large)', '-'];
  if (e.requests === 0) return ['n/a (no time)', '-'];
  const partial = e.requests < c.requests ? ` (${e.requests}/${c.requests})` : '';
  return [`${us(e.p50)}${partial}`, fmt(e.ratio, 1)];
}

function printStacking(native, wasm) {
  console.log(`\nstacking: ${native.requests} generated requests per cell (bench/stack_requests.cpp), ` +
    `median of ${native.reps} timings per request, then p50/p99 across requests, in µs`);
  console.log('full = stack_deals_json (parse, search, alternatives, hints, result JSON); search = search() alone;');
  console.log(`exhaustive = the reference on the same requests (within ${exhaustiveMs} ms per cell), ` +
    'x search = its total time / search()\'s');
  const wasmCells = new Map((wasm?.cells ?? []).map((c) => [cellName(c), c]));
  const header = ['lines x offers', 'nat full p50', 'p99', 'search p50', 'p99', 'nodes',
    'exhaustive p50', 'x search', 'wasm full p50', 'p99', 'search p50', 'p99', 'exh p50', 'x search',
    'wasm/nat p50', 'p99'];
  const rows = [];
  let sumNative = 0;
  let sumWasm = 0;
  for (const c of native.cells) {
    const w = wasmCells.get(cellName(c));
    sumNative += c.full.mean * c.requests;
    if (w) sumWasm += w.full.mean * w.requests;
    rows.push([cellName(c), us(c.full.p50), us(c.full.p99), us(c.search.p50), us(c.search.p99),
      fmt(c.nodes.mean, 1), ...exhaustiveColumns(c),
      us(w?.full.p50), us(w?.full.p99), us(w?.search.p50), us(w?.search.p99), ...exhaustiveColumns(w),
      fmt(w && w.full.p50 / c.full.p50), fmt(w && w.full.p99 / c.full.p99)]);
  }
  printTable(header, rows);

  const target = wasmCells.get('20x60') ?? null;
  const nativeTarget = native.cells.find((c) => cellName(c) === '20x60');
  if (target) {
    const p99 = target.full.p99 / 1000;
    console.log(`target: stacking <= ${TARGET_STACK_P99_MS} ms p99 in wasm for 20 lines x 60 offers: ` +
      `${fmt(p99, 3)} ms (${p99 <= TARGET_STACK_P99_MS ? 'ok' : 'OVER'})` +
      (nativeTarget ? `; native ${fmt(nativeTarget.full.p99 / 1000, 3)} ms` : ''));
  } else {
    console.log(`target: stacking <= ${TARGET_STACK_P99_MS} ms p99 in wasm for 20 lines x 60 offers: not measured (no wasm build)`);
  }
  if (wasm) {
    console.log(`        wasm ${fmt(sumWasm / sumNative)}x native (total full time over all cells)`);
  }
  for (const report of [native, wasm]) {
    if (!report) continue;
    const checked = report.cells.reduce((n, c) => n + c.exhaustive.requests, 0);
    const wrong = report.cells.reduce((n, c) => n + c.exhaustive.mismatches, 0);
    console.log(`        ${report.platform}: search() and the exhaustive reference agree on ` +
      `${checked - wrong} of ${checked} requests (net, steps, codes)`);
  }

  // Where the time goes: phase means (all requests, and the slowest 1 %).
  console.log('\nstacking phases, mean µs per request (core = stack_deals without alternatives and hints; ' +
    '+alt / +hints = what each adds; alt = alternative searches per request)');
  const phaseHeader = ['lines x offers', 'build', 'which', 'full', 'parse', 'prepare', 'search', 'core',
    '+alt', '+hints', 'result_json', 'alt'];
  const phaseRows = [];
  for (const c of native.cells) {
    for (const [build, cell] of [['native', c], ['wasm', wasmCells.get(cellName(c))]]) {
      if (!cell) continue;
      for (const [which, p] of [['all', cell.phases], ['slowest 1%', cell.tail_phases]]) {
        phaseRows.push([cellName(c), build, which, us(p.full), us(p.parse), us(p.prepare), us(p.search),
          us(p.core), us(p.alternatives), us(p.hints), us(p.result_json), fmt(p.alternative_searches, 1)]);
      }
    }
  }
  printTable(phaseHeader, phaseRows, 3);

  console.log('\nslowest requests per cell (wasm when built, else native): µs, and the request\'s shape');
  for (const c of (wasm ?? native).cells) {
    for (const w of c.worst.slice(0, 2)) {
      console.log(`  ${cellName(c).padEnd(5)} seed ${String(w.seed).padStart(4)}: full ${us(w.full)}, search ${us(w.search)} ` +
        `(${w.nodes} nodes), +alt ${us(w.alternatives)} (${w.alternative_searches} searches), +hints ${us(w.hints)}; ` +
        `${w.platform} max_codes ${w.max_codes}, ${w.codes} codes, ${w.promotions} promotions, ${w.portals} portals, ` +
        `${w.card_offers} card offers, ${w.gift_cards} gift-card offers, ${w.shipping_options} shipping options`);
    }
  }

  for (const report of [native, wasm]) {
    if (!report) continue;
    for (const c of report.cells) {
      if (c.failed > 0) {
        console.log(`NOTE ${report.platform} ${cellName(c)}: ${c.failed} requests failed, e.g. ${JSON.stringify(c.errors[0])}`);
      }
      if (c.exhaustive.mismatches > 0) {
        console.log(`MISMATCH ${report.platform} ${cellName(c)}: search() and the exhaustive reference disagree on ` +
          `${c.exhaustive.mismatches} of ${c.exhaustive.requests} requests`);
      }
      if (c.exhaustive.status !== 'ok' && report === native) {
        console.log(`  exhaustive ${cellName(c)}: ${c.exhaustive.reason}`);
      }
      const w = wasmCells.get(cellName(c));
      if (report === native && w && w.checksum !== c.checksum) {
        console.log(`NOTE ${cellName(c)}: the wasm build generated different requests (checksum ${w.checksum} vs ${c.checksum})`);
      }
    }
  }
}

if (runPart('stacking')) {
  const stackNative = join(nativeBuild, 'bin/stack_bench');
  const stackWasm = join(wasmBuild, 'bin/stack_bench.js');
  if (!existsSync(stackNative)) {
    console.log(`\nnote: ${stackNative} is missing (build the native preset); skipping stacking`);
  } else {
    const native = runStackBench(stackNative, []);
    let wasm = null;
    if (existsSync(stackWasm)) wasm = runStackBench(process.execPath, ['--no-experimental-fetch', stackWasm]);
    else console.log(`note: ${stackWasm} is missing; wasm columns left empty`);
    printStacking(native, wasm);
  }
}

if (runPart('host')) runHostBench({ root, nativeBuild });

// ---- dealstack-server ------------------------------------------------------------------
const TARGET_SERVER_RPS = 5000;
if (runPart('server')) {
  const loadBin = join(nativeBuild, 'bin/server_load');
  const serverBin = join(nativeBuild, 'bin/dealstack-server');
  if (!existsSync(loadBin) || !existsSync(serverBin)) {
    console.log(`\nnote: ${loadBin} or ${serverBin} is missing (build the native preset); skipping the server`);
  } else {
    const r = spawnSync(loadBin, ['--server', serverBin, '--seconds', process.env.DEALSTACK_BENCH_SERVER_SECONDS ?? '3',
      '--connections', process.env.DEALSTACK_BENCH_SERVER_CONNECTIONS ?? '32'], { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.error || r.status !== 0) throw new Error(`server_load failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
    const report = JSON.parse(r.stdout);
    console.log(`\ndealstack-server on loopback: requests/s over ${report.connections} keep-alive TLS connections, ` +
      `${report.seconds} s each, server ${report.server_threads} threads, ${report.cpus} CPUs; baseline = a minimal ` +
      'Beast HTTPS server answering 200 (same certificate, TLS settings and threads), measured just before each');
    printTable(['request', 'req/s', 'baseline req/s', 'x baseline', 'unexpected', `target >= ${TARGET_SERVER_RPS}`],
      report.results.map((x) => [x.name, fmt(x.rps, 0), fmt(x.baseline_rps, 0), fmt(x.ratio), x.unexpected,
        x.rps >= TARGET_SERVER_RPS ? 'ok' : 'UNDER']));
  }
}
if (runPart('sync')) {
  if (!existsSync(join(nativeBuild, 'bin/dealstack-server')) || !existsSync(join(nativeBuild, 'bin/dealstack'))) {
    console.log('\nnote: dealstack or dealstack-server is missing (build the native preset); skipping sync');
  } else {
    const { benchSync } = await import('./sync.mjs');
    await benchSync();
  }
}
if (runPart('extension')) await runExtensionBench({ root });
