// A temporary home for tests that run the real agent: the XDG folders (the runtime folder
// private, as the agent insists), optionally the allow-list the host checks and the agent's
// settings (agent.json), and the paths of its socket, lock and database. stopAgent() ends
// the agent a home's lock names.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// prefix: the temporary folder's name prefix; allowed: origins for allowed_origins.json;
// agentConfig: the object written as agent.json; env: extra environment variables.
export function makeAgentHome({ prefix = 'ds-agent-', allowed, agentConfig, env: extra = {} } = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_RUNTIME_DIR: path.join(home, 'run'),
    ...extra,
  };
  const config = path.join(home, 'config', 'dealstack');
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  fs.mkdirSync(config, { recursive: true });
  if (allowed) fs.writeFileSync(path.join(config, 'allowed_origins.json'), JSON.stringify({ allowed }));
  if (agentConfig) fs.writeFileSync(path.join(config, 'agent.json'), JSON.stringify(agentConfig));
  return {
    home, env, config,
    socket: path.join(home, 'run', 'dealstack', 'agent.sock'),
    lock: path.join(home, 'run', 'dealstack', 'agent.lock'),
    db: path.join(home, 'data', 'dealstack', 'dealstack.sqlite3'),
  };
}

export function agentPid(lock) {
  return Number(fs.readFileSync(lock, 'utf8').trim());
}

export function processAlive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

// SIGTERMs the agent named in the lock file and waits (5 s, then SIGKILL) until it is gone.
// Returns its pid, or null when there was none.
export async function stopAgent(lock) {
  if (!fs.existsSync(lock)) return null;
  const pid = agentPid(lock);
  if (!(pid > 0)) return null;
  try { process.kill(pid, 'SIGTERM'); } catch { return pid; }
  for (let i = 0; i < 500 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 10));
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  return pid;
}

// One request straight to the agent's socket (big-endian length, then JSON); resolves with
// its reply (events and other replies on the connection are skipped). `request.id` defaults
// to a fresh number.
let nextRequestId = 1;
export function askAgent(socket, request, { timeoutMs = 10000 } = {}) {
  const req = { id: nextRequestId++, ...request };
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { c.destroy(); reject(new Error(`no reply from the agent to ${req.method}`)); }, timeoutMs);
    c.on('error', (e) => { clearTimeout(timer); reject(e); });
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const msg = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString('utf8'));
        buf = buf.subarray(4 + buf.readUInt32BE(0));
        if (msg.id === req.id) { clearTimeout(timer); c.end(); resolve(msg); return; }
      }
    });
    const body = Buffer.from(JSON.stringify(req), 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    c.write(Buffer.concat([head, body]));
  });
}
