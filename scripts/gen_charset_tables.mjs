#!/usr/bin/env node
// Generates the WHATWG Encoding Standard tables compiled into the shared core
// (shared/text/encodings/*): encoding names and labels, the single-byte indexes and the
// CJK indexes (jis0208, jis0212, gb18030 + ranges, big5, euc-kr).
//
// Why not node's own TextDecoder: node's full-ICU converters are ICU's stock tables, not
// the WHATWG ones (windows-1252 0x80 -> U+0080, euc-kr 0x8141 -> two characters, big5
// HKSCS rows -> private use ...), so they would not decode the way browsers do.
//
// Sources (npm packages that ship the WHATWG index data):
//   - @kayahr/text-encoding@2.2.0, data/*.cp.js: the current WHATWG indexes, including the
//     2023 GB18030-2022 update of 18 gb18030 pointers (e.g. 0xA6D9 -> U+FE10).
//   - text-encoding@0.7.0 (the polyfill by the spec's editor), lib/encoding.js: the spec's
//     encodings.json (canonical names with their spec casing, and labels). Labels the
//     standard added later are taken from @kayahr/text-encoding (which must agree on every
//     label both know), plus "replacement", which the standard lists as a label of the
//     replacement encoding and which @kayahr/text-encoding does not implement.
//   The script also cross-checks every index against text-encoding@0.7.0's copy and fails
//   on any difference other than the 18 known GB18030-2022 pointers.
//
// Regenerate (from the repository root):
//   npm install --prefix /tmp/charset-src --no-save text-encoding@0.7.0 @kayahr/text-encoding@2.2.0
//   node scripts/gen_charset_tables.mjs /tmp/charset-src/node_modules
// The output is deterministic: running it again must leave `git diff` empty.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modules = path.resolve(process.argv[2] ?? path.join(root, 'node_modules'));
const outDir = path.join(root, 'shared/text/encodings');
const require = createRequire(path.join(modules, 'x.js'));

function fail(msg) {
  console.error(`gen_charset_tables: ${msg}`);
  process.exit(1);
}

function checkVersion(name, want) {
  const pkgPath = path.join(modules, name, 'package.json');
  if (!fs.existsSync(pkgPath)) fail(`${name}@${want} not found under ${modules} (see the header of this script)`);
  const got = JSON.parse(fs.readFileSync(pkgPath, 'utf8')).version;
  if (got !== want) fail(`${name} is ${got}, expected ${want}`);
}
checkVersion('text-encoding', '0.7.0');
checkVersion('@kayahr/text-encoding', '2.2.0');

const kayahrDir = path.join(modules, '@kayahr/text-encoding');
async function kayahrData(file) {
  const p = path.join(kayahrDir, 'data', file);
  if (file.endsWith('.json')) return JSON.parse(fs.readFileSync(p, 'utf8'));
  return (await import(pathToFileURL(p).href)).default;
}

// --- encodings and labels ------------------------------------------------------------
const legacySrc = fs.readFileSync(path.join(modules, 'text-encoding/lib/encoding.js'), 'utf8');
const start = legacySrc.indexOf('var encodings = [');
const end = legacySrc.indexOf('];', start);
if (start < 0 || end < 0) fail('encodings table not found in text-encoding/lib/encoding.js');
const specTable = JSON.parse(legacySrc.slice(start + 'var encodings = '.length, end + 1));

const encodings = [];  // {name, labels:Set, single:boolean}
for (const group of specTable) {
  for (const e of group.encodings) {
    encodings.push({ name: e.name, labels: new Set(e.labels), single: group.heading === 'Legacy single-byte encodings' });
  }
}
const byLower = new Map(encodings.map((e) => [e.name.toLowerCase(), e]));

const kayahrEnc = path.join(kayahrDir, 'src/main/encodings');
for (const f of fs.readdirSync(kayahrEnc).sort()) {
  const m = fs.readFileSync(path.join(kayahrEnc, f), 'utf8').match(/registerEncoding\(\s*"([^"]+)",\s*\[([^\]]*)\]/);
  if (!m) continue;  // utf-16.ts only re-exports
  const enc = byLower.get(m[1]);
  if (!enc) fail(`unknown encoding ${m[1]} in ${f}`);
  for (const label of m[2].match(/"[^"]+"/g).map((s) => JSON.parse(s))) {
    for (const other of encodings) {
      if (other !== enc && other.labels.has(label)) fail(`label ${label}: ${other.name} vs ${enc.name}`);
    }
    enc.labels.add(label);
  }
}
byLower.get('replacement').labels.add('replacement');

