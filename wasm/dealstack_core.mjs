// dealstack_core.mjs: loads dealstack_core.wasm (the shared C++ core) and wraps its C ABI
// (wasm/binding.cpp) in a small JSON-in, JSON-out API.
//
// Written by hand instead of Emscripten's generated glue so that one file runs unchanged in
//  - an MV3 extension service worker: static import only, no eval/new Function, no dynamic
//    import(); the CSP needs just 'wasm-unsafe-eval'. The .wasm is fetched from next to this
//    file: new URL('./dealstack_core.wasm', import.meta.url).
//  - node >= 20.16: a file: URL is read with node:fs, reached through
//    process.getBuiltinModule (a static `import 'node:fs'` would break the browser).
// Errors: every failure is thrown as a DealstackError (an Error with a stable `.code`);
// `unwrap` below is the only place that turns the core's error values into throws.

/** The C ABI version this loader speaks (kAbiVersion in wasm/binding.cpp). */
const ABI_VERSION = 3;

const REQUIRED_EXPORTS = [
  'memory', '_initialize', 'ds_abi_version', 'ds_alloc', 'ds_free', 'ds_parse_price',
  'ds_extract_product', 'ds_stack_deals',
];

const OK_HEAD = '{"ok":true,"value":';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** An Error with a stable snake_case `code` ("no_product", "wasm_load_failed", ...). */
export class DealstackError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'DealstackError';
    this.code = code;
  }
}

// Thrown by the proc_exit import: the C++ side aborted (a stray throw, a failed `new`).
class WasmExit extends Error {}

// The only function that turns an error value into a thrown Error (like sql.js's
// handleError). Returns the raw JSON text of the value, byte for byte as the core wrote it.
function unwrap(envelope) {
  if (envelope.startsWith(OK_HEAD) && envelope.endsWith('}')) {
    return envelope.slice(OK_HEAD.length, -1);
  }
  let error;
  try {
    error = JSON.parse(envelope).error;
  } catch {
    error = undefined;
  }
  if (error && typeof error.code === 'string') {
    throw new DealstackError(error.code, String(error.message ?? error.code));
  }
  throw new DealstackError('internal_error', 'dealstack_core returned a malformed result');
}

function isNode() {
  return typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
}

