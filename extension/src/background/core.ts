// The wasm core, loaded once per service worker. A static import (MV3 service workers forbid
// dynamic import()); the build points this import at the built loader (--wasm-dir) and copies
// dealstack_core.wasm beside background.js, where the loader looks for it
// (new URL('./dealstack_core.wasm', import.meta.url)).

import { load, type DealstackCore } from '../../../wasm/dealstack_core.mjs';
import type { CoreStatus, ErrorValue } from '../shared/messages';

let status: CoreStatus = { state: 'loading' };
let core: DealstackCore | null = null;

const loading: Promise<DealstackCore | null> = load().then(
  (c) => {
    core = c;
    status = { state: 'ready' };
    return c;
  },
  (e: unknown) => {
    status = { state: 'failed', error: toErrorValue(e, 'wasm_load_failed') };
    return null;
  },
);

export function coreStatus(): CoreStatus {
  return status;
}

/** The loaded core, or null when loading failed (see coreStatus()). */
export function getCore(): Promise<DealstackCore | null> {
  return core ? Promise.resolve(core) : loading;
}

/** An ErrorValue from anything thrown: a DealstackError's code, else `fallback`. */
export function toErrorValue(e: unknown, fallback: string): ErrorValue {
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : fallback;
  const message = e instanceof Error ? e.message : String(e);
  return { code, message };
}