const labels = [];
for (const [id, e] of encodings.entries()) for (const l of e.labels) labels.push([l, id]);
labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
for (let i = 1; i < labels.length; i++) if (labels[i][0] === labels[i - 1][0]) fail(`duplicate label ${labels[i][0]}`);

function ident(name) {
  const parts = name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  let out = '';
  for (const p of parts) {
    if (out && /[0-9]$/.test(out) && /^[0-9]/.test(p)) out += '_';
    out += p[0].toUpperCase() + p.slice(1);
  }
  return 'k' + out;
}

// --- indexes -----------------------------------------------------------------------------
const legacyIndexes = require('text-encoding/lib/encoding-indexes.js')['encoding-indexes'];
const knownGb18030Updates = new Set([7182, 7183, 7184, 7185, 7186, 7187, 7188, 7201, 7202, 7208,
                                     23775, 23783, 23788, 23789, 23795, 23812, 23829, 23845]);

function normalize(arr) {
  return Array.from(arr, (v) => (v === null || v === undefined ? 0 : v));
}
function crossCheck(name, arr) {
  const old = legacyIndexes[name];
  if (!old) fail(`no legacy index ${name}`);
  if (old.length !== arr.length) fail(`${name}: length ${arr.length} vs legacy ${old.length}`);
  for (let i = 0; i < arr.length; i++) {
    const o = old[i] ?? 0;
    if (o !== arr[i] && !(name === 'gb18030' && knownGb18030Updates.has(i))) {
      fail(`${name}[${i}]: ${arr[i]} vs legacy ${o}`);
    }
  }
}
async function index(name, file = `${name}.cp.js`) {
  const arr = normalize(await kayahrData(file));
  crossCheck(name, arr);
  return arr;
}

function hexList(values, width, perLine) {
  const lines = [];
  for (let i = 0; i < values.length; i += perLine) {
    lines.push('    ' + values.slice(i, i + perLine).map((v) => '0x' + v.toString(16).toUpperCase().padStart(width, '0')).join(', ') + ',');
  }
  return lines.join('\n');
}

const banner = (what) => `// GENERATED by scripts/gen_charset_tables.mjs from the WHATWG Encoding Standard's ${what}
// (npm @kayahr/text-encoding@2.2.0 data, cross-checked with text-encoding@0.7.0).
// Do not edit; see the script's header for how to regenerate.
`;

const files = {};
const singles = encodings.filter((e) => e.single);
const firstSingle = encodings.indexOf(singles[0]);
if (!singles.every((e, i) => encodings.indexOf(e) === firstSingle + i)) fail('single-byte encodings not contiguous');

