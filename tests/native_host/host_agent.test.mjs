// The native-messaging host and the agent, as a browser uses them: the real binary started
// with an extension origin, native-order frames over real pipes, the agent started on demand
// over its real Unix socket, in a temporary home.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeAgentHome, stopAgent } from '../support/agent_home.mjs';
import { dealstackBin } from '../support/dealstack.mjs';

const ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';

function makeHome() {
  return makeAgentHome({ prefix: 'ds-host-', allowed: [ORIGIN] });
}

function frame(obj, raw) {
  const body = raw ?? Buffer.from(JSON.stringify(obj), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length); // native order on this (little-endian) machine
  return Buffer.concat([head, body]);
}

// A host process with a frame reader over its stdout; every byte of stdout must be frames.
function startHost(env, args = [ORIGIN]) {
  const child = spawn(dealstackBin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = Buffer.alloc(0);
  const frames = [];
  const waiters = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4) {
      const n = buf.readUInt32LE(0);
      if (buf.length < 4 + n) break;
      frames.push(JSON.parse(buf.subarray(4, 4 + n).toString('utf8')));
      buf = buf.subarray(4 + n);
      while (waiters.length && frames.length) waiters.shift()(frames.shift());
    }
  });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child, exited,
    send: (obj, raw) => child.stdin.write(frame(obj, raw)),
    writeRaw: (bytes) => child.stdin.write(bytes),
    next: (ms = 5000) => new Promise((resolve, reject) => {
      if (frames.length) return resolve(frames.shift());
      const t = setTimeout(() => reject(new Error(`no frame within ${ms} ms; stderr: ${stderr}`)), ms);
      waiters.push((f) => { clearTimeout(t); resolve(f); });
    }),
    leftover: () => buf.length,
    stderr: () => stderr,
  };
}

test('hello through the host starts the agent and returns the versions', async () => {
  const h = makeHome();
  const host = startHost(h.env);
  try {
    host.send({ id: 1, method: 'hello' });
    const reply = await host.next();
    assert.equal(reply.id, 1);
    assert.equal(reply.result.protocol, 1);
    assert.equal(reply.result.program, 'dealstack');
    assert.match(reply.result.version, /^\d+\.\d+\.\d+$/);
    assert.ok(fs.existsSync(h.socket), 'the agent listens on its socket');
    assert.equal(fs.statSync(path.dirname(h.socket)).mode & 0o777, 0o700);
    // Back-to-back requests in one write come back in order, each whole.
    host.writeRaw(Buffer.concat([frame({ id: 'a', method: 'hello' }), frame({ id: 'b', method: 'hello' })]));
    assert.equal((await host.next()).id, 'a');
    assert.equal((await host.next()).id, 'b');
    // A second host reaches the same agent.
    const host2 = startHost(h.env);
    host2.send({ id: 2, method: 'hello' });
    const r2 = await host2.next();
    assert.equal(r2.result.agent_pid, reply.result.agent_pid);
    host2.child.stdin.end();
    assert.equal(await host2.exited, 0);
    host.child.stdin.end();
    assert.equal(await host.exited, 0, 'the host exits cleanly when the port closes');
    assert.equal(host.leftover(), 0, 'nothing but whole frames on stdout');
  } finally {
    host.child.kill('SIGKILL');
    await stopAgent(h.lock);
  }
});

test('malformed messages get error replies naming the problem and the host keeps serving', async () => {
  const h = makeHome();
  const host = startHost(h.env);
  try {
    host.send(null, Buffer.from('{"id": 1, "method":'));
    const a = await host.next();
    assert.equal(a.error.code, 'invalid_json');
    host.send({ id: 2, method: 'no.such.method' });
    const b = await host.next();
    assert.equal(b.id, 2);
    assert.equal(b.error.code, 'unknown_method');
    host.send({ method: 'hello' });
    assert.equal((await host.next()).error.code, 'invalid_request');
    host.send({ id: 3, method: 'hello' });
    assert.equal((await host.next()).result.protocol, 1);
  } finally {
    host.child.kill('SIGKILL');
    await stopAgent(h.lock);
  }
});

