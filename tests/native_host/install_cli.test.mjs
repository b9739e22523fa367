// `dealstack install`, `uninstall` and `doctor` run as real processes over real pipes, in a
// temporary HOME per test. The binary is DEALSTACK_BIN, or build/native/bin/dealstack
// under the repository root (tests/support/dealstack.mjs).
//
// Contract checked here: install writes com.dealstack.host.json into each browser's own
// folder (or DIR/NativeMessagingHosts with --user-data-dir) holding exactly name,
// description, path (this binary, absolute), type "stdio" and allowed_origins (Chromium
// family) or allowed_extensions (Firefox); doctor exits 0 when all is well and otherwise 1,
// saying what is wrong and "run: <command>" that fixes it (the test runs that command and
// checks doctor is happy again); uninstall removes exactly the files install wrote.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dealstackBin, repoRoot, runDealstack } from '../support/dealstack.mjs';

// The default ids, read from the one header that defines them.
const idsHeader = readFileSync(path.join(repoRoot, 'native_host/install/extension_ids.hpp'), 'utf8');
const DEV_CHROMIUM_ID = idsHeader.match(/kDevChromiumExtensionId = "([a-p]{32})"/)[1];
const FIREFOX_ID = idsHeader.match(/kFirefoxExtensionId = "([^"]+)"/)[1];

const HOST_FILE = 'com.dealstack.host.json';
// Where each browser reads per-user manifests on Linux, relative to HOME.
const USER_DIRS = {
  chrome: '.config/google-chrome/NativeMessagingHosts',
  chromium: '.config/chromium/NativeMessagingHosts',
  edge: '.config/microsoft-edge/NativeMessagingHosts',
  brave: '.config/BraveSoftware/Brave-Browser/NativeMessagingHosts',
  vivaldi: '.config/vivaldi/NativeMessagingHosts',
  firefox: '.mozilla/native-messaging-hosts',
};

let root;
let binPath;
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'dealstack-install-cli-'));
  binPath = realpathSync(dealstackBin);
});
after(() => rmSync(root, { recursive: true, force: true }));

// A fresh HOME with a private runtime folder; XDG_* other than the runtime one are unset
// so the defaults under HOME apply.
let homes = 0;
function makeHome() {
  const home = path.join(root, `home${homes++}`);
  mkdirSync(home);
  const env = { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: path.join(home, 'run') };
  return { home, env };
}

function run(args, env) {
  return runDealstack(args, '', env);
}

// What doctor wants besides the manifests: a live agent socket (a real listening Unix
// socket) and a database file. Returns the server, to close.
async function agentAndDatabase(home) {
  const runtime = path.join(home, 'run', 'dealstack');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  chmodSync(runtime, 0o700);
  const data = path.join(home, '.local/share/dealstack');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(data, 'dealstack.sqlite3'), '', { mode: 0o600 });
  const server = net.createServer((s) => s.end());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path.join(runtime, 'agent.sock'), resolve);
  });
  return server;
}

function checkManifest(file, browser) {
  const m = JSON.parse(readFileSync(file, 'utf8'));
  const list = browser === 'firefox' ? 'allowed_extensions' : 'allowed_origins';
  assert.deepEqual(Object.keys(m).sort(), ['description', 'name', 'path', 'type', list].sort());
  assert.equal(m.name, 'com.dealstack.host');
  assert.equal(`${m.name}.json`, path.basename(file), 'the name matches the file name');
  assert.match(m.name, /^[a-z0-9._]+$/);
  assert.equal(typeof m.description, 'string');
  assert.ok(m.description.length > 0);
  assert.ok(path.isAbsolute(m.path));
  assert.equal(m.path, binPath, 'the manifest names this binary');
  assert.equal(m.type, 'stdio');
  assert.deepEqual(m[list], browser === 'firefox' ? [FIREFOX_ID] : [`chrome-extension://${DEV_CHROMIUM_ID}/`]);
  return m;
}

// Runs the "run: ..." fix command doctor printed (dealstack ones with this binary, chmod
// by itself).
async function runFix(line, env) {
  const words = line.replace(/^ *run: /, '').match(/'[^']*'|\S+/g).map((w) => w.replace(/^'(.*)'$/, '$1'));
  if (words[0] === 'dealstack') return run(words.slice(1), env);
  if (words[0] === 'chmod') {
    chmodSync(words[2], parseInt(words[1], 8));
    return { code: 0 };
  }
  throw new Error(`unexpected fix: ${line}`);
}

