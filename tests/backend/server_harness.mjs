// dealstack-server for the node tests: the real binary, started in a temporary data folder
// with a config file (port 0: it prints the port it bound on its first stdout line), spoken
// to over real HTTPS on loopback, trusting the CA the server generated on first start.
// DEALSTACK_SERVER_BIN overrides the binary (default build/native/bin/dealstack-server).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverBin = process.env.DEALSTACK_SERVER_BIN
  ? path.resolve(repoRoot, process.env.DEALSTACK_SERVER_BIN)
  : path.join(repoRoot, 'build', 'native', 'bin', 'dealstack-server');

export function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dealstack-server-test-'));
}

// Runs `dealstack-server ARGS` to completion: {code, stdout, stderr}.
export function run(args, { input = '' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(serverBin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(input);
  });
}

// A config file in `dir` (a fresh temp folder by default): port 0, fast password hashes
// unless the test sets accounts itself, and `config` merged over it.
export function writeConfig(config = {}, dir = tempDir()) {
  const full = {
    listen: { address: '127.0.0.1', port: 0 },
    data_dir: path.join(dir, 'data'),
    accounts: { scrypt_log2_n: 12 },
    ...config,
  };
  const file = path.join(dir, 'server.json');
  fs.writeFileSync(file, JSON.stringify(full));
  return { dir, file, dataDir: full.data_dir };
}

export function admin(configFile, ...args) {
  return run(['admin', ...args, '--config', configFile]);
}

// Starts `serve --config FILE` and waits for the listening line.
export async function startServer(config = {}, existing = null) {
  const cfg = existing ?? writeConfig(config);
  const child = spawn(serverBin, ['serve', '--config', cfg.file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const first = await new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        child.stdout.off('data', onData);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`dealstack-server exited ${code} before listening:\n${stderr}`)));
    setTimeout(() => reject(new Error(`dealstack-server did not listen within 20 s:\n${stderr}`)), 20000).unref();
  });
  assert.equal(first.event, 'listening');
  const ca = fs.readFileSync(first.ca);
  const agent = new https.Agent({ keepAlive: true, ca, maxSockets: 16 });
  // Under ASan/UBSan a report on stderr fails the test whatever the exit code.
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))).then((r) => {
    assert.doesNotMatch(stderr, /ERROR: (Address|Leak)Sanitizer|runtime error:/, 'the server reported a sanitizer error');
    return r;
  });
  const server = {
    ...cfg,
    port: first.port,
    ca,
    caPath: first.ca,
    child,
    agent,
    exited,
    logs: () => stderr,
    // {status, headers, text, json}
    request(method, urlPath, { body, headers = {}, agent: a } = {}) {
      const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = https.request({
          host: '127.0.0.1', servername: 'localhost', port: first.port, method, path: urlPath,
          agent: a ?? agent, ca,
          headers: { ...(data !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}), ...headers },
        }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let json;
            try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
            resolve({ status: res.statusCode, headers: res.headers, text, json });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(data);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      agent.destroy();
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      agent.destroy();
      return exited;
    },
  };
  return server;
}

// A client's auth_key for a password (any 32 bytes do for the server; this mimics the agent).
export function authKey(password) {
  return crypto.createHash('sha256').update(`auth:${password}`).digest('base64url');
}

export async function registerAndLogin(server, email = 'shopper@example.org', password = 'correct horse') {
  const reg = await server.request('POST', '/v1/accounts', { body: { email, auth_key: authKey(password) } });
  assert.equal(reg.status, 201, reg.text);
  const login = await server.request('POST', '/v1/sessions', { body: { email, auth_key: authKey(password), device: 'test' } });
  assert.equal(login.status, 201, login.text);
  return { accountId: reg.json.account_id, token: login.json.token, expiresAt: login.json.expires_at };
}

export function bearer(token) {
  return { authorization: `Bearer ${token}` };
}

// Every JSON line the server logged on stderr.
export function logLines(server) {
  return server.logs().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
