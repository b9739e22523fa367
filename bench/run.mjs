// npm run bench: extraction speed natively and as wasm under node, each beside a bare gumbo
// parse of the same bytes in the same process (bench/extract_bench.cpp), plus the shipped ES
// module (build/wasm/wasm/dealstack_core.mjs) timed from JS, copies in and out included.
//
// Pages: gumbo's own saved pages (node_modules/gumbo-parser/deps/gumbo-parser/benchmarks) and,
// when present, the development pages in ../shared/data/product-pages/html/*.html.gz
// (unpacked in memory, never copied anywhere).
// Environment: DEALSTACK_BENCH_MIN_MS (default 300) time per page and measurement;
//              DEALSTACK_BUILD_NATIVE / DEALSTACK_BUILD_WASM: the build folders.
// Targets (printed beside the figures; a report, not a test): extraction <= 1.3x a bare gumbo
// parse; wasm <= 1.5x native.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

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

const nativeBin = join(nativeBuild, 'bin/extract_bench');
const wasmJs = join(wasmBuild, 'bin/extract_bench.js');
if (!existsSync(nativeBin)) {
  console.error(`${nativeBin} is missing: run \`bash scripts/build.sh native wasm\` first`);
  process.exit(1);
}
const haveWasm = existsSync(wasmJs);
if (!haveWasm) console.log(`note: ${wasmJs} is missing; wasm columns left empty`);
console.log(`${basename(process.argv[1])}: node ${process.version}, at least ${minMs} ms and 5 iterations per page and measurement`);

for (const { title, pages } of loadPages()) {
  if (pages.length === 0) continue;
  const input = frame(pages);
  const native = runBench(nativeBin, [], input);
  const wasm = haveWasm ? runBench(process.execPath, ['--no-experimental-fetch', wasmJs], input) : null;
  const module = await timeModule(pages);
  printSet(title, pages, native, wasm, module);
}