for (const browser of Object.keys(USER_DIRS)) {
  test(`install, doctor and uninstall for ${browser}`, async () => {
    const { home, env } = makeHome();
    const server = await agentAndDatabase(home);
    try {
      const file = path.join(home, USER_DIRS[browser], HOST_FILE);
      const foreign = path.join(home, USER_DIRS[browser], 'org.other.host.json');

      const r = await run(['install', '--browser', browser, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const out = JSON.parse(r.stdout);
      assert.equal(out.host_path, binPath);
      assert.equal(out.manifests.length, 1);
      assert.equal(out.manifests[0].browser, browser);
      assert.equal(out.manifests[0].file, file);
      checkManifest(file, browser);
      assert.equal(statSync(file).mode & 0o777, 0o644, 'browsers running as anyone can read it');
      const allowList = JSON.parse(readFileSync(path.join(home, '.config/dealstack/allowed_origins.json'), 'utf8'));
      assert.deepEqual(allowList.allowed, out.manifests[0].allowed);

      const d = await run(['doctor'], env);
      assert.equal(d.code, 0, d.stdout);
      assert.match(d.stdout, new RegExp(`^ok .*${HOST_FILE.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(d.stdout, /Everything dealstack needs is in place/);
      const dj = JSON.parse((await run(['doctor', '--json'], env)).stdout);
      assert.equal(dj.ok, true);
      assert.deepEqual(dj.problems, []);
      assert.deepEqual(dj.manifests.map((m) => [m.browser, m.file, m.ok]), [[browser, file, true]]);

      writeFileSync(foreign, '{"name": "org.other.host"}');
      const u = await run(['uninstall'], env);
      assert.equal(u.code, 0, u.stdout + u.stderr);
      assert.match(u.stdout, new RegExp(`Removed .*${browser === 'firefox' ? 'native-messaging-hosts' : 'NativeMessagingHosts'}/com\\.dealstack\\.host\\.json`));
      assert.ok(!existsSync(file), 'the manifest is gone');
      assert.ok(existsSync(foreign), 'a file install did not write survives');
      assert.ok(!existsSync(path.join(home, '.config/dealstack/allowed_origins.json')), 'the allow-list is gone');
      assert.ok(!existsSync(path.join(home, '.local/share/dealstack/installed.json')), 'the record is gone');
    } finally {
      server.close();
    }
  });
}

test('install --browser all writes every browser; uninstall leaves only what was there before', async () => {
  const { home, env } = makeHome();
  const r = await run(['install', '--browser', 'all'], env);
  assert.equal(r.code, 0, r.stderr);
  for (const [browser, dir] of Object.entries(USER_DIRS)) {
    checkManifest(path.join(home, dir, HOST_FILE), browser);
    assert.match(r.stdout, new RegExp(`${dir.replace(/\./g, '\\.')}/com\\.dealstack\\.host\\.json`));
  }
  const u = await run(['uninstall', '--json'], env);
  assert.equal(u.code, 0, u.stderr);
  const out = JSON.parse(u.stdout);
  assert.equal(out.ok, true);
  assert.deepEqual(out.manifests.map((m) => m.outcome), Array(6).fill('removed'));
  assert.ok(!existsSync(path.join(home, '.mozilla')), 'folders install made are gone');
  assert.ok(!existsSync(path.join(home, '.config/google-chrome')));
});

test('doctor says what is broken and the command that fixes it', async () => {
  const { home, env } = makeHome();
  const server = await agentAndDatabase(home);
  try {
    assert.equal((await run(['install', '--browser', 'chromium'], env)).code, 0);
    const file = path.join(home, USER_DIRS.chromium, HOST_FILE);
    const good = readFileSync(file, 'utf8');

    const breakages = [
      ['bad JSON', () => writeFileSync(file, '{"name": "com.dealstack.host",'), /is not valid JSON/,
        'run: dealstack install --browser chromium'],
      ['a path that does not exist', () => writeFileSync(file, good.replace(binPath, path.join(home, 'gone', 'dealstack'))),
        new RegExp(`names the program ${path.join(home, 'gone', 'dealstack').replace(/\//g, '\\/')}, which does not exist`),
        'run: dealstack install --browser chromium'],
      ['a relative path', () => writeFileSync(file, good.replace(binPath, 'dealstack')), /"path" "dealstack" is not an absolute path/,
        'run: dealstack install --browser chromium'],
      ['mode 666', () => chmodSync(file, 0o666), /can be changed by other users \(mode 666\)/, `run: chmod 644 '${file}'`],
      ['a missing file', () => unlinkSync(file), /Chromium has no dealstack host manifest at/,
        'run: dealstack install --browser chromium'],
    ];
    for (const [what, breakIt, message, fix] of breakages) {
      breakIt();
      const d = await run(['doctor'], env);
      assert.equal(d.code, 1, `${what}: ${d.stdout}`);
      assert.match(d.stdout, message, what);
      assert.match(d.stdout, /^PROBLEM  Chromium \(user\)/m, what);
      const lines = d.stdout.split('\n');
      const fixLine = lines.find((l) => l.trim().startsWith('run: '));
      assert.equal(fixLine.trim(), fix, what);
      assert.match(d.stdout, /^1 problem found\.$/m, what);
      const j = JSON.parse((await run(['doctor', '--json'], env)).stdout);
      assert.equal(j.ok, false);
      assert.equal(j.problems.length, 1, what);
      assert.equal(`run: ${j.problems[0].fix}`, fix, what);

      assert.equal((await runFix(fixLine, env)).code, 0, `${what}: the fix runs`);
      const again = await run(['doctor'], env);
      assert.equal(again.code, 0, `${what}: after the fix: ${again.stdout}`);
    }
  } finally {
    server.close();
  }
});

test('doctor reports a missing agent and database, and nothing installed', async () => {
  const { env } = makeHome();
  const d = await run(['doctor', '--json'], env);
  assert.equal(d.code, 1);
  const j = JSON.parse(d.stdout);
  assert.deepEqual(j.problems.map((p) => p.code), ['no_browser', 'agent_not_running', 'database_missing']);
  assert.equal(j.problems[1].fix, 'dealstack agent');
  const plain = await run(['doctor'], env);
  assert.match(plain.stdout, /The dealstack agent is not running: there is no socket at .*agent\.sock\.\n  run: dealstack agent\n/);
});

test('doctor reports agent settings the agent would refuse, naming the field and the file', async () => {
  const { home, env } = makeHome();
  const settings = path.join(home, '.config', 'dealstack', 'agent.json');
  mkdirSync(path.dirname(settings), { recursive: true });
  writeFileSync(settings, JSON.stringify({ monitor: { rate_per_minute: 0 } }));
  const j = JSON.parse((await run(['doctor', '--json'], env)).stdout);
  const p = j.problems.find((x) => x.code === 'agent_config_invalid');
  assert.ok(p, JSON.stringify(j.problems));
  assert.match(p.message, /monitor\.rate_per_minute/);
  assert.equal(p.fix, `edit or remove ${settings}`);
  writeFileSync(settings, JSON.stringify({ monitor: { rate_per_minute: 60 } }));
  const k = JSON.parse((await run(['doctor', '--json'], env)).stdout);
  assert.ok(!k.problems.some((x) => x.code === 'agent_config_invalid'), 'a good file is no problem');
});

test('install --user-data-dir DIR writes DIR/NativeMessagingHosts/com.dealstack.host.json', async () => {
  const { home, env } = makeHome();
  const profile = path.join(home, 'profiles', 'test-profile');
  const r = await run(['install', '--user-data-dir', profile, '--browser', 'chrome', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(profile, 'NativeMessagingHosts', HOST_FILE);
  assert.equal(JSON.parse(r.stdout).manifests[0].file, file);
  assert.equal(JSON.parse(r.stdout).manifests[0].place, 'profile');
  checkManifest(file, 'chrome');
  assert.ok(!existsSync(path.join(home, '.config/google-chrome')), 'the browser\'s own folder is untouched');
  const ff = await run(['install', '--user-data-dir', profile, '--browser', 'firefox'], env);
  assert.equal(ff.code, 2);
  assert.match(ff.stderr, /Firefox reads host manifests only from its own folders/);
  assert.equal((await run(['uninstall'], env)).code, 0);
  assert.ok(!existsSync(file));
  assert.ok(!existsSync(path.join(home, 'profiles')), 'folders install made are gone');
});

test('uninstall leaves a manifest changed since install, unless --force', async () => {
  const { home, env } = makeHome();
  assert.equal((await run(['install', '--browser', 'edge', '--extension-id', 'pppppppppppppppppppppppppppppppp'], env)).code, 0);
  const file = path.join(home, USER_DIRS.edge, HOST_FILE);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).allowed_origins, ['chrome-extension://pppppppppppppppppppppppppppppppp/']);
  writeFileSync(file, '{"edited": true}\n');
  const u = await run(['uninstall'], env);
  assert.equal(u.code, 1);
  assert.match(u.stdout, /Left Microsoft Edge's .* it changed since dealstack wrote it.*dealstack uninstall --force/);
  assert.equal(readFileSync(file, 'utf8'), '{"edited": true}\n');
  const f = await run(['uninstall', '--force'], env);
  assert.equal(f.code, 0, f.stdout);
  assert.ok(!existsSync(file));
});

test('usage: --help, unknown options and bad ids', async () => {
  const { env } = makeHome();
  for (const cmd of ['install', 'uninstall', 'doctor']) {
    const h = await run([cmd, '--help'], env);
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`^usage: dealstack ${cmd}`));
    const bad = await run([cmd, '--bogus'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option '--bogus'/);
  }
  const browser = await run(['install', '--browser', 'netscape'], env);
  assert.equal(browser.code, 2);
  assert.match(browser.stderr, /unknown browser 'netscape'/);
  const id = await run(['install', '--browser', 'chrome', '--extension-id', 'not-an-id', '--json'], env);
  assert.equal(id.code, 2);
  assert.equal(JSON.parse(id.stdout).error.code, 'invalid_extension_id');
  const none = await run(['install'], env);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no supported browser has been run by this user/);
});
