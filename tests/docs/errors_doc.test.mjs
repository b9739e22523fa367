// docs/errors.md against the source: every error code the code can produce must be in the
// document's tables, and every code in the tables must still be produced somewhere, so the
// document can't rot in either direction.
//
// "Produced" means written as a literal (or a protocol::error constant) in one of:
//  - make_error("code", ...), make_error(error::name, ...), make_error(protocol::error::name, ...),
//    also behind a ternary (make_error(c ? "a" : "b", ...));
//  - a helper with a parameter named `code` that builds an error or a problem from it (found
//    automatically: evaluate.cpp's fail, request_json.cpp's fail, rules.cpp's check_money,
//    doctor's problem, manifest's add, price --jsonl's error_line, ...), called with a literal;
//  - Error{"code", ...} / error_result({"code", ...}) (the wasm binding) and err.code = "code";
//  - new DealstackError('code', ...) in the wasm module's JavaScript;
//  - the constants in native_host/protocol/wire.hpp's namespace error (published codes);
//  - the same forms in dealstack-server's sources (backend/), plus error_response("code", ...)
//    (found as a helper with a `code` parameter);
//  - in the extension's TypeScript (extension/src): new HostError('code', ...) and
//    new ExtensionError('code', ...), fail('code', ...), an error value
//    { code: 'code', message: ... }, and the failure states of HostState in
//    extension/src/shared/messages.ts (every member but 'connecting' and 'connected': the
//    native port rejects pending requests with them).
// Comments are stripped first, so a code merely mentioned in a comment doesn't count.
//
// `node tests/docs/errors_doc.test.mjs --list` prints every code found and where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CODE_RE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

function walk(dir, exts, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, exts, out);
    else if (exts.some((e) => entry.name.endsWith(e))) out.push(p);
  }
  return out;
}

