// docs/protocol.md's examples, sent through the real host (which starts the real agent) in
// a temporary home; each reply must match the documented one (fields marked "varies" by
// type only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dealstackBin, repoRoot } from '../support/dealstack.mjs';

const ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';

function examples() {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', 'protocol.md'), 'utf8');
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
  const list = examples();
  assert.ok(list.length >= 3, 'the examples are found');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-doc-'));
  const env = { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: path.join(home, 'run'),
    XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data') };
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  fs.mkdirSync(path.join(env.XDG_CONFIG_HOME, 'dealstack'), { recursive: true });
  fs.writeFileSync(path.join(env.XDG_CONFIG_HOME, 'dealstack', 'allowed_origins.json'),
    JSON.stringify({ allowed: [ORIGIN] }));
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
  }
});
