// docs/protocol.md's examples, sent through the real host (which starts the real agent) in
// a temporary home; each reply must match the documented one (fields marked "varies" by
// type only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makeAgentHome } from '../support/agent_home.mjs';
import { dealstackBin, repoRoot } from '../support/dealstack.mjs';

const ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';

// The product page the watch.check example reads, as a shop serves it.
const KETTLE_PAGE = `<!doctype html><html><head><title>Steel Kettle</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
"name": "Steel Kettle 1.7 l", "offers": {"@type": "Offer", "price": "39.99",
"priceCurrency": "EUR", "availability": "https://schema.org/InStock"}}</script></head>
<body><h1>Steel Kettle 1.7 l</h1><p>39,99 €</p></body></html>`;

function startShop() {
  const server = http.createServer((req, res) => {
    if (req.url !== '/p/kettle') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(KETTLE_PAGE);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// The documented shop address, 127.0.0.1:8080, is the test's shop on its real port.
function examples(port) {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', 'protocol.md'), 'utf8')
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);
  const re = /<!-- example: ([^;>]+?)(?:; varies: ([^>]*?))? -->\s*```json\n([\s\S]*?)```\s*```json\n([\s\S]*?)```/g;
  const out = [];
  for (const m of text.matchAll(re)) {
    out.push({ name: m[1].trim(), varies: (m[2] ?? '').split(/\s+/).filter(Boolean),
      request: JSON.parse(m[3]), reply: JSON.parse(m[4]) });
  }
  return out;
}

function get(obj, dotted) {
  return dotted.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}
function del(obj, dotted) {
  const keys = dotted.split('.');
  const last = keys.pop();
  const parent = keys.reduce((o, k) => o[k], obj);
  delete parent[last];
}

test('every example in docs/protocol.md gives the documented reply', async () => {
  const shop = await startShop();
  const list = examples(shop.address().port);
  assert.ok(list.length >= 3, 'the examples are found');
  assert.ok(list.some((ex) => ex.request.method === 'watch.check' && ex.reply.result));
  // No pause between two requests to the test's shop (the schedule checks a new watch at
  // once, and watch.check follows).
  const { env } = makeAgentHome({ prefix: 'ds-doc-', allowed: [ORIGIN],
    agentConfig: { monitor: { min_host_gap_ms: 0 } } });
  const child = spawn(dealstackBin, [ORIGIN], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = Buffer.alloc(0);
  const replies = [];
  const events = [];
  child.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) {
      const n = buf.readUInt32LE(0);
      const message = JSON.parse(buf.subarray(4, 4 + n).toString('utf8'));
      (message.event ? events : replies).push(message);
      buf = buf.subarray(4 + n);
    }
  });
  let agentPid;
  try {
    for (const ex of list) {
      const body = Buffer.from(JSON.stringify(ex.request));
      const head = Buffer.alloc(4);
      head.writeUInt32LE(body.length);
      child.stdin.write(Buffer.concat([head, body]));
      for (let i = 0; i < 500 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const got = replies.shift();
      assert.ok(got, `${ex.name}: a reply`);
      if (got.result?.agent_pid) agentPid = got.result.agent_pid;
      const want = structuredClone(ex.reply);
      for (const field of ex.varies) {
        assert.equal(typeof get(got, field), typeof get(want, field), `${ex.name}: ${field} type`);
        del(got, field);
        del(want, field);
      }
      assert.deepEqual(got, want, ex.name);
    }
    // The documented events came to this client too.
    assert.ok(events.some((e) => e.event === 'watch.updated' && e.data.watch?.id === 1));
    assert.ok(events.some((e) => e.event === 'watch.updated' && e.data.removed === 1));
  } finally {
    child.stdin.end();
    await new Promise((r) => child.on('close', r));
    if (agentPid) process.kill(agentPid, 'SIGTERM');
    shop.close();
  }
});
