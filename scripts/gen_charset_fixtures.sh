#!/usr/bin/env bash
# Regenerates the encoded test pages in tests/fixtures/charset/ from their UTF-8 sources in
# tests/fixtures/charset/src/ with glibc's iconv (an encoder independent of our decoders).
# The tests decode each page and compare the result with its UTF-8 source byte for byte.
# The sources avoid the few characters where glibc's tables differ from the WHATWG ones
# (e.g. U+2014 in JIS X 0208, U+FF5E in Shift_JIS), so the round trip is exact.
set -euo pipefail
dir="$(cd "$(dirname "$0")/../tests/fixtures/charset" && pwd)"
cd "$dir"
enc() { iconv -f UTF-8 -t "$2" "src/$1.html" > "$1.html"; }
enc ru-windows-1251 CP1251
enc pl-iso-8859-2 ISO-8859-2
enc fr-windows-1252-undeclared CP1252
enc ja-shift_jis CP932
enc ja-euc-jp EUC-JP
enc ja-iso-2022-jp ISO-2022-JP
enc zh-gbk GBK
enc zh-big5 BIG5
enc ko-euc-kr CP949
{ printf '\xEF\xBB\xBF'; cat src/utf8-bom.html; } > utf8-bom.html
{ printf '\xFF\xFE'; iconv -f UTF-8 -t UTF-16LE src/utf16.html; } > utf16le-bom.html
{ printf '\xFE\xFF'; iconv -f UTF-8 -t UTF-16BE src/utf16.html; } > utf16be-bom.html
ls -l "$dir"/*.html