async function readUrl(url) {
  if (url.protocol === 'file:') {
    if (!isNode() || typeof process.getBuiltinModule !== 'function') {
      throw new Error('reading a file: URL needs node >= 20.16; pass the bytes as options.wasm');
    }
    const { readFile } = process.getBuiltinModule('node:fs/promises');
    const { fileURLToPath } = process.getBuiltinModule('node:url');
    return readFile(fileURLToPath(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} fetching ${url}`);
  return response.arrayBuffer();
}

// options.wasm: a WebAssembly.Module, the bytes (ArrayBuffer or a typed array), a Response,
// or a URL/string (resolved against this file). Default: ./dealstack_core.wasm beside it.
async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  const where = source === undefined ? 'dealstack_core.wasm' : describe(source);
  try {
    let bytes = source;
    if (source === undefined || typeof source === 'string' || source instanceof URL) {
      bytes = await readUrl(new URL(source ?? './dealstack_core.wasm', import.meta.url));
    } else if (typeof Response !== 'undefined' && source instanceof Response) {
      if (!source.ok) throw new Error(`HTTP ${source.status}`);
      bytes = await source.arrayBuffer();
    }
    if (!(bytes instanceof ArrayBuffer || ArrayBuffer.isView(bytes))) {
      throw new TypeError('options.wasm must be a URL, a string, bytes, a Response or a WebAssembly.Module');
    }
    return await WebAssembly.compile(bytes);
  } catch (cause) {
    throw new DealstackError('wasm_load_failed',
      `could not load ${where}: ${cause?.message ?? cause}`, { cause });
  }
}

function describe(source) {
  if (typeof source === 'string' || source instanceof URL) return String(source);
  return 'the dealstack_core.wasm given in options.wasm';
}

// One live instance of the module. After a trap its memory can't be trusted, so it is
// dropped and a fresh one is made from the same compiled module: asynchronously at load()
// (Chrome refuses synchronous instantiation of big modules on a page's main thread),
// synchronously on the rare restart.
async function instantiate(module) {
  const holder = { exports: null };
  let instance;
  try {
    instance = await WebAssembly.instantiate(module, makeImports(holder));
  } catch (cause) {
    throw new DealstackError('wasm_load_failed',
      `could not instantiate dealstack_core.wasm: ${cause?.message ?? cause}`, { cause });
  }
  return start(instance, holder);
}

function instantiateSync(module) {
  const holder = { exports: null };
  return start(new WebAssembly.Instance(module, makeImports(holder)), holder);
}

function makeImports(holder) {
  let stderr = '';
  return {
    env: {
      // Views are re-created from memory.buffer on every access, so growth needs no work.
      emscripten_notify_memory_growth() {},
    },
    wasi_snapshot_preview1: {
      proc_exit(code) {
        throw new WasmExit(`dealstack_core aborted (exit ${code})${stderr ? `: ${stderr.trim()}` : ''}`);
      },
      // Only abort messages are ever written (to stderr); keep the tail for the error text.
      fd_write(fd, iovs, iovsLen, nwrittenPtr) {
        const { buffer } = holder.exports.memory;
        const dv = new DataView(buffer);
        let total = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = dv.getUint32(iovs + 8 * i, true);
          const len = dv.getUint32(iovs + 8 * i + 4, true);
          stderr = (stderr + decoder.decode(new Uint8Array(buffer, ptr, len))).slice(-500);
          total += len;
        }
        dv.setUint32(nwrittenPtr, total, true);
        return 0;
      },
      fd_close() { return 0; },
      fd_seek() { return 70; }, // ESPIPE: stdio isn't seekable
    },
  };
}

function start(instance, holder) {
  const { exports } = instance;
  holder.exports = exports;
  const missing = REQUIRED_EXPORTS.filter((name) => !(name in exports));
  if (missing.length) {
    throw new DealstackError('wasm_load_failed',
      `dealstack_core.wasm lacks exports: ${missing.join(', ')}`);
  }
  const abi = exports.ds_abi_version();
  if (abi !== ABI_VERSION) {
    throw new DealstackError('wasm_load_failed',
      `dealstack_core.wasm speaks ABI ${abi}, this loader speaks ${ABI_VERSION}: rebuild both together`);
  }
  exports._initialize();
  return exports;
}

function toBytes(input, what) {
  if (typeof input === 'string') return encoder.encode(input);
  if (input instanceof Uint8Array) return input;
  throw new DealstackError('invalid_argument', `${what} must be a string or a Uint8Array`);
}

const PRICE_OPTION_KEYS = { currencyHint: 'currency_hint', decimalSeparator: 'decimal_separator', locale: 'locale' };

function priceOptionsJson(options) {
  if (options === undefined || options === null) return new Uint8Array(0);
  if (typeof options !== 'object') {
    throw new DealstackError('invalid_options', 'price options must be an object');
  }
  const wire = {};
  for (const [key, value] of Object.entries(options)) {
    const name = PRICE_OPTION_KEYS[key];
    if (!name) throw new DealstackError('invalid_options', `unknown price option "${key}"`);
    if (value !== undefined) wire[name] = value;
  }
  return encoder.encode(JSON.stringify(wire));
}

// A stacking request as JSON bytes. A string (or UTF-8 bytes) is passed on unchanged, so the
// core sees exactly what `dealstack stack` would read; an object is serialized with
// JSON.stringify (a non-object request is then refused by the core, as by the CLI).
function stackRequestBytes(request) {
  if (typeof request === 'string') return encoder.encode(request);
  if (request instanceof Uint8Array) return request;
  if (request !== null && typeof request === 'object') {
    let text;
    try {
      text = JSON.stringify(request);
    } catch (cause) {
      // A cycle or a BigInt: not something JSON can carry.
      throw new DealstackError('invalid_argument',
        `the stacking request can't be serialized as JSON: ${cause?.message ?? cause}`, { cause });
    }
    if (typeof text === 'string') return encoder.encode(text);
  }
  throw new DealstackError('invalid_argument',
    'the stacking request must be a JSON string, UTF-8 JSON bytes or an object');
}

