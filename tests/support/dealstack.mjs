// The `dealstack` binary for the node tests, run as a real process over real pipes.
// DEALSTACK_BIN overrides it (relative paths are taken from the repository root); the default
// is the `native` preset's build/native/bin/dealstack.
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
