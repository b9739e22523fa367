// POST /v1/sync over real HTTPS: two devices push, pull and conflict; paging with the cursor;
// 10,000 records in batches; malformed and oversized requests; a server killed with SIGKILL
// mid-push loses no committed record and starts again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { bearer, registerAndLogin, startServer } from './server_harness.mjs';

const b64 = (s) => Buffer.from(s).toString('base64');
const rec = (id, base, plain, deleted = false) => ({ id, base_version: base, blob: b64(plain), deleted });

test('two devices: push, pull, conflict with the stored record, tombstones, cursor paging', async () => {
  const server = await startServer();
  try {
    const { token } = await registerAndLogin(server);
    const sync = async (body) => {
      const r = await server.request('POST', '/v1/sync', { body, headers: bearer(token) });
      assert.equal(r.status, 200, r.text);
      return r.json;
    };
    const a1 = await sync({ cursor: 0, push: [rec('watch/1', 0, 'w1'), rec('settings', 0, 's')] });
    assert.deepEqual(a1.results, [
      { id: 'watch/1', status: 'applied', version: 1 }, { id: 'settings', status: 'applied', version: 1 }]);
    assert.deepEqual(a1.records, []);
    assert.equal(a1.cursor, 2);

    const b1 = await sync({ cursor: 0 });
    assert.deepEqual(b1.records.map((r) => [r.id, r.version, Buffer.from(r.blob, 'base64').toString(), r.seq]),
      [['watch/1', 1, 'w1', 1], ['settings', 1, 's', 2]]);
    const b2 = await sync({ cursor: b1.cursor, push: [rec('watch/1', 1, 'w1 from b')] });
    assert.equal(b2.results[0].status, 'applied');
    assert.equal(b2.results[0].version, 2);

    const a2 = await sync({ cursor: a1.cursor, push: [rec('watch/1', 1, 'w1 from a')] });
    assert.deepEqual(a2.results, [{ id: 'watch/1', status: 'conflict', version: 2, blob: b64('w1 from b'), deleted: false }]);
    assert.deepEqual(a2.records.map((r) => r.id), ['watch/1']);
    // A resolves and pushes on top of version 2.
    const a3 = await sync({ cursor: a2.cursor, push: [rec('watch/1', 2, 'merged')] });
    assert.equal(a3.results[0].version, 3);
    const a4 = await sync({ cursor: a3.cursor, push: [{ id: 'settings', base_version: 1, deleted: true }] });
    assert.equal(a4.results[0].status, 'applied');

    const b3 = await sync({ cursor: b2.cursor });
    assert.deepEqual(b3.records.map((r) => [r.id, r.version, r.deleted]), [['watch/1', 3, false], ['settings', 2, true]]);
    assert.equal(b3.cursor, a4.cursor);

    // Paging: 25 more records pulled 10 at a time from the start.
    await sync({ cursor: 0, push: Array.from({ length: 25 }, (_, i) => rec(`page/${i}`, 0, `p${i}`)) });
    let cursor = 0;
    const seen = [];
    const sizes = [];
    for (;;) {
      const page = await sync({ cursor, limit: 10 });
      sizes.push(page.records.length);
      seen.push(...page.records.map((r) => r.id));
      assert.ok(page.cursor > cursor);
      cursor = page.cursor;
      if (!page.more) break;
    }
    assert.deepEqual(sizes, [10, 10, 7]);
    assert.equal(new Set(seen).size, 27);

    // Another account sees none of it.
    const other = await registerAndLogin(server, 'other@example.org', 'x');
    const o = await server.request('POST', '/v1/sync', { body: { cursor: 0 }, headers: bearer(other.token) });
    assert.deepEqual(o.json.records, []);
  } finally {
    await server.stop();
  }
});