// Header
{
  const enumLines = encodings.map((e, i) => `  ${ident(e.name)} = ${i},  // ${e.name}`).join('\n');
  files['charset_tables.hpp'] = `${banner('encodings.json and indexes')}
// Internal to the charset decoder (shared/text/charset.cpp); not a public API.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dealstack::charset_tables {

// Every encoding of the standard, in the order of its encodings table.
enum class EncodingId : std::uint8_t {
${enumLines}
};
inline constexpr std::size_t kEncodingCount = ${encodings.length};

// Canonical names, indexed by EncodingId ("UTF-8", "Shift_JIS", "windows-1252").
extern const char* const kEncodingNames[kEncodingCount];

// Every label of the standard (lower case, sorted by byte value) with its encoding.
struct Label {
  const char* label;
  EncodingId encoding;
};
inline constexpr std::size_t kLabelCount = ${labels.length};
extern const Label kLabels[kLabelCount];

// Single-byte encodings are the contiguous ids ${ident(singles[0].name)}..${ident(singles.at(-1).name)}.
// kSingleByte[id - ${ident(singles[0].name)}][byte - 0x80] is the code point of a byte >= 0x80,
// 0 where the index has none (a decoding error).
inline constexpr std::size_t kFirstSingleByte = ${firstSingle};
inline constexpr std::size_t kSingleByteCount = ${singles.length};
extern const std::uint16_t kSingleByte[kSingleByteCount][128];

// CJK indexes, by pointer; 0 means "no code point" (a decoding error). They are stored
// packed, because as plain 16-bit arrays they were 180 KB of nearly incompressible data in
// the WebAssembly module (over 140 KB of its gzipped size); text/charset_indexes.hpp unpacks
// each one on first use. The format: every entry's difference from the previous entry
// (the first from 0), taken modulo 2^16 as a signed 16-bit value d and mapped to
// z = d >= 0 ? 2d : -2d - 1, written as one byte z (z < 0x80), two bytes 0x80 | z >> 8,
// z & 0xFF (z < 0x4000) or three bytes 0xC0, z >> 8, z & 0xFF.
struct PackedIndex {
  const std::uint8_t* bytes;
  std::size_t byte_count;
  std::size_t size;      // entries once unpacked
  std::uint32_t fnv1a;   // FNV-1a (32-bit) of the unpacked entries, each low byte first
};
inline constexpr std::size_t kJis0208Size = ${legacyIndexes.jis0208.length};
extern const PackedIndex kJis0208;
inline constexpr std::size_t kJis0212Size = ${legacyIndexes.jis0212.length};
extern const PackedIndex kJis0212;
inline constexpr std::size_t kEucKrSize = ${legacyIndexes['euc-kr'].length};
extern const PackedIndex kEucKr;
inline constexpr std::size_t kGb18030Size = ${legacyIndexes.gb18030.length};
extern const PackedIndex kGb18030;

// index gb18030 ranges: {pointer, code point} pairs sorted by pointer (the first is {0, 0x80}).
struct Gb18030Range {
  std::uint32_t pointer;
  std::uint32_t code_point;
};
inline constexpr std::size_t kGb18030RangeCount = ${legacyIndexes['gb18030-ranges'].length};
extern const Gb18030Range kGb18030Ranges[kGb18030RangeCount];

// index Big5 (packed like the CJK indexes above): the low 16 bits of each code point; a
// pointer whose bit is set in kBig5Plane2 maps to U+20000 + that value (every non-BMP entry
// of the index is in plane 2).
inline constexpr std::size_t kBig5Size = ${legacyIndexes.big5.length};
extern const PackedIndex kBig5;
extern const std::uint8_t kBig5Plane2[(kBig5Size + 7) / 8];

}  // namespace dealstack::charset_tables
`;
}

// Names and labels
{
  const names = encodings.map((e) => `    "${e.name}",`).join('\n');
  const lab = labels.map(([l, id]) => `    {"${l}", EncodingId::${ident(encodings[id].name)}},`).join('\n');
  files['labels.cpp'] = `${banner('encodings.json')}
#include "text/encodings/charset_tables.hpp"

namespace dealstack::charset_tables {

const char* const kEncodingNames[kEncodingCount] = {
${names}
};

const Label kLabels[kLabelCount] = {
${lab}
};

}  // namespace dealstack::charset_tables
`;
}

// Single-byte indexes
{
  const blocks = [];
  for (const e of singles) {
    const dataName = e.name === 'ISO-8859-8-I' ? 'iso-8859-8' : e.name.toLowerCase();
    const file = fs.existsSync(path.join(kayahrDir, 'data', `${dataName}.cp.js`)) ? `${dataName}.cp.js` : `${dataName}.cp.json`;
    const arr = await index(dataName, file);
    if (arr.length !== 128) fail(`${e.name}: ${arr.length} entries`);
    blocks.push(`    // ${e.name}\n    {\n${hexList(arr, 4, 16).replace(/^/gm, '    ')}\n    },`);
  }
  files['single_byte.cpp'] = `${banner('single-byte indexes')}
#include "text/encodings/charset_tables.hpp"

namespace dealstack::charset_tables {

const std::uint16_t kSingleByte[kSingleByteCount][128] = {
${blocks.join('\n')}
};

}  // namespace dealstack::charset_tables
`;
}

