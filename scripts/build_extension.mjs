#!/usr/bin/env node
// Builds the browser extension into build/extension/<browser>/ (unpacked, ready to load):
//   1. type-checks with tsc, one tsconfig per execution context (extension/tsconfig.*.json:
//      the service worker without DOM types, the content script and the pages with them);
//   2. bundles with esbuild: background/background.js (ES module, the wasm loader bundled
//      in and dealstack_core.wasm copied beside it), content/content.js (classic script,
//      IIFE), popup/popup.js and options/options.js (IIFE; their .html copied, their .css bundled with its @imports);
//   3. merges extension/manifest/base.json with chromium.json or firefox.json, copies
//      extension/_locales, and draws the toolbar icons (icons/icon{16,32,48,128}.png).
//
// Usage: node scripts/build_extension.mjs [--browser chromium|firefox|all] [--skip-typecheck]
//                                         [--wasm-dir DIR] [--out-dir DIR]
//   --browser         which build(s) to make. Default: all
//   --skip-typecheck  bundle only (a quick edit-reload loop; `npm test` never skips it)
//   --wasm-dir        the folder holding dealstack_core.{mjs,wasm}. Default: build/wasm/wasm
//   --out-dir         where <browser>/ folders go. Default: build/extension
// Exit codes: 0 built, 1 failed (the message says why), 2 usage error.
//
// The popup and options pages are optional here: when their sources are missing the build
// warns and makes the rest, so the service worker and content script can be tested alone.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ext = path.join(root, 'extension');
const src = path.join(ext, 'src');
const require = createRequire(import.meta.url);

const USAGE = 'usage: node scripts/build_extension.mjs [--browser chromium|firefox|all] [--skip-typecheck] [--wasm-dir DIR] [--out-dir DIR]';

function usage(message) {
  console.error(`build_extension: ${message}\n${USAGE}`);
  process.exit(2);
}

function fail(message) {
  console.error(`build_extension: ${message}`);
  process.exit(1);
}

function warn(message) {
  console.warn(`build_extension: warning: ${message}`);
}

function parseArgs(argv) {
  const opts = { browsers: ['chromium', 'firefox'], typecheck: true, wasmDir: path.join(root, 'build/wasm/wasm'), outDir: path.join(root, 'build/extension') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--browser') {
      const b = value();
      if (b === 'all') opts.browsers = ['chromium', 'firefox'];
      else if (b === 'chromium' || b === 'firefox') opts.browsers = [b];
      else usage(`unknown browser "${b}"`);
    } else if (a === '--skip-typecheck') opts.typecheck = false;
    else if (a === '--wasm-dir') opts.wasmDir = path.resolve(value());
    else if (a === '--out-dir') opts.outDir = path.resolve(value());
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else usage(`unknown argument "${a}"`);
  }
  return opts;
}

// ---- type-check ---------------------------------------------------------------------------

function typecheck(configs) {
  const tsc = require.resolve('typescript/bin/tsc');
  for (const config of configs) {
    const started = Date.now();
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(ext, config), '--pretty'], { stdio: 'inherit' });
    if (r.status !== 0) fail(`type errors in ${config} (see above); --skip-typecheck bundles anyway`);
    console.log(`build_extension: typecheck ${config} ok (${Date.now() - started} ms)`);
  }
}

// ---- bundle -----------------------------------------------------------------------------

// The background's static import of the loader names the source copy in wasm/ (for its
// types); the bundle takes the built one from --wasm-dir, so loader and .wasm always match.
function wasmLoaderPlugin(wasmDir) {
  return {
    name: 'dealstack-wasm-loader',
    setup(b) {
      b.onResolve({ filter: /(^|\/)dealstack_core\.mjs$/ }, () => ({ path: path.join(wasmDir, 'dealstack_core.mjs') }));
    },
  };
}

async function bundle(browser, dir, opts, pages) {
  const esbuild = await import('esbuild');
  const common = {
    bundle: true,
    target: ['chrome116', 'firefox128'],
    define: { __BROWSER__: JSON.stringify(browser) },
    charset: 'utf8',
    legalComments: 'inline',
    logLevel: 'warning',
    // Readable output: reviewers (and AMO) read what ships.
    minify: false,
  };
  const jobs = [
    esbuild.build({ ...common, entryPoints: [path.join(src, 'background/index.ts')], outfile: path.join(dir, 'background/background.js'), format: 'esm', plugins: [wasmLoaderPlugin(opts.wasmDir)] }),
    esbuild.build({ ...common, entryPoints: [path.join(src, 'content/index.ts')], outfile: path.join(dir, 'content/content.js'), format: 'iife' }),
  ];
  for (const page of pages) {
    jobs.push(esbuild.build({ ...common, entryPoints: [path.join(src, page, `${page}.ts`)], outfile: path.join(dir, page, `${page}.js`), format: 'iife' }));
    // The page's stylesheet with its @imports inlined (the shared theme, uPlot's CSS).
    const css = path.join(src, page, `${page}.css`);
    if (fs.existsSync(css)) jobs.push(esbuild.build({ ...common, entryPoints: [css], outfile: path.join(dir, page, `${page}.css`) }));
  }
  try {
    await Promise.all(jobs);
  } catch (e) {
    fail(`esbuild failed: ${e.message}`);
  }
}