test('an oversized or invalid frame is refused before it is read, with a reason', async () => {
  const h = makeHome();
  for (const [bytes, code] of [
    [(() => { const b = Buffer.alloc(4); b.writeUInt32LE(0xfffffff0); return b; })(), 'frame_too_large'],
    [Buffer.alloc(4), 'empty_frame'],
    [frame(null, Buffer.from([0x22, 0xc3, 0x28, 0x22])), 'invalid_utf8'],
  ]) {
    const host = startHost(h.env);
    host.writeRaw(bytes);
    const reply = await host.next();
    assert.equal(reply.error.code, code);
    assert.equal(await host.exited, 1);
  }
  await stopAgent(h.lock);
});

test('the frame cap comes from agent.json, for the host and the agent alike', async () => {
  const h = makeHome();
  fs.writeFileSync(path.join(h.home, 'config', 'dealstack', 'agent.json'),
    JSON.stringify({ messaging: { max_frame_bytes: 2048 } }));
  const host = startHost(h.env);
  try {
    const small = { id: 1, method: 'hello', params: { pad: 'x'.repeat(1500) } };
    host.send(small);
    assert.equal((await host.next()).id, 1, 'a frame under the cap is served');
    host.send({ id: 2, method: 'hello', params: { pad: 'x'.repeat(4000) } });
    const reply = await host.next();
    assert.equal(reply.error.code, 'frame_too_large');
    assert.match(reply.error.message, /2048/);
    assert.equal(await host.exited, 1);
    // The agent keeps the same cap on its socket.
    const sock = net.createConnection(h.socket);
    await new Promise((r) => sock.on('connect', r));
    const body = Buffer.from(JSON.stringify({ id: 3, method: 'hello', params: { pad: 'y'.repeat(4000) } }));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    sock.write(Buffer.concat([head, body]));
    const got = await new Promise((resolve) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0))
          resolve(JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString('utf8')));
      });
    });
    assert.equal(got.error.code, 'frame_too_large');
    sock.destroy();
  } finally {
    host.child.kill('SIGKILL');
    await stopAgent(h.lock);
  }
});

test('a caller that is not on the allow-list is refused', async () => {
  const h = makeHome();
  const host = startHost(h.env, ['chrome-extension://pppppppppppppppppppppppppppppppp/']);
  const reply = await host.next();
  assert.equal(reply.error.code, 'origin_not_allowed');
  assert.equal(await host.exited, 1);
  assert.ok(!fs.existsSync(h.socket), 'no agent was started for it');
});

test('one agent per user, and SIGTERM stops it cleanly', async () => {
  const h = makeHome();
  const first = spawn(dealstackBin, ['agent'], { env: h.env, stdio: 'ignore' });
  for (let i = 0; i < 300 && !fs.existsSync(h.socket); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fs.existsSync(h.socket));
  const second = spawnSync(dealstackBin, ['agent'], { env: h.env, encoding: 'utf8', timeout: 5000 });
  assert.equal(second.status, 3);
  assert.match(second.stderr, /already running/);
  const code = await new Promise((resolve) => { first.on('close', resolve); first.kill('SIGTERM'); });
  assert.equal(code, 0);
  assert.ok(!fs.existsSync(h.socket), 'the socket is removed');
});

test('when the agent dies the host says so, and the next host starts a new one', async () => {
  const h = makeHome();
  const host = startHost(h.env);
  host.send({ id: 1, method: 'hello' });
  const first = await host.next();
  process.kill(first.result.agent_pid, 'SIGKILL');
  const gone = await host.next();
  assert.equal(gone.error.code, 'agent_unavailable');
  assert.equal(await host.exited, 1);
  const again = startHost(h.env);
  again.send({ id: 2, method: 'hello' });
  const second = await again.next();
  assert.notEqual(second.result.agent_pid, first.result.agent_pid);
  again.child.stdin.end();
  await again.exited;
  await stopAgent(h.lock);
});