test('10,000 records pushed in batches of 1000 arrive whole on another device', async () => {
  const server = await startServer();
  try {
    const { token } = await registerAndLogin(server);
    const blobs = new Map();
    const started = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      const push = [];
      for (let i = 0; i < 1000; i++) {
        const id = `watch/${batch * 1000 + i}`;
        const blob = crypto.randomBytes(200).toString('base64');
        blobs.set(id, blob);
        push.push({ id, base_version: 0, blob, deleted: false });
      }
      const r = await server.request('POST', '/v1/sync', { body: { cursor: 0, push }, headers: bearer(token) });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.results.every((x) => x.status === 'applied'));
    }
    let cursor = 0;
    let rounds = 0;
    const got = new Map();
    for (;;) {
      const r = await server.request('POST', '/v1/sync', { body: { cursor }, headers: bearer(token) });
      rounds++;
      for (const x of r.json.records) got.set(x.id, x.blob);
      cursor = r.json.cursor;
      if (!r.json.more) break;
    }
    assert.equal(rounds, 10);
    assert.equal(got.size, 10000);
    for (const [id, blob] of blobs) assert.equal(got.get(id), blob);
    assert.equal(cursor, 10000);
    console.log(`# 10,000 records pushed and pulled in ${Date.now() - started} ms`);
  } finally {
    await server.stop();
  }
});

test('malformed JSON is 400 naming the byte, bad fields are named, and a body over 8 MiB is 413', async () => {
  const server = await startServer();
  try {
    const { token } = await registerAndLogin(server);
    const broken = await server.request('POST', '/v1/sync', { body: '{"cursor": 0, "push": [}', headers: bearer(token) });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error.code, 'invalid_request');
    assert.match(broken.json.error.message, /not valid JSON \(at byte 24\)/);
    const field = await server.request('POST', '/v1/sync', {
      body: { push: [rec('ok', 0, 'x'), { id: 'bad id', base_version: 0, blob: 'eA==' }] }, headers: bearer(token) });
    assert.equal(field.status, 400);
    assert.match(field.json.error.message, /^push\[1\]\.id: /);

    const huge = JSON.stringify({ push: [{ id: 'x', base_version: 0, blob: 'A'.repeat(9 << 20) }] });
    const big = await server.request('POST', '/v1/sync', { body: huge, headers: bearer(token) });
    assert.equal(big.status, 413);
    assert.equal(big.json.error.code, 'too_large');
    // The server is fine afterwards.
    assert.equal((await server.request('GET', '/v1/health')).status, 200);
    // Nothing was stored by the refused requests.
    const all = await server.request('POST', '/v1/sync', { body: { cursor: 0 }, headers: bearer(token) });
    assert.deepEqual(all.json.records, []);
  } finally {
    await server.stop();
  }
});

test('SIGKILL mid-push: every acknowledged record survives, no batch is half-applied, and the server restarts', async () => {
  let server = await startServer();
  const { token } = await registerAndLogin(server);
  const acknowledged = new Set();
  const sent = new Map();  // batch -> ids
  let batch = 0;
  let killed = false;
  const pusher = (async () => {
    while (!killed) {
      const ids = Array.from({ length: 200 }, (_, i) => `k/${batch}/${i}`);
      sent.set(batch, ids);
      const push = ids.map((id) => ({ id, base_version: 0, blob: crypto.randomBytes(100).toString('base64'), deleted: false }));
      const b = batch++;
      try {
        const r = await server.request('POST', '/v1/sync', { body: { push }, headers: bearer(token) });
        if (r.status === 200) acknowledged.add(b);
      } catch {
        break;  // the connection died with the server
      }
    }
  })();
  while (acknowledged.size < 5) await new Promise((r) => setTimeout(r, 5));
  killed = true;
  const exit = await server.kill();
  assert.equal(exit.signal, 'SIGKILL');
  await pusher;

  server = await startServer({}, server);
  try {
    const all = new Set();
    let cursor = 0;
    for (;;) {
      const r = await server.request('POST', '/v1/sync', { body: { cursor }, headers: bearer(token) });
      assert.equal(r.status, 200, r.text);
      for (const x of r.json.records) all.add(x.id);
      cursor = r.json.cursor;
      if (!r.json.more) break;
    }
    for (const b of acknowledged) for (const id of sent.get(b)) assert.ok(all.has(id), `acknowledged ${id} was lost`);
    for (const [b, ids] of sent) {
      const present = ids.filter((id) => all.has(id)).length;
      assert.ok(present === 0 || present === ids.length, `batch ${b} is half applied (${present})`);
    }
    assert.ok(all.size >= acknowledged.size * 200);
  } finally {
    await server.stop();
  }
});
