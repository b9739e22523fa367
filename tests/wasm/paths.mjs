// Where the node tests find the built artifacts. Both can be overridden from the environment
// so the same tests run against any build folder (or an unpacked release).
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

// Folder holding dealstack_core.mjs + dealstack_core.wasm. Default: the `wasm` preset's output.
export const wasmDir = resolve(process.env.DEALSTACK_WASM_DIR ?? join(repoRoot, 'build/wasm/wasm'));

// The native CLI (tests/support/dealstack.mjs). Default: the `native` preset's binary.
export { dealstackBin } from '../support/dealstack.mjs';

export const fixturesDir = join(repoRoot, 'tests/fixtures');

// Imports the REAL built ES module (not the source copy in wasm/): that is what ships.
export async function importBuiltModule() {
  const file = join(wasmDir, 'dealstack_core.mjs');
  if (!existsSync(file) || !existsSync(join(wasmDir, 'dealstack_core.wasm'))) {
    throw new Error(`no built module in ${wasmDir}: run \`npm run build -- wasm\` ` +
      '(scripts/build.sh wasm) or set DEALSTACK_WASM_DIR');
  }
  return import(pathToFileURL(file).href);
}

// Compares decimal strings by value ("49" == "49.00"); null only equals null.
export function sameDecimal(a, b) {
  if (a === null || b === null) return a === b;
  const norm = (s) => {
    let [int, frac = ''] = String(s).split('.');
    const neg = int.startsWith('-');
    int = int.replace(/^-/, '').replace(/^0+(?=\d)/, '');
    frac = frac.replace(/0+$/, '');
    return `${neg && (int !== '0' || frac) ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
  };
  return norm(a) === norm(b);
}