// A rule pack as JSON bytes: none (undefined/null: empty), its text or UTF-8 bytes passed on
// unchanged (the core checks it, as `dealstack extract --rules` does), or an object,
// serialized with JSON.stringify.
function rulePackBytes(rules) {
  if (rules === undefined || rules === null) return new Uint8Array(0);
  if (typeof rules === 'string') {
    if (rules === '') throw new DealstackError('invalid_argument', 'rules must not be empty');
    return encoder.encode(rules);
  }
  if (rules instanceof Uint8Array) {
    if (rules.length === 0) throw new DealstackError('invalid_argument', 'rules must not be empty');
    return rules;
  }
  if (typeof rules === 'object') {
    let text;
    try {
      text = JSON.stringify(rules);
    } catch (cause) {
      throw new DealstackError('invalid_argument',
        `the rule pack can't be serialized as JSON: ${cause?.message ?? cause}`, { cause });
    }
    return encoder.encode(text);
  }
  throw new DealstackError('invalid_argument', 'rules must be a JSON string, UTF-8 JSON bytes or an object');
}

/**
 * Compiles and instantiates the module. See dealstack_core.d.mts.
 * @param {{wasm?: URL|string|ArrayBuffer|ArrayBufferView|Response|WebAssembly.Module}} [options]
 */
export async function load(options = {}) {
  const module = await compile(options.wasm);
  let exports = await instantiate(module);

  // Copies the byte arrays in, calls fn(ptr0, len0, ptr1, len1, ...), copies the result out.
  function call(fn, ...inputs) {
    if (exports === null) {
      try {
        exports = instantiateSync(module);
      } catch (cause) {
        throw new DealstackError('internal_error',
          `could not restart dealstack_core: ${cause?.message ?? cause}`, { cause });
      }
    }
    const ex = exports;
    const pointers = [];
    let text;
    try {
      const args = [];
      for (const bytes of inputs) {
        const ptr = ex.ds_alloc(bytes.length);
        if (ptr === 0) throw new DealstackError('out_of_memory', `no memory for ${bytes.length} bytes of input`);
        pointers.push(ptr);
        new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
        args.push(ptr, bytes.length);
      }
      const result = ex[fn](...args);
      if (result === 0) throw new DealstackError('out_of_memory', 'no memory for the result');
      const length = new DataView(ex.memory.buffer).getUint32(result, true);
      text = decoder.decode(new Uint8Array(ex.memory.buffer, result + 4, length));
      ex.ds_free(result);
    } catch (error) {
      if (error instanceof DealstackError) {
        for (const ptr of pointers) ex.ds_free(ptr);
        throw error;
      }
      // A trap or an abort: this instance's memory is suspect; the next call gets a new one.
      exports = null;
      throw new DealstackError('internal_error',
        `dealstack_core failed in ${fn}: ${error?.message ?? error}`, { cause: error });
    }
    for (const ptr of pointers) ex.ds_free(ptr);
    return text;
  }

  const api = {
    abiVersion: ABI_VERSION,
    parsePriceJson(text, options) {
      return unwrap(call('ds_parse_price', toBytes(text, 'text'), priceOptionsJson(options)));
    },
    parsePrice(text, options) {
      return JSON.parse(api.parsePriceJson(text, options));
    },
    extractProductJson(html, url = '', rules = undefined) {
      if (typeof url !== 'string') throw new DealstackError('invalid_argument', 'url must be a string');
      return unwrap(call('ds_extract_product', toBytes(html, 'html'), encoder.encode(url), rulePackBytes(rules)));
    },
    extractProduct(html, url = '', rules = undefined) {
      return JSON.parse(api.extractProductJson(html, url, rules));
    },
    stackDealsJson(requestJson) {
      if (typeof requestJson !== 'string' && !(requestJson instanceof Uint8Array)) {
        throw new DealstackError('invalid_argument', 'requestJson must be a string or a Uint8Array');
      }
      return unwrap(call('ds_stack_deals', stackRequestBytes(requestJson)));
    },
    stackDeals(request) {
      return JSON.parse(unwrap(call('ds_stack_deals', stackRequestBytes(request))));
    },
  };
  return Object.freeze(api);
}

export default load;
