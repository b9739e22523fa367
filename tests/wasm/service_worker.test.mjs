// The built module inside a real MV3 extension service worker (headless Chromium): static
// import, CSP with only 'wasm-unsafe-eval', the .wasm fetched from beside the module. The
// worker reports to a loopback server listed in host_permissions. Skipped when
// /usr/bin/chromium (or $CHROMIUM) is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { wasmDir } from './paths.mjs';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';

const WORKER = `
import { load } from './dealstack_core.mjs';

const PAGE = '<script type="application/ld+json">{"@type":"Product","name":"Kettle","sku":"K-1",' +
  '"offers":{"price":"19.99","priceCurrency":"EUR"}}</script>';

async function report(body) {
  await fetch('http://127.0.0.1:PORT/report', { method: 'POST', body: JSON.stringify(body) });
}

(async () => {
  const out = {};
  try {
    const core = await load();
    out.price = core.parsePrice('1.299,99 €');
    out.product = core.extractProduct(PAGE, 'https://shop.example/k');
    try { core.extractProduct(''); } catch (e) { out.emptyCode = e.code; }
    try { await load({ wasm: './missing.wasm' }); } catch (e) { out.missingCode = e.code; }
  } catch (e) {
    out.failure = String(e && e.stack || e);
  }
  await report(out);
})();
`;

test('the built module runs in an MV3 extension service worker', { skip: !existsSync(chromium) && `${chromium} not installed`, timeout: 60000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dealstack-sw-'));
  let browser;
  let server;
  try {
    let resolveReport;
    const reported = new Promise((resolve) => { resolveReport = resolve; });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { res.end('ok'); if (req.url === '/report') resolveReport(JSON.parse(body)); });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();

    const ext = join(dir, 'ext');
    mkdirSync(ext);
    for (const f of ['dealstack_core.mjs', 'dealstack_core.wasm']) copyFileSync(join(wasmDir, f), join(ext, f));
    writeFileSync(join(ext, 'sw.js'), WORKER.replace('PORT', String(port)));
    writeFileSync(join(ext, 'manifest.json'), JSON.stringify({
      manifest_version: 3,
      name: 'dealstack wasm smoke test',
      version: '0.0.1',
      background: { service_worker: 'sw.js', type: 'module' },
      host_permissions: [`http://127.0.0.1:${port}/*`],
      content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
    }));

    browser = spawn(chromium, [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${join(dir, 'profile')}`, `--disable-extensions-except=${ext}`,
      `--load-extension=${ext}`, 'about:blank',
    ], { stdio: 'ignore', detached: true });  // its own process group: see finally

    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no report from the service worker within 45 s')), 45000);
    });
    const out = await Promise.race([reported, timeout]).finally(() => clearTimeout(timer));

    assert.equal(out.failure, undefined, out.failure);
    assert.equal(out.price.amount, '1299.99');
    assert.equal(out.price.currency, 'EUR');
    assert.equal(out.product.name, 'Kettle');
    assert.equal(out.product.price.amount, '19.99');
    assert.equal(out.emptyCode, 'empty_input');
    assert.equal(out.missingCode, 'wasm_load_failed');
  } finally {
    if (browser && browser.exitCode === null) {
      const exited = new Promise((resolve) => browser.once('exit', resolve));
      // The whole group: Chromium's helper processes outlive the browser process and keep
      // writing to the profile, which made removing it fail now and then (ENOTEMPTY).
      try { process.kill(-browser.pid, 'SIGKILL'); } catch { browser.kill('SIGKILL'); }
      await exited;
    }
    server?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
});