test('watches live in the agent\'s SQLite file and survive the agent being killed', async () => {
  const h = makeHome();
  const host = startHost(h.env);
  const nextReply = async (hh) => { for (;;) { const f = await hh.next(); if (!f.event) return f; } };
  try {
    host.send({ id: 1, method: 'watch.add', params: { url: 'https://shop.example/p/1', target_price: '19.99', currency: 'USD' } });
    const added = await nextReply(host);
    assert.equal(added.result.id, 1);
    assert.equal(added.result.target_price, '19.99');
    host.send({ id: 2, method: 'watch.add', params: { url: 'https://shop.example/p/1', target_price: '19.999', currency: 'USD' } });
    const bad = await nextReply(host);
    assert.equal(bad.error.code, 'invalid_params');
    assert.match(bad.error.message, /^target_price/);
    host.send({ id: 3, method: 'hello' });
    const { result: { agent_pid: pid } } = await nextReply(host);
    process.kill(pid, 'SIGKILL');
    await host.exited;
    const db = path.join(h.home, 'data', 'dealstack', 'dealstack.sqlite3');
    assert.equal(fs.statSync(db).mode & 0o777, 0o600);
    const again = startHost(h.env);
    again.send({ id: 4, method: 'watch.list' });
    const list = await nextReply(again);
    assert.deepEqual(list.result.watches.map((w) => [w.id, w.url, w.target_price, w.currency]),
      [[1, 'https://shop.example/p/1', '19.99', 'USD']]);
    again.send({ id: 5, method: 'watch.remove', params: { id: 1 } });
    assert.equal((await nextReply(again)).result.removed, 1);
    again.send({ id: 6, method: 'watch.remove', params: { id: 1 } });
    assert.equal((await nextReply(again)).error.code, 'not_found');
    again.child.stdin.end();
    await again.exited;
  } finally {
    host.child.kill('SIGKILL');
    await stopAgent(h.lock);
  }
});

test('watch.update changes only the fields given, clears with null, pauses, and refuses bad fields', async () => {
  const h = makeHome();
  const host = startHost(h.env);
  const reply = async (id) => {
    for (;;) {
      const f = await host.next();
      if (f.id === id) return f;
    }
  };
  try {
    host.send({ id: 1, method: 'watch.add', params: { url: 'https://shop.invalid/p/1', target_price: '20.00',
      currency: 'GBP', drop_bp: 500, interval_seconds: 600 } });
    const added = (await reply(1)).result;
    host.send({ id: 2, method: 'watch.update', params: { id: added.id, notify_increase: true } });
    const a = (await reply(2)).result;
    assert.deepEqual({ ...a, notify_increase: false }, added, 'only notify_increase changed');
    host.send({ id: 3, method: 'watch.update', params: { id: added.id, target_price: null, drop_bp: null,
      active_hours: { start_minute: 480, end_minute: 1320 }, state: 'paused' } });
    const b = (await reply(3)).result;
    assert.equal(b.target_price, null);
    assert.equal(b.drop_bp, null);
    assert.equal(b.currency, 'GBP', 'the chart keeps its currency');
    assert.deepEqual(b.active_hours, { start_minute: 480, end_minute: 1320 });
    assert.equal(b.state, 'paused');
    assert.equal(b.interval_seconds, 600);
    host.send({ id: 4, method: 'watch.list' });
    assert.deepEqual((await reply(4)).result.watches, [b], 'stored as returned');
    for (const [id, params, field] of [
      [5, { id: added.id, state: 'sleeping' }, 'state'],
      [6, { id: added.id, variant: 'Blue' }, 'variant'],
      [7, { id: added.id, interval_seconds: 5 }, 'interval_seconds'],
      [8, { id: added.id, target_price: 'cheap', currency: 'GBP' }, 'target_price'],
    ]) {
      host.send({ id, method: 'watch.update', params });
      const r = await reply(id);
      assert.equal(r.error?.code, 'invalid_params', JSON.stringify(r));
      assert.match(r.error.message, new RegExp(`^${field}`));
    }
    host.send({ id: 9, method: 'watch.update', params: { id: 999, drop_bp: 100 } });
    assert.equal((await reply(9)).error.code, 'not_found');
  } finally {
    host.child.kill('SIGKILL');
    await stopAgent(h.lock);
  }
});