// Blanks out comments (keeping newlines, so offsets and line numbers stay), leaving string
// and character literals alone. Handles C++ raw strings R"delim(...)delim" and, for .mjs,
// template literals well enough for this scan.
export function stripComments(src) {
  let out = '';
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    const d = src[i + 1];
    if (c === '/' && d === '/') {
      while (i < n && src[i] !== '\n') { out += ' '; i++; }
    } else if (c === '/' && d === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (; i < stop; i++) out += src[i] === '\n' ? '\n' : ' ';
    } else if (c === 'R' && d === '"' && !/[A-Za-z0-9_]/.test(src[i - 1] ?? '')) {
      const open = src.indexOf('(', i + 2);
      const delim = src.slice(i + 2, open);
      const end = src.indexOf(')' + delim + '"', open);
      const stop = end < 0 ? n : end + delim.length + 2;
      out += src.slice(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && src[j] !== c) {
        if (src[j] === '\\') j++;
        if (c !== '`' && src[j] === '\n') break;  // an apostrophe in a number like 1'000
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// From `open` (the index of an opening bracket), the index of its matching closer, skipping
// string literals. -1 when unbalanced.
function matching(text, open) {
  const pairs = { '(': ')', '{': '}', '[': ']' };
  const stack = [pairs[text[open]]];
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (pairs[c]) stack.push(pairs[c]);
    else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

// The top-level comma-separated arguments between text[open] = '(' and its closer.
function splitArgs(text, open) {
  const close = matching(text, open);
  if (close < 0) return [];
  const args = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < close && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if ('({['.includes(c)) depth++;
    else if (')}]'.includes(c)) depth--;
    else if (c === ',' && depth === 0) { args.push(text.slice(start, i)); start = i + 1; }
  }
  args.push(text.slice(start, close));
  return args.map((a) => a.trim());
}

// The codes an argument expression names: a literal, a protocol::error constant, or a ternary
// of those. Anything else (a variable, a propagated error's code) names none.
function codesOfArg(arg, wire) {
  const one = (s) => {
    s = s.trim().replace(/^\(|\)$/g, '').trim();
    let m = s.match(/^"([^"\\]*)"$/) ?? s.match(/^'([^'\\]*)'$/);
    if (m) return CODE_RE.test(m[1]) ? [m[1]] : [];
    m = s.match(/^(?:(?:dealstack::)?protocol::)?error::([a-z_0-9]+)$/);
    if (m && wire.has(m[1])) return [wire.get(m[1])];
    return null;
  };
  const direct = one(arg);
  if (direct) return direct;
  const t = arg.match(/^[^?"']*\?([^:]*):(.*)$/s);
  if (t) {
    const a = one(t[1]);
    const b = one(t[2]);
    if (a && b) return [...a, ...b];
  }
  return [];
}

// protocol::error's constants from wire.hpp: name -> code.
function wireConstants() {
  const text = stripComments(fs.readFileSync(path.join(repoRoot, 'native_host/protocol/wire.hpp'), 'utf8'));
  const block = text.match(/namespace\s+error\s*\{([\s\S]*?)\}/);
  const map = new Map();
  if (block) {
    for (const m of block[1].matchAll(/constexpr\s+const\s+char\s*\*\s*([a-z_0-9]+)\s*=\s*"([^"]*)"/g))
      map.set(m[1], m[2]);
  }
  return map;
}

// Functions and lambdas with a parameter named `code` whose body turns it into an error or a
// problem (passes it to make_error, or puts it in a brace initializer such as
// push_back({code, message}) or {{"code", code}}). Returns [{name, index}] where index is the
// position of `code` among the parameters.
function findHelpers(text) {
  const helpers = [];
  const paramRe = /(?:const\s+)?(?:char\s*\*|std::string_view|std::string\s*&?|const\s+std::string\s*&)\s*code\s*(?=[,)])/g;
  for (const m of text.matchAll(paramRe)) {
    // Walk back to the '(' that opens this parameter list, counting top-level commas.
    let depth = 0;
    let commas = 0;
    let i = m.index - 1;
    for (; i >= 0; i--) {
      const c = text[i];
      if (c === ')' || c === ']' || c === '}' || c === '>') depth++;
      else if (c === '(' || c === '[' || c === '{' || c === '<') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) commas++;
      else if (c === ';' && depth === 0) { i = -1; break; }
    }
    if (i < 0 || text[i] !== '(') continue;
    // The name: an identifier before '(', or for a lambda `name = [captures](`.
    let before = text.slice(0, i).trimEnd();
    if (before.endsWith(']')) {
      const lb = before.lastIndexOf('[');
      before = before.slice(0, lb).trimEnd();
      if (!before.endsWith('=')) continue;
      before = before.slice(0, -1).trimEnd();
    }
    const nm = before.match(/([A-Za-z_][A-Za-z0-9_]*)$/);
    if (!nm || nm[1] === 'make_error') continue;
    // Its body: the first '{' after the parameter list, unless a ';' (a declaration) comes first.
    const close = matching(text, i);
    if (close < 0) continue;
    const rest = text.slice(close + 1);
    const brace = rest.search(/[{;]/);
    if (brace < 0 || rest[brace] !== '{') continue;
    const bodyStart = close + 1 + brace;
    const bodyEnd = matching(text, bodyStart);
    if (bodyEnd < 0) continue;
    const body = text.slice(bodyStart + 1, bodyEnd);
    if (usesCodeAsError(body)) helpers.push({ name: nm[1], index: commas });
  }
  return helpers;
}

function usesCodeAsError(body) {
  for (const m of body.matchAll(/\bcode\b/g)) {
    if (body[m.index - 1] === '.' || body.slice(m.index - 2, m.index) === '->') continue;
    // The innermost bracket around this use of `code`.
    let depth = 0;
    for (let i = m.index - 1; i >= 0; i--) {
      const c = body[i];
      if (c === ')' || c === ']' || c === '}') depth++;
      else if (c === '(' || c === '[' || c === '{') {
        if (depth > 0) { depth--; continue; }
        if (c === '{') return true;
        if (c === '(') {
          const callee = body.slice(0, i).trimEnd().match(/([A-Za-z_][A-Za-z0-9_:]*)$/);
          if (callee && callee[1] === 'std::move') continue;  // look further out
          if (callee && /(^|::)make_error$/.test(callee[1])) return true;
        }
        break;
      }
    }
  }
  return false;
}

function lineOf(text, index) {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// Every code the source produces: Map code -> ["path:line", ...].
let scanned = null;
export function scanSource() {
  if (scanned) return scanned;
  const files = [
    ...walk(path.join(repoRoot, 'shared'), ['.cpp', '.hpp']),
    ...walk(path.join(repoRoot, 'native_host'), ['.cpp', '.hpp']),
    ...walk(path.join(repoRoot, 'wasm'), ['.cpp', '.hpp', '.mjs']),
    ...walk(path.join(repoRoot, 'backend'), ['.cpp', '.hpp']),
  ].sort();
  scanned = withWire(scanTexts(
    new Map(files.map((f) => [path.relative(repoRoot, f), fs.readFileSync(f, 'utf8')])), wireConstants()));
  const ts = walk(path.join(repoRoot, 'extension', 'src'), ['.ts']).sort();
  const extension = scanExtension(new Map(ts.map((f) => [path.relative(repoRoot, f), fs.readFileSync(f, 'utf8')])));
  for (const [code, where] of extension) {
    if (!scanned.has(code)) scanned.set(code, []);
    scanned.get(code).push(...where);
  }
  return scanned;
}

// The codes the extension's TypeScript produces (the forms listed at the top).
export function scanExtension(sources) {
  const found = new Map();
  const add = (code, f, text, index) => {
    if (!CODE_RE.test(code)) return;
    if (!found.has(code)) found.set(code, []);
    found.get(code).push(`${f}:${lineOf(text, index)}`);
  };
  for (const [f, raw] of sources) {
    const text = stripComments(raw);
    for (const m of text.matchAll(/\bnew\s+(?:HostError|ExtensionError)\(\s*'([^']*)'/g)) add(m[1], f, text, m.index);
    for (const m of text.matchAll(/\bfail\(\s*'([^']*)'/g)) add(m[1], f, text, m.index);
    for (const m of text.matchAll(/\bcode:\s*'([^']*)'\s*,\s*message\b/g)) add(m[1], f, text, m.index);
    const union = text.match(/export\s+type\s+HostState\s*=([^;]*);/);
    if (union) {
      for (const m of union[1].matchAll(/'([^']*)'/g)) {
        if (m[1] !== 'connecting' && m[1] !== 'connected') add(m[1], f, text, union.index);
      }
    }
  }
  return found;
}

// The codes in `sources` (Map relative path -> source text); `wire` maps protocol::error
// names to codes.
export function scanTexts(sources, wire) {
  const texts = new Map([...sources].map(([f, t]) => [f, stripComments(t)]));

  // Helpers defined in a file apply to that file; a helper also declared (with its `code`
  // parameter) in a header applies everywhere.
  const local = new Map();
  const global = [];
  for (const [f, text] of texts) {
    if (f.endsWith('.mjs')) continue;
    local.set(f, findHelpers(text));
  }
  const headerNames = new Set();
  for (const [f, text] of texts) {
    if (!f.endsWith('.hpp')) continue;
    for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\([^;{)]*\bcode\s*[,)][^;{]*;/g)) headerNames.add(m[1]);
  }
  for (const hs of local.values()) for (const h of hs) if (headerNames.has(h.name)) global.push(h);

  const found = new Map();
  const add = (code, f, text, index) => {
    const where = `${f}:${lineOf(text, index)}`;
    if (!found.has(code)) found.set(code, []);
    found.get(code).push(where);
  };
  for (const [f, text] of texts) {
    if (f.endsWith('.mjs')) {
      for (const m of text.matchAll(/new\s+DealstackError\s*\(\s*(['"])([^'"]*)\1/g))
        if (CODE_RE.test(m[2])) add(m[2], f, text, m.index);
      continue;
    }
    const callees = [{ name: 'make_error', index: 0 }, ...(local.get(f) ?? []), ...global];
    const byName = new Map();
    for (const h of callees) {
      if (!byName.has(h.name)) byName.set(h.name, new Set());
      byName.get(h.name).add(h.index);
    }
    for (const [name, indices] of byName) {
      const re = new RegExp(`(?<![A-Za-z0-9_])${name}\\s*\\(`, 'g');
      for (const m of text.matchAll(re)) {
        const open = m.index + m[0].length - 1;
        const args = splitArgs(text, open);
        for (const k of indices) if (args[k] !== undefined) for (const c of codesOfArg(args[k], wire)) add(c, f, text, m.index);
      }
    }
    // Error{"code", ...} and error_result({"code", ...}): an Error built by brace-init.
    for (const m of text.matchAll(/(?:\bError\s*\{|\berror_result\s*\(\s*\{)\s*"([^"]*)"/g))
      if (CODE_RE.test(m[1])) add(m[1], f, text, m.index);
    // err.code = "code"
    for (const m of text.matchAll(/\b(?:error|err|e)(?:\(\))?\.code\s*=\s*"([^"]*)"/g))
      if (CODE_RE.test(m[1])) add(m[1], f, text, m.index);
  }
  return found;
}

// protocol::error's constants are published codes whether or not a make_error uses them.
function withWire(found) {
  for (const code of wireConstants().values()) {
    if (!CODE_RE.test(code)) continue;
    if (!found.has(code)) found.set(code, []);
    found.get(code).push('native_host/protocol/wire.hpp');
  }
  return found;
}

// The codes docs/errors.md documents: the backquoted names in the first cell of its table
// rows (a cell may hold several, "`a`, `b`").
export function documentedCodes() {
  const text = fs.readFileSync(path.join(repoRoot, 'docs', 'errors.md'), 'utf8');
  const codes = new Map();
  text.split('\n').forEach((line, i) => {
    const m = line.match(/^\|([^|]*)\|/);
    if (!m) return;
    for (const c of m[1].matchAll(/`([^`]+)`/g)) {
      if (!CODE_RE.test(c[1])) continue;
      if (!codes.has(c[1])) codes.set(c[1], []);
      codes.get(c[1]).push(i + 1);
    }
  });
  return codes;
}

if (process.argv.includes('--list')) {
  const found = scanSource();
  for (const code of [...found.keys()].sort()) console.log(`${code}\t${[...new Set(found.get(code))].join(' ')}`);
} else {
  test('the scan finds the forms it is meant to find (so an empty scan cannot pass)', () => {
    const found = scanSource();
    // One of each form; these are long-published codes (the list is append-only).
    for (const code of ['invalid_json', 'agent_unavailable', 'invalid_stack', 'missing_field',
      'manifest_missing', 'manifest_bad_path', 'line_too_long', 'invalid_options', 'wasm_load_failed']) {
      assert.ok(found.has(code), `the scan no longer finds "${code}"; has its form changed?`);
    }
    assert.ok(found.size > 80, `only ${found.size} codes found`);
  });

  test('the scan reads each form of producing a code and skips comments and non-error uses', () => {
    const wire = new Map([['invalid_params', 'invalid_params'], ['agent_unavailable', 'agent_unavailable']]);
    const found = scanTexts(new Map([
      ['a.cpp', `
// make_error("in_a_comment", "x");  /* make_error("in_a_block", "y") */
Status f() { return make_error(
    "split_over_lines", "m"); }
Status g(bool b) { return make_error(b ? "when_true" : "when_false", "m"); }
Status h() { return make_error(protocol::error::invalid_params, "m"); }
Status k() { return make_error(error::agent_unavailable, std::string("a, b") + "(c)"); }
Status v(const Error& e) { return make_error(e.code, "propagated, not a literal"); }
const auto fail = [&](const char* code, std::string message) { *why = make_error(code, std::move(message)); return false; };
bool t() { return fail("from_lambda", "a message"); }
struct R { void fail(const Path& path, const char* code, const std::string& m) { err_ = make_error(code, path.str() + m); } };
void u(R& r) { r.fail(path + ".x", "from_member", "must_not_count"); }
void problem(std::string subject, std::string code, std::string message) { out.push_back({std::move(subject), std::move(code), std::move(message)}); }
void w() { problem("agent", "from_brace_init", "x"); }
const Currency* find_currency(std::string_view code) { return lookup(table, code, 3); }
void z() { find_currency("not_an_error"); }
void y(Error& error) { error.code = "by_assignment"; }
char* q() { return error_result({"from_error_result", "m"}); }
`],
      ['b.mjs', "throw new DealstackError('from_js', `x`); // new DealstackError('js_comment')"],
    ]), wire);
    assert.deepEqual([...found.keys()].sort(), ['agent_unavailable', 'by_assignment', 'from_brace_init',
      'from_error_result', 'from_js', 'from_lambda', 'from_member', 'invalid_params', 'split_over_lines',
      'when_false', 'when_true']);
    assert.deepEqual(found.get('split_over_lines'), ['a.cpp:3']);
  });

  test("the scan reads the extension's forms of producing a code", () => {
    const found = scanExtension(new Map([['x.ts', `
// fail('in_a_comment', 'x');
const a = new HostError('from_host_error', 'm');
const b = new ExtensionError('from_extension_error', 'm');
return fail('from_fail', \`m\`);
return { code: 'from_value', message: 'm' };
const c = { code: 'not_an_error_value' };
export type HostState = 'connecting' | 'connected' | 'from_state';
`]]));
    assert.deepEqual([...found.keys()].sort(), ['from_extension_error', 'from_fail', 'from_host_error', 'from_state', 'from_value']);
  });

  test('every error code the source produces is in docs/errors.md', () => {
    const found = scanSource();
    const documented = documentedCodes();
    const missing = [...found.keys()].filter((c) => !documented.has(c)).sort();
    assert.deepEqual(missing, [], 'codes produced but not documented in docs/errors.md:\n' +
      missing.map((c) => `  ${c}  (${[...new Set(found.get(c))].join(', ')})`).join('\n'));
  });

  test('every code docs/errors.md documents is still produced by the source', () => {
    const found = scanSource();
    const documented = documentedCodes();
    const stale = [...documented.keys()].filter((c) => !found.has(c)).sort();
    assert.deepEqual(stale, [], 'codes in docs/errors.md that no source produces any more:\n' +
      stale.map((c) => `  ${c}  (docs/errors.md line ${documented.get(c).join(', ')})`).join('\n'));
  });

  test('protocol.md\'s error table lists only codes the source produces', () => {
    const found = scanSource();
    const text = fs.readFileSync(path.join(repoRoot, 'docs', 'protocol.md'), 'utf8');
    const table = text.slice(text.indexOf('| code | when |'));
    const codes = [];
    for (const line of table.split('\n')) {
      if (!line.startsWith('|')) break;
      for (const c of (line.match(/^\|([^|]*)\|/)?.[1] ?? '').matchAll(/`([^`]+)`/g)) codes.push(c[1]);
    }
    assert.ok(codes.length > 5, 'protocol.md has no error table starting "| code | when |"');
    const stale = codes.filter((c) => !found.has(c));
    assert.deepEqual(stale, [], 'protocol.md documents codes no source produces');
  });
}
