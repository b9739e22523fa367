// A stand-in for dealstack_core.wasm, linked with the same flags and exporting the same C
// ABI, whose calls fail on demand. tests/wasm/module.test.mjs loads it to check that the
// loader turns a trap or an abort into a DealstackError("internal_error") and then carries on
// with a fresh instance. Not shipped.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Calls of ds_parse_price since this instance started: a fresh instance counts from 1 again.
static int g_calls = 0;

int ds_abi_version(void) { return 3; }  // kAbiVersion in wasm/binding.cpp
void* ds_alloc(size_t n) { return malloc(n == 0 ? 1 : n); }
void ds_free(void* p) { free(p); }

// ds_parse_price -> {"ok":true,"value":{"calls":N}}
char* ds_parse_price(const char* text, size_t len, const char* options, size_t olen) {
  (void)text, (void)len, (void)options, (void)olen;
  char body[64] = "{\"ok\":true,\"value\":{\"calls\":";
  size_t at = strlen(body);
  char digits[12];
  int n = 0;
  for (int v = ++g_calls; v > 0 || n == 0; v /= 10) digits[n++] = (char)('0' + v % 10);
  while (n > 0) body[at++] = digits[--n];
  body[at++] = '}';
  body[at++] = '}';
  char* out = malloc(4 + at);
  if (!out) return 0;
  uint32_t length = (uint32_t)at;
  memcpy(out, &length, 4);
  memcpy(out + 4, body, at);
  return out;
}

// ds_extract_product: the page "abort" calls abort() (-> proc_exit), anything else traps.
char* ds_extract_product(const char* html, size_t len, const char* url, size_t ulen, const char* rules,
                         size_t rlen) {
  (void)url, (void)ulen, (void)rules, (void)rlen;
  if (len == 5 && memcmp(html, "abort", 5) == 0) abort();
  __builtin_trap();
}

// ds_stack_deals: in the ABI (and in the shared export list) since version 2; always traps.
char* ds_stack_deals(const char* json, size_t len) {
  (void)json, (void)len;
  __builtin_trap();
}