// The packed form of a 16-bit index (the format is described in charset_tables.hpp).
function pack(values) {
  const out = [];
  let prev = 0;
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) fail(`cannot pack ${v}`);
    const d = ((v - prev) << 16) >> 16;  // signed 16-bit difference
    const z = d >= 0 ? 2 * d : -2 * d - 1;
    if (z < 0x80) out.push(z);
    else if (z < 0x4000) out.push(0x80 | (z >> 8), z & 0xff);
    else out.push(0xc0, z >> 8, z & 0xff);
    prev = v;
  }
  return out;
}
function unpack(bytes) {
  const out = [];
  let prev = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i++];
    let z;
    if (b < 0x80) z = b;
    else if (b < 0xc0) z = ((b & 0x3f) << 8) | bytes[i++];
    else { z = (bytes[i] << 8) | bytes[i + 1]; i += 2; }
    prev = (prev + ((z & 1) ? -((z + 1) >> 1) : z >> 1)) & 0xffff;
    out.push(prev);
  }
  return out;
}
function fnv1a(values) {
  let h = 0x811c9dc5;
  for (const v of values) {
    h = Math.imul(h ^ (v & 0xff), 0x01000193) >>> 0;
    h = Math.imul(h ^ (v >> 8), 0x01000193) >>> 0;
  }
  return h;
}
// The definition of a PackedIndex named `cname` holding `values` (checked to round-trip).
function packedIndex(cname, values) {
  const bytes = pack(values);
  const back = unpack(bytes);
  if (back.length !== values.length || back.some((v, i) => v !== values[i])) fail(`${cname} does not round-trip`);
  const hash = '0x' + fnv1a(values).toString(16).toUpperCase().padStart(8, '0');
  return `namespace {
const std::uint8_t k${cname.slice(1)}Bytes[${bytes.length}] = {
${hexList(bytes, 2, 24)}
};
}  // namespace

const PackedIndex ${cname} = {k${cname.slice(1)}Bytes, sizeof k${cname.slice(1)}Bytes, ${cname}Size, ${hash}};`;
}

async function simpleIndexFile(file, name, cname) {
  const arr = await index(name);
  if (arr.some((v) => v > 0xffff)) fail(`${name} has non-BMP entries`);
  files[file] = `${banner(`index ${name}`)}
#include "text/encodings/charset_tables.hpp"

namespace dealstack::charset_tables {

${packedIndex(cname, arr)}

}  // namespace dealstack::charset_tables
`;
}
await simpleIndexFile('jis0208.cpp', 'jis0208', 'kJis0208');
await simpleIndexFile('jis0212.cpp', 'jis0212', 'kJis0212');
await simpleIndexFile('euc_kr.cpp', 'euc-kr', 'kEucKr');

// gb18030 (+ ranges)
{
  const arr = await index('gb18030');
  if (arr.some((v) => v === 0 || v > 0xffff)) fail('gb18030 index has holes or non-BMP entries');
  const ranges = await kayahrData('gb18030.ranges.js');
  if (JSON.stringify(ranges) !== JSON.stringify(legacyIndexes['gb18030-ranges'])) fail('gb18030 ranges differ');
  const rangeLines = ranges.map(([p, c]) => `    {${p}, 0x${c.toString(16).toUpperCase()}},`).join('\n');
  files['gb18030.cpp'] = `${banner('index gb18030 and index gb18030 ranges')}
#include "text/encodings/charset_tables.hpp"

namespace dealstack::charset_tables {

${packedIndex('kGb18030', arr)}

const Gb18030Range kGb18030Ranges[kGb18030RangeCount] = {
${rangeLines}
};

}  // namespace dealstack::charset_tables
`;
}

// big5
{
  const arr = await index('big5');
  const low = [];
  const plane2 = new Array(Math.ceil(arr.length / 8)).fill(0);
  for (let i = 0; i < arr.length; i++) {
    const cp = arr[i];
    if (cp > 0xffff) {
      if (cp < 0x20000 || cp > 0x2ffff) fail(`big5[${i}] = ${cp.toString(16)} outside plane 2`);
      plane2[i >> 3] |= 1 << (i & 7);
    }
    low.push(cp & 0xffff);
  }
  files['big5.cpp'] = `${banner('index Big5')}
#include "text/encodings/charset_tables.hpp"

namespace dealstack::charset_tables {

${packedIndex('kBig5', low)}

const std::uint8_t kBig5Plane2[(kBig5Size + 7) / 8] = {
${hexList(plane2, 2, 24)}
};

}  // namespace dealstack::charset_tables
`;
}

fs.mkdirSync(outDir, { recursive: true });
for (const [name, text] of Object.entries(files)) {
  fs.writeFileSync(path.join(outDir, name), text);
  console.log(`wrote shared/text/encodings/${name} (${text.length} bytes)`);
}
console.log(`${encodings.length} encodings, ${labels.length} labels`);