// ---- manifest, static files -----------------------------------------------------------------

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`can't read ${path.relative(root, file)}: ${e.message}`);
  }
}

// Objects merge key by key; anything else (arrays included) is replaced by the overlay.
function merge(base, overlay) {
  const out = { ...base };
  for (const [k, v] of Object.entries(overlay)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b, v) : v;
  }
  return out;
}

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(a, b);
    else if (entry.isFile()) fs.copyFileSync(a, b);
  }
}

function writeLocales(dir, manifest) {
  const locales = path.join(ext, '_locales');
  if (fs.existsSync(locales)) {
    copyDir(locales, path.join(dir, '_locales'));
    return;
  }
  // Without a catalogue the browser refuses the manifest's __MSG_x__ names: write a minimal
  // English one so the rest of the extension can still be loaded and tested.
  warn('extension/_locales is missing: writing a placeholder English catalogue');
  const messages = {};
  for (const m of JSON.stringify(manifest).matchAll(/__MSG_(\w+)__/g)) messages[m[1]] = { message: m[1].replace(/_/g, ' ') };
  fs.mkdirSync(path.join(dir, '_locales/en'), { recursive: true });
  fs.writeFileSync(path.join(dir, '_locales/en/messages.json'), JSON.stringify(messages, null, 2));
}

// ---- icons --------------------------------------------------------------------------------

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGBA image (Uint8Array, rows top to bottom) as PNG bytes. */
export function encodePng(width, height, rgba) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;  // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;   // bits per channel
  ihdr[9] = 6;   // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// The glyph: a price tag pointing to the upper left, with its string hole, drawn in the unit
// square and rotated 45°; antialiased by 4x4 supersampling.
const TAG = [[0.1, 0.5], [0.36, 0.22], [0.92, 0.22], [0.92, 0.78], [0.36, 0.78]];
const HOLE = { x: 0.34, y: 0.5, r: 0.075 };
const COLOR = [0x1a, 0x7f, 0x37];

function inPolygon(x, y, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function drawIcon(size) {
  const rgba = new Uint8Array(size * size * 4);
  const cos = Math.cos(Math.PI / 4);
  const sin = Math.sin(Math.PI / 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          // Rotate the sample back into the tag's frame (around the centre).
          const u = (px + (sx + 0.5) / S) / size - 0.5;
          const v = (py + (sy + 0.5) / S) / size - 0.5;
          const x = u * cos + v * sin + 0.5;
          const y = -u * sin + v * cos + 0.5;
          const inHole = (x - HOLE.x) ** 2 + (y - HOLE.y) ** 2 < HOLE.r ** 2;
          if (!inHole && inPolygon(x, y, TAG)) hits++;
        }
      }
      const o = (py * size + px) * 4;
      rgba[o] = COLOR[0];
      rgba[o + 1] = COLOR[1];
      rgba[o + 2] = COLOR[2];
      rgba[o + 3] = Math.round((255 * hits) / (S * S));
    }
  }
  return encodePng(size, size, rgba);
}

function writeIcons(dir) {
  fs.mkdirSync(path.join(dir, 'icons'), { recursive: true });
  for (const size of [16, 32, 48, 128]) fs.writeFileSync(path.join(dir, `icons/icon${size}.png`), drawIcon(size));
}

// ---- main ---------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const f of ['dealstack_core.mjs', 'dealstack_core.wasm'])
    if (!fs.existsSync(path.join(opts.wasmDir, f)))
      fail(`${path.join(opts.wasmDir, f)} is missing: build the wasm core first (\`npm run build -- wasm\`, i.e. scripts/build.sh wasm) or pass --wasm-dir DIR`);

  const pages = [];
  for (const page of ['popup', 'options']) {
    const missing = [`${page}.ts`, `${page}.html`].filter((f) => !fs.existsSync(path.join(src, page, f)));
    if (missing.length) warn(`extension/src/${page}/ lacks ${missing.join(', ')}: building without the ${page} page`);
    else pages.push(page);
  }

  if (opts.typecheck) typecheck(['tsconfig.background.json', 'tsconfig.content.json', 'tsconfig.pages.json']);

  const base = readJson(path.join(ext, 'manifest/base.json'));
  for (const browser of opts.browsers) {
    const started = Date.now();
    const dir = path.join(opts.outDir, browser);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await bundle(browser, dir, opts, pages);
    fs.copyFileSync(path.join(opts.wasmDir, 'dealstack_core.wasm'), path.join(dir, 'background/dealstack_core.wasm'));
    for (const page of pages)
      fs.copyFileSync(path.join(src, page, `${page}.html`), path.join(dir, page, `${page}.html`));
    const manifest = merge(base, readJson(path.join(ext, `manifest/${browser}.json`)));
    fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeLocales(dir, manifest);
    writeIcons(dir);
    console.log(`build_extension: ${path.relative(root, dir) || dir} (${Date.now() - started} ms)`);
  }
}

await main();
