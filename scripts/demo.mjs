// Prints what `dealstack extract` and `dealstack price` read from bundled samples, the
// cheapest stack `dealstack stack` finds for a sample cart, and a price watch at work: the
// real agent, in a temporary home, watching a shop this script serves on loopback.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.DEALSTACK_BIN ?? path.join(root, 'build', 'native', 'bin', 'dealstack');
const pagesDir = path.join(root, 'tests', 'fixtures', 'pages');
// --short (npm start, before the browser part): a few pages and price strings, the stack, and
// no command-line watch (the browser part shows one).
const short = process.argv.includes('--short');

function run(args, input) {
  const r = spawnSync(bin, args, { input, encoding: 'utf8' });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

console.log('Products read from sample pages (tests/fixtures/pages):\n');
let pages = existsSync(pagesDir) ? readdirSync(pagesDir).filter((f) => f.endsWith('.html')).sort() : [];
if (short) pages = pages.slice(0, 5);
for (const file of pages) {
  const r = run(['extract', '--url', `https://shop.example/${file}`, path.join(pagesDir, file)]);
  if (r.status === 0) {
    const p = JSON.parse(r.out);
    const price = p.price ? `${p.price.amount} ${p.price.currency ?? p.price.currency_text ?? ''}` : 'no price';
    const was = p.list_price ? ` (was ${p.list_price.amount})` : '';
    console.log(`  ${file.padEnd(40)} ${String(p.name).slice(0, 38).padEnd(38)} ${(price + was).padEnd(24)} ${p.availability.padEnd(12)} price from ${p.sources.price ?? '-'}`);
  } else {
    const code = r.status === 3 ? JSON.parse(r.out).error.code : r.err;
    console.log(`  ${file.padEnd(40)} (${code})`);
  }
}

console.log('\nPrice strings:\n');
const samples = [
  ['$1,299.99', null], ['1.899,-', 'EUR'], ["CHF 1'049.95", null], ['ab 12,50 €', null], ['¥ 129,800', null],
  ['Rp 129.900', null], ['12.345 KWD', null], ['от 1 299 руб.', null], ['R$ 2.499,90', null], ['no price here', null],
];
for (const [text, hint] of short ? samples.slice(0, 4) : samples) {
  const r = run(['price', ...(hint ? ['--currency-hint', hint] : []), text]);
  console.log(`  ${JSON.stringify(text).padEnd(20)} ${hint ? `(hint ${hint})` : ''.padEnd(0)}  ->  ${r.out}`);
}

// The deal stacker on a sample cart (the request of one of the hand-computed scenarios).
const scenario = path.join(root, 'tests', 'fixtures', 'stacking', 'scenarios', 'layers_interact.json');
if (existsSync(scenario)) {
  const { request } = JSON.parse(readFileSync(scenario, 'utf8'));
  const r = run(['stack', '-'], JSON.stringify(request));
  console.log('\nThe cheapest stack for a sample cart (tests/fixtures/stacking/scenarios/layers_interact.json):\n');
  if (r.status !== 0) {
    console.log(`  (dealstack stack failed: ${r.out || r.err})`);
  } else {
    const s = JSON.parse(r.out);
    const t = s.totals;
    console.log(`  list price ${t.list_total} ${s.currency}; pay ${t.out_of_pocket} at checkout; net ${s.net} after cashback and rewards (saves ${s.savings})`);
    s.steps.forEach((step, i) => console.log(`  ${i + 1}. ${step.label.padEnd(58)} saves ${step.saves}`));
    for (const w of s.warnings) console.log(`  ! ${w.message}`);
    for (const h of s.hints) console.log(`  + ${h.message}`);
    if (!short) for (const a of s.alternatives) console.log(`  without ${a.without}: net ${a.net} (${a.costs_more} more)`);
  }
}

// A price watch: the agent checks a page, the shop drops its price, the next check alerts.
if (short) process.exit(0);
console.log('\nWatching a price (a shop served on loopback, the agent in a temporary home):\n');
const home = mkdtempSync(path.join(os.tmpdir(), 'dealstack-demo-'));
const env = { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: path.join(home, 'run'),
  XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') };
mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
mkdirSync(path.join(env.XDG_CONFIG_HOME, 'dealstack'), { recursive: true });
// No pause between requests to the demo shop; no desktop pop-ups from a demo.
writeFileSync(path.join(env.XDG_CONFIG_HOME, 'dealstack', 'agent.json'),
  JSON.stringify({ monitor: { min_host_gap_ms: 0 }, notifications: { desktop: false } }));
let price = '49.99';
const shop = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<html><head><script type="application/ld+json">{"@context": "https://schema.org",
    "@type": "Product", "name": "Espresso Grinder", "offers": {"@type": "Offer", "price": "${price}",
    "priceCurrency": "EUR", "availability": "https://schema.org/InStock"}}</script></head>
    <body><h1>Espresso Grinder</h1></body></html>`);
});
await new Promise((r) => shop.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${shop.address().port}/p/grinder`;
const cli = (args) => new Promise((resolve) => {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  child.on('close', (status) => resolve({ status, out: out.trimEnd() }));
});
const show = async (args) => {
  console.log(`  $ dealstack ${args.join(' ')}`);
  const r = await cli(args);
  console.log(r.out.split('\n').map((l) => `    ${l}`).join('\n'));
  return r;
};
try {
  await show(['watch', 'add', url, '--target', '45.00', '--currency', 'EUR']);
  await show(['watch', 'check', '1']);
  price = '42.50';
  console.log('  (the shop lowers its price to 42.50 EUR)');
  await show(['watch', 'check', '1']);
  await show(['alerts']);
} finally {
  const lock = path.join(env.XDG_RUNTIME_DIR, 'dealstack', 'agent.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
    for (let i = 0; i < 100; i++) {
      try { process.kill(pid, 0); } catch { break; }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  shop.close();
  rmSync(home, { recursive: true, force: true });
}
