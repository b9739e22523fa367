// The `dealstack` binary for the node tests, run as a real process over real pipes.
// DEALSTACK_BIN overrides it (relative paths are taken from the repository root); the default
// is the `native` preset's build/native/bin/dealstack.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const dealstackBin = process.env.DEALSTACK_BIN
  ? path.resolve(repoRoot, process.env.DEALSTACK_BIN)
  : path.join(repoRoot, 'build', 'native', 'bin', 'dealstack');

// Runs the binary with `args`, `input` on stdin and `env` as its whole environment (default:
// this process's); resolves with {code, stdout, stderr, ms}.
export function runDealstack(args, input = '', env = process.env) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(dealstackBin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Date.now() - started,
      }),
    );
    child.stdin.on('error', () => {}); // the process may exit before reading everything
    child.stdin.end(input);
  });
}

// --json output: exactly one line holding one JSON value; returns the value.
export function oneJsonLine(stdout) {
  assert.ok(stdout.endsWith('\n'), 'ends with a newline');
  assert.equal(stdout.slice(0, -1).includes('\n'), false, `one line: ${stdout}`);
  return JSON.parse(stdout);
}

// An error from a command: exit `code`, nothing on stdout, exactly one line on stderr
// matching `pattern`.
export function assertFails(r, code, pattern) {
  assert.equal(r.code, code, `exit ${r.code}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^[^\n]+\n$/, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, pattern);
}
