#include "text/charset.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "text/utf8.hpp"

using dealstack::decode_html;
using dealstack::decode_with_label;
using dealstack::encoding_for_label;
using dealstack::prescan_meta_charset;
using dealstack::test::read_fixture;

namespace {

// decode_with_label for a label the test knows is valid.
std::string dec(std::string_view bytes, std::string_view label) {
  auto r = decode_with_label(bytes, label);
  REQUIRE(r.ok());
  return r.value();
}

// Deterministic pseudo-random bytes (no clock, no global state).
std::string garbage(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return s;
}

const char* const kAllEncodings[] = {
    "UTF-8",        "IBM866",       "ISO-8859-2",   "ISO-8859-3",     "ISO-8859-4",     "ISO-8859-5",
    "ISO-8859-6",   "ISO-8859-7",   "ISO-8859-8",   "ISO-8859-8-I",   "ISO-8859-10",    "ISO-8859-13",
    "ISO-8859-14",  "ISO-8859-15",  "ISO-8859-16",  "KOI8-R",         "KOI8-U",         "macintosh",
    "windows-874",  "windows-1250", "windows-1251", "windows-1252",   "windows-1253",   "windows-1254",
    "windows-1255", "windows-1256", "windows-1257", "windows-1258",   "x-mac-cyrillic", "GBK",
    "gb18030",      "Big5",         "EUC-JP",       "ISO-2022-JP",    "Shift_JIS",      "EUC-KR",
    "replacement",  "UTF-16BE",     "UTF-16LE",     "x-user-defined"};

}  // namespace

// All cases are in one suite so that `core_tests -ts=charset` runs exactly these.
TEST_SUITE_BEGIN("charset");

// --- labels ----------------------------------------------------------------------------

TEST_CASE("encoding_for_label maps legacy Latin labels to windows-1252") {
  for (const char* label : {"latin1", "iso-8859-1", "ISO_8859-1:1987", "ascii", "us-ascii", "cp1252",
                            "l1", "iso88591", "windows-1252", "x-cp1252", "ansi_x3.4-1968"}) {
    CAPTURE(label);
    CHECK(encoding_for_label(label) == "windows-1252");
  }
}

TEST_CASE("encoding_for_label maps CJK aliases to their WHATWG encodings") {
  for (const char* label : {"sjis", "x-sjis", "ms_kanji", "windows-31j", "ms932", "shift-jis", "csshiftjis"}) {
    CAPTURE(label);
    CHECK(encoding_for_label(label) == "Shift_JIS");
  }
  for (const char* label : {"gb2312", "chinese", "x-gbk", "gbk", "GB_2312-80", "iso-ir-58"}) {
    CAPTURE(label);
    CHECK(encoding_for_label(label) == "GBK");
  }
  CHECK(encoding_for_label("gb18030") == "gb18030");
  CHECK(encoding_for_label("big5-hkscs") == "Big5");
  CHECK(encoding_for_label("x-euc-jp") == "EUC-JP");
  CHECK(encoding_for_label("csiso2022jp") == "ISO-2022-JP");
  CHECK(encoding_for_label("ks_c_5601-1987") == "EUC-KR");
  CHECK(encoding_for_label("windows-949") == "EUC-KR");
}

TEST_CASE("encoding_for_label covers Cyrillic, UTF and special labels") {
  CHECK(encoding_for_label("cp1251") == "windows-1251");
  CHECK(encoding_for_label("koi8-r") == "KOI8-R");
  CHECK(encoding_for_label("koi") == "KOI8-R");
  CHECK(encoding_for_label("koi8-u") == "KOI8-U");
  CHECK(encoding_for_label("cp866") == "IBM866");
  CHECK(encoding_for_label("x-mac-ukrainian") == "x-mac-cyrillic");
  CHECK(encoding_for_label("mac") == "macintosh");
  CHECK(encoding_for_label("tis-620") == "windows-874");
  CHECK(encoding_for_label("iso-8859-9") == "windows-1254");  // Latin-5 is windows-1254
  CHECK(encoding_for_label("logical") == "ISO-8859-8-I");
  CHECK(encoding_for_label("utf8") == "UTF-8");
  CHECK(encoding_for_label("unicode-1-1-utf-8") == "UTF-8");
  CHECK(encoding_for_label("x-unicode20utf8") == "UTF-8");
  CHECK(encoding_for_label("utf-16") == "UTF-16LE");
  CHECK(encoding_for_label("ucs-2") == "UTF-16LE");
  CHECK(encoding_for_label("unicodefffe") == "UTF-16BE");
  CHECK(encoding_for_label("iso-2022-kr") == "replacement");
  CHECK(encoding_for_label("hz-gb-2312") == "replacement");
  CHECK(encoding_for_label("x-user-defined") == "x-user-defined");
}

TEST_CASE("encoding_for_label trims ASCII white space and ignores ASCII case") {
  CHECK(encoding_for_label(" \t\nUTF-8\f\r ") == "UTF-8");
  CHECK(encoding_for_label("SHIFT_JIS") == "Shift_JIS");
  CHECK(encoding_for_label("Windows-1251") == "windows-1251");
}

TEST_CASE("encoding_for_label rejects unknown and near-miss labels") {
  for (std::string label : {"", " ", "utf-7", "latin-1", "utf 8", "utf-8;", "x-mac-roman2", "iso-8859-1x",
                            "unicode-1-1-utf-7", "ebcdic"}) {
    CAPTURE(label);
    CHECK(encoding_for_label(label).empty());
  }
  CHECK(encoding_for_label(std::string("utf-8\0", 6)).empty());
  CHECK(encoding_for_label(std::string(5000, 'a')).empty());
  CHECK(encoding_for_label("\xC2\xA0utf-8").empty());  // a no-break space is not ASCII white space
}

// --- prescan ---------------------------------------------------------------------------

TEST_CASE("prescan finds meta charset with double, single and no quotes") {
  CHECK(prescan_meta_charset(R"(<html><head><meta charset="utf-8"></head>)") == "UTF-8");
  CHECK(prescan_meta_charset("<meta charset='koi8-r'>") == "KOI8-R");
  CHECK(prescan_meta_charset("<meta charset=shift_jis>") == "Shift_JIS");
  CHECK(prescan_meta_charset("<META CHARSET=EUC-JP>") == "EUC-JP");
  CHECK(prescan_meta_charset("<meta/charset=big5>") == "Big5");
  CHECK(prescan_meta_charset("<meta\ncharset = \" windows-1251 \" />") == "windows-1251");
  CHECK(prescan_meta_charset("<meta name=x charset=gbk>") == "GBK");
}

TEST_CASE("prescan reads http-equiv Content-Type with a content charset") {
  CHECK(prescan_meta_charset(
            R"(<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">)") ==
        "windows-1251");
  CHECK(prescan_meta_charset(R"(<meta content="text/html;charset=ISO-8859-2" http-equiv="content-type">)") ==
        "ISO-8859-2");
  CHECK(prescan_meta_charset(R"(<meta http-equiv=Content-Type content='text/html; CHARSET = "gbk"'>)") ==
        "GBK");
  CHECK(prescan_meta_charset(R"(<meta http-equiv="content-type" content="charset=x;charset=big5">)") ==
        "");  // the first "charset=" decides, and "x" is no label
  CHECK(prescan_meta_charset(R"(<meta http-equiv="content-type" content="text/html; charsetx; charset=big5">)") ==
        "Big5");  // "charset" not followed by "=" is skipped
}

TEST_CASE("prescan ignores a content charset without http-equiv Content-Type") {
  CHECK(prescan_meta_charset(R"(<meta content="text/html; charset=koi8-r">)") == "");
  CHECK(prescan_meta_charset(R"(<meta http-equiv="refresh" content="0; charset=koi8-r">)") == "");
  CHECK(prescan_meta_charset(R"(<meta content="charset=koi8-r"><meta charset="gbk">)") == "GBK");
}

TEST_CASE("prescan turns a meta UTF-16 into UTF-8 and x-user-defined into windows-1252") {
  CHECK(prescan_meta_charset("<meta charset=utf-16>") == "UTF-8");
  CHECK(prescan_meta_charset("<meta charset=utf-16be>") == "UTF-8");
  CHECK(prescan_meta_charset(R"(<meta http-equiv=content-type content="text/html; charset=utf-16le">)") ==
        "UTF-8");
  CHECK(prescan_meta_charset("<meta charset=x-user-defined>") == "windows-1252");
}

TEST_CASE("prescan skips unknown labels and keeps the first of duplicate attributes") {
  CHECK(prescan_meta_charset(R"(<meta charset="bogus"><meta charset="koi8-r">)") == "KOI8-R");
  CHECK(prescan_meta_charset(R"(<meta charset="koi8-r" charset="gbk">)") == "KOI8-R");
  // A charset attribute that names nothing makes the whole <meta> name nothing.
  CHECK(prescan_meta_charset(
            R"(<meta charset="bogus" http-equiv="content-type" content="text/html; charset=gbk">)") == "");
}

TEST_CASE("prescan ignores a meta inside a comment or inside another tag's attribute") {
  CHECK(prescan_meta_charset(R"(<!-- <meta charset="koi8-r"> --><meta charset="gbk">)") == "GBK");
  CHECK(prescan_meta_charset(R"(<!-- a -- b <meta charset="koi8-r"> -->)") == "");
  CHECK(prescan_meta_charset(R"(<!--><meta charset="koi8-r">)") == "KOI8-R");  // "<!-->" is a whole comment
  CHECK(prescan_meta_charset(R"(<div title="<meta charset=koi8-r>"></div>)") == "");
  CHECK(prescan_meta_charset(R"(<!DOCTYPE html><?php x ?></p><meta charset=gbk>)") == "GBK");
  CHECK(prescan_meta_charset("<!-- unterminated <meta charset=gbk>") == "");
}

TEST_CASE("prescan looks at the first 1024 bytes only") {
  const std::string meta = R"(<meta charset="koi8-r">)";
  const std::string before(1024 - meta.size(), ' ');
  CHECK(prescan_meta_charset(before + meta) == "KOI8-R");  // ends exactly at byte 1024
  CHECK(prescan_meta_charset(before + " " + meta) == "");  // its '>' is byte 1025
  CHECK(prescan_meta_charset(std::string(1100, 'x') + meta) == "");
  CHECK(prescan_meta_charset("<html>" + std::string(2000, 'x') + meta) == "");
}

TEST_CASE("prescan ignores an unfinished meta at the end of input") {
  CHECK(prescan_meta_charset(R"(<meta charset="koi8-r")") == "");
  CHECK(prescan_meta_charset("<meta charset=koi8-r") == "");
  CHECK(prescan_meta_charset("") == "");
  CHECK(prescan_meta_charset("<meta") == "");
}

TEST_CASE("prescan falls back on an XML declaration and detects UTF-16 XML") {
  CHECK(prescan_meta_charset(R"(<?xml version="1.0" encoding="ISO-8859-2"?><html>)") == "ISO-8859-2");
  CHECK(prescan_meta_charset(R"(<?xml version="1.0" encoding='utf-16'?><html>)") == "UTF-8");
  CHECK(prescan_meta_charset(R"(<?xml version="1.0" encoding="koi8-r"?><meta charset=gbk>)") == "GBK");
  CHECK(prescan_meta_charset(R"( <?xml version="1.0" encoding="koi8-r"?>)") == "");  // not at the start
  CHECK(prescan_meta_charset(std::string("<\0?\0x\0m\0l\0", 10)) == "UTF-16LE");
  CHECK(prescan_meta_charset(std::string("\0<\0?\0x\0m\0l", 10)) == "UTF-16BE");
}

// --- decode_html: sources and their order ------------------------------------------------

TEST_CASE("UTF-8 BOM wins over the meta charset and is dropped") {
  const auto d = decode_html(read_fixture("charset/utf8-bom.html"));
  CHECK(d.encoding == "UTF-8");
  CHECK(d.source == "bom");
  CHECK(d.utf8 == read_fixture("charset/src/utf8-bom.html"));
}

TEST_CASE("UTF-16LE and UTF-16BE pages with a BOM decode exactly") {
  const std::string expected = read_fixture("charset/src/utf16.html");
  const auto le = decode_html(read_fixture("charset/utf16le-bom.html"));
  CHECK(le.encoding == "UTF-16LE");
  CHECK(le.source == "bom");
  CHECK(le.utf8 == expected);
  const auto be = decode_html(read_fixture("charset/utf16be-bom.html"), "text/html; charset=iso-8859-1");
  CHECK(be.encoding == "UTF-16BE");
  CHECK(be.source == "bom");  // a BOM beats the transport charset too
  CHECK(be.utf8 == expected);
}

TEST_CASE("transport charset beats the meta charset") {
  // The page says ISO-8859-2 (0xA3 = Ł); the server says windows-1252 (0xA3 = £).
  const std::string page = "<meta charset=iso-8859-2><p>\xA3</p>";
  CHECK(decode_html(page).utf8 == "<meta charset=iso-8859-2><p>\xC5\x81</p>");
  const auto d = decode_html(page, "windows-1252");
  CHECK(d.encoding == "windows-1252");
  CHECK(d.source == "transport");
  CHECK(d.utf8 == "<meta charset=iso-8859-2><p>\xC2\xA3</p>");
  CHECK(decode_html(page, "text/html; charset=\"latin1\"").encoding == "windows-1252");
}

TEST_CASE("an unknown transport charset is ignored") {
  const auto d = decode_html("<meta charset=koi8-r>\xC1", "text/html; charset=klingon");
  CHECK(d.encoding == "KOI8-R");
  CHECK(d.source == "meta");
  CHECK(d.utf8 == "<meta charset=koi8-r>\xD0\xB0");  // 0xC1 is а in KOI8-R
  CHECK(decode_html("abc", "text/html").source == "default");
}

TEST_CASE("transport UTF-16 and x-user-defined are used as given") {
  const auto d = decode_html(std::string("h\0i\0", 4), "utf-16");
  CHECK(d.encoding == "UTF-16LE");
  CHECK(d.utf8 == "hi");
  const auto x = decode_html("a\x80\xFF", "x-user-defined");
  CHECK(x.encoding == "x-user-defined");
  CHECK(x.utf8 == "a\xEF\x9E\x80\xEF\x9F\xBF");  // U+F780, U+F7FF
}

TEST_CASE("a replacement-encoding label decodes a page to a single U+FFFD") {
  const auto d = decode_html("<p>\x1B$)C\x0E!!</p>", "iso-2022-kr");
  CHECK(d.encoding == "replacement");
  CHECK(d.utf8 == "\xEF\xBF\xBD");
  CHECK(decode_html("", "hz-gb-2312").utf8.empty());
  CHECK(decode_html("<meta charset=iso-2022-cn>abc").utf8 == "\xEF\xBF\xBD");
}

TEST_CASE("undeclared pages: valid UTF-8 stays UTF-8, anything else is windows-1252") {
  const auto u = decode_html("<p>Gr\xC3\xB6\xC3\x9F" "e</p>");
  CHECK(u.encoding == "UTF-8");
  CHECK(u.source == "default");
  CHECK(u.utf8 == "<p>Gr\xC3\xB6\xC3\x9F" "e</p>");
  CHECK(decode_html("plain ascii").encoding == "UTF-8");
  CHECK(decode_html("").encoding == "UTF-8");

  const auto f = decode_html(read_fixture("charset/fr-windows-1252-undeclared.html"));
  CHECK(f.encoding == "windows-1252");
  CHECK(f.source == "default");
  CHECK(f.utf8 == read_fixture("charset/src/fr-windows-1252-undeclared.html"));
}

// --- decode_html: real-looking pages in each legacy encoding ------------------------------

TEST_CASE("legacy encoded pages decode to their exact UTF-8 text") {
  struct Page {
    const char* name;
    const char* encoding;
  };
  const Page pages[] = {
      {"ru-windows-1251", "windows-1251"}, {"pl-iso-8859-2", "ISO-8859-2"}, {"ja-shift_jis", "Shift_JIS"},
      {"ja-euc-jp", "EUC-JP"},             {"ja-iso-2022-jp", "ISO-2022-JP"}, {"zh-gbk", "GBK"},
      {"zh-big5", "Big5"},                 {"ko-euc-kr", "EUC-KR"},
  };
  for (const auto& page : pages) {
    CAPTURE(page.name);
    const std::string name = page.name;
    const auto d = decode_html(read_fixture("charset/" + name + ".html"));
    CHECK(d.encoding == page.encoding);
    CHECK(d.source == "meta");
    CHECK(d.utf8 == read_fixture("charset/src/" + name + ".html"));
  }
}

TEST_CASE("the windows-1251 page holds the Russian text, not mojibake") {
  const auto d = decode_html(read_fixture("charset/ru-windows-1251.html"));
  CHECK(d.utf8.find("Электрический чайник «Звезда»") != std::string::npos);
  CHECK(d.utf8.find("Съёмный фильтр") != std::string::npos);
}

// --- single mappings that differ between WHATWG and other tables ---------------------------

TEST_CASE("windows-1252 maps 0x80-0x9F to the C1 replacements browsers use") {
  CHECK(dec("\x80", "latin1") == "\xE2\x82\xAC");                 // €
  CHECK(dec("\x93\x94\x92", "iso-8859-1") == "\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\x99");  // “”’
  CHECK(dec("\x81\x8D\x8F\x90\x9D", "windows-1252") == "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
  CHECK(dec("\xFF", "us-ascii") == "\xC3\xBF");
}

TEST_CASE("single-byte encodings use the WHATWG indexes") {
  CHECK(dec("\xC1\xE1", "koi8-r") == "\xD0\xB0\xD0\x90");              // аА
  CHECK(dec("\xAE", "koi8-u") == "\xD1\x9E");                          // ў
  CHECK(dec("\x80\xA0", "cp866") == "\xD0\x90\xD0\xB0");               // Аа
  CHECK(dec("\x80\xFF", "x-mac-cyrillic") == "\xD0\x90\xE2\x82\xAC");  // А€
  CHECK(dec("\x80\xDB", "macintosh") == "\xC3\x84\xE2\x82\xAC");       // Ä€
  CHECK(dec("\xDB", "windows-874") == "\xEF\xBF\xBD");                 // unmapped
  CHECK(dec("\xCA", "windows-1255") == "\xD6\xBA");                    // U+05BA
  CHECK(dec("\xA3\xB3", "iso-8859-2") == "\xC5\x81\xC5\x82");          // Łł
  CHECK(dec("\xA4", "iso-8859-15") == "\xE2\x82\xAC");                 // €
  CHECK(dec("\xFF", "cp1251") == "\xD1\x8F");                          // я
}

TEST_CASE("Shift_JIS follows the WHATWG jis0208 index, not JIS X 0201 Roman") {
  CHECK(dec("\x5C\x7E", "sjis") == "\\~");           // ASCII, not ¥ and ‾
  CHECK(dec("\x81\x5F", "sjis") == "\xEF\xBC\xBC");  // U+FF3C FULLWIDTH REVERSE SOLIDUS
  CHECK(dec("\x80", "sjis") == "\xC2\x80");
  CHECK(dec("\xB1", "sjis") == "\xEF\xBD\xB1");      // half-width ｱ
  CHECK(dec("\xFA\x40", "sjis") == "\xE2\x85\xB0");  // ⅰ (IBM extension)
  CHECK(dec("\xF0\x40", "sjis") == "\xEE\x80\x80");  // user-defined area -> U+E000
  CHECK(dec("\x82\xA0", "sjis") == "\xE3\x81\x82");  // あ
  CHECK(dec("\xA0", "sjis") == "\xEF\xBF\xBD");
}

TEST_CASE("GBK and gb18030 decode one-, two- and four-byte sequences") {
  CHECK(dec("\x80", "gbk") == "\xE2\x82\xAC");                     // €
  CHECK(dec("\xA1\xA4", "gb2312") == "\xC2\xB7");                  // U+00B7, not U+30FB
  CHECK(dec("\xD6\xD0\xCE\xC4", "gbk") == "\xE4\xB8\xAD\xE6\x96\x87");  // 中文
  CHECK(dec("\xA6\xD9", "gb18030") == "\xEF\xB8\x90");             // U+FE10 (GB18030-2022)
  CHECK(dec("\xFF", "gbk") == "\xEF\xBF\xBD");
  CHECK(dec("\x81\x30\x81\x30", "gb18030") == "\xC2\x80");         // U+0080
  CHECK(dec("\x81\x35\x84\x37", "gb18030") == "\xE1\xA7\x9F");     // U+19DF
  CHECK(dec("\x81\x35\xF4\x37", "gb18030") == "\xEE\x9F\x87");     // pointer 7457 -> U+E7C7
  CHECK(dec("\x84\x31\xA4\x39", "gb18030") == "\xEF\xBF\xBF");     // U+FFFF
  CHECK(dec("\x90\x30\x81\x30", "gb18030") == "\xF0\x90\x80\x80"); // U+10000
  CHECK(dec("\xE3\x32\x9A\x35", "gb18030") == "\xF4\x8F\xBF\xBF"); // U+10FFFF
  CHECK(dec("\xE3\x32\x9A\x36", "gb18030") == "\xEF\xBF\xBD");     // beyond U+10FFFF
  CHECK(dec("\x84\x31\xA5\x30", "gb18030") == "\xEF\xBF\xBD");     // between the BMP and plane 1
}

TEST_CASE("Big5 decodes HKSCS rows, plane-2 characters and two-code-point pointers") {
  CHECK(dec("\xA4\xA4", "big5") == "\xE4\xB8\xAD");                 // 中
  CHECK(dec("\xA3\xE1", "big5") == "\xE2\x82\xAC");                 // €
  CHECK(dec("\x87\x45", "big5") == "\xF0\xA7\x89\xA7");             // U+27267 (plane 2)
  CHECK(dec("\x88\x62\x88\x64", "big5") == "\xC3\x8A\xCC\x84\xC3\x8A\xCC\x8C");  // Ê̄ Ê̌
  CHECK(dec("\xC6\xA1", "big5") == "\xE2\x91\xA0");                 // ①
  CHECK(dec("\x80", "big5") == "\xEF\xBF\xBD");
}

TEST_CASE("EUC-KR decodes the UHC extension like windows-949") {
  CHECK(dec("\xB0\xA1", "euc-kr") == "\xEA\xB0\x80");  // 가
  CHECK(dec("\x81\x41", "euc-kr") == "\xEA\xB0\x82");  // 갂 (UHC only)
  CHECK(dec("\xC9\xA1", "euc-kr") == "\xEF\xBF\xBD");  // user-defined row: no mapping
}

TEST_CASE("EUC-JP decodes JIS X 0208, half-width katakana and JIS X 0212") {
  CHECK(dec("\xA4\xA2", "euc-jp") == "\xE3\x81\x82");      // あ
  CHECK(dec("\x8E\xB1", "euc-jp") == "\xEF\xBD\xB1");      // ｱ
  CHECK(dec("\x8F\xB0\xA1", "euc-jp") == "\xE4\xB8\x82");  // 丂 (JIS X 0212)
  CHECK(dec("\x8F\xA2\xB7", "euc-jp") == "\xEF\xBD\x9E");  // ～ (JIS X 0212)
}

TEST_CASE("ISO-2022-JP switches between ASCII, Roman, katakana and JIS X 0208") {
  CHECK(dec("\x1B$B0!\x1B(BA", "iso-2022-jp") == "\xE4\xBA\x9C" "A");  // 亜A
  CHECK(dec("\x1B(J\x5C\x7E", "iso-2022-jp") == "\xC2\xA5\xE2\x80\xBE");  // ¥‾
  CHECK(dec("\x1B(I1", "iso-2022-jp") == "\xEF\xBD\xB1");              // ｱ
  CHECK(dec("\x1B(B\x1B(BA", "iso-2022-jp") == "\xEF\xBF\xBD" "A");    // two escapes in a row
  CHECK(dec("\x1B(CA", "iso-2022-jp") == "\xEF\xBF\xBD(CA");           // unknown escape
  CHECK(dec("a\x0E" "b", "iso-2022-jp") == "a\xEF\xBF\xBD" "b");       // SO is not allowed
  CHECK(dec("\xA4\xA2", "iso-2022-jp") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // 8-bit bytes
}

// --- malformed input -----------------------------------------------------------------------

TEST_CASE("UTF-8 decoding replaces each maximal invalid subpart with one U+FFFD") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(dec("a\xE2\x82", "utf-8") == "a" + r);            // truncated at the end: one
  CHECK(dec("\xF0\x9F\x98", "utf-8") == r);
  CHECK(dec("\xF0\x9F\x98\x80", "utf-8") == "\xF0\x9F\x98\x80");
  CHECK(dec("\xED\xA0\x80", "utf-8") == r + r + r);       // surrogate: each byte
  CHECK(dec("\xC0\xAF", "utf-8") == r + r);               // overlong
  CHECK(dec("\xF4\x90\x80\x80", "utf-8") == r + r + r + r);  // above U+10FFFF
  CHECK(dec("\xE2\x82" "A", "utf-8") == r + "A");         // the bad byte is decoded afresh
  CHECK(dec("\xEF\xBB\xBF" "a", "utf-8") == "a");         // a leading BOM is dropped
  CHECK(dec("a\xEF\xBB\xBF", "utf-8") == "a\xEF\xBB\xBF");  // ... but only a leading one
  CHECK(dec("\xEF\xBB\xBF" "a", "windows-1252") == "\xC3\xAF\xC2\xBB\xC2\xBF" "a");
}

TEST_CASE("UTF-16 decoding handles odd lengths and unpaired surrogates") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(dec(std::string("A\0B", 3), "utf-16le") == "A" + r);
  CHECK(dec(std::string("\0\xD8" "A\0", 4), "utf-16le") == r + "A");
  CHECK(dec(std::string("\xDC\0", 2), "utf-16be") == r);
  CHECK(dec(std::string("\xD8\x3D\xDE\x00", 4), "utf-16be") == "\xF0\x9F\x98\x80");
  CHECK(dec(std::string("\x3D\xD8", 2), "utf-16le") == r);  // lead surrogate at the end
}

TEST_CASE("truncated multi-byte sequences at the end of input give one U+FFFD") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(dec("abc\x82", "shift_jis") == "abc" + r);
  CHECK(dec("abc\xA4", "euc-jp") == "abc" + r);
  CHECK(dec("abc\x8F\xB0", "euc-jp") == "abc" + r);
  CHECK(dec("abc\xD6", "gbk") == "abc" + r);
  CHECK(dec("abc\x81\x30", "gb18030") == "abc" + r);
  CHECK(dec("abc\x81\x30\x81", "gb18030") == "abc" + r);
  CHECK(dec("abc\xA4", "big5") == "abc" + r);
  CHECK(dec("abc\xB0", "euc-kr") == "abc" + r);
  CHECK(dec("\x1B$B0", "iso-2022-jp") == r);
  CHECK(dec("a\x1B", "iso-2022-jp") == "a" + r);
  CHECK(dec("a\x1B$", "iso-2022-jp") == "a" + r + "$");
}

TEST_CASE("an invalid trail byte never hides an ASCII delimiter") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(dec("\x82\x22", "shift_jis") == r + "\"");
  CHECK(dec("\xA4\x3C", "big5") == r + "<");
  CHECK(dec("\xB0\x22", "euc-kr") == r + "\"");
  CHECK(dec("\xD6\x22", "gbk") == r + "\"");
  CHECK(dec("\x81\x30\x22", "gb18030") == r + "0\"");
  CHECK(dec("\xA4\x22", "euc-jp") == r + "\"");
}

TEST_CASE("decode_with_label reports an unknown label as an error value") {
  const auto r = decode_with_label("abc", "utf-7");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "unknown_encoding");
}

// --- robustness ----------------------------------------------------------------------------

TEST_CASE("every encoding turns 1 MB of garbage into well-formed UTF-8") {
  const std::string bytes = garbage(1 << 20, 42);
  for (const char* name : kAllEncodings) {
    CAPTURE(name);
    const std::string out = dec(bytes, name);
    CHECK(dealstack::utf8::is_valid(out));
    CHECK(out.size() <= 3 * bytes.size() + 3);
    if (std::string_view(name) != "replacement") CHECK(out.size() >= bytes.size() / 4);
  }
  const auto d = decode_html(bytes);
  CHECK(d.encoding == "windows-1252");
  CHECK(dealstack::utf8::is_valid(d.utf8));
}

TEST_CASE("every encoding decodes every one- and two-byte input to well-formed UTF-8") {
  for (const char* name : kAllEncodings) {
    CAPTURE(name);
    bool all_valid = true;
    std::string in(2, '\0');
    for (int a = 0; a < 256; ++a) {
      all_valid = all_valid && dealstack::utf8::is_valid(dec(std::string(1, static_cast<char>(a)), name));
      for (int b = 0; b < 256; ++b) {
        in[0] = static_cast<char>(a);
        in[1] = static_cast<char>(b);
        all_valid = all_valid && dealstack::utf8::is_valid(dec(in, name));
      }
    }
    CHECK(all_valid);
  }
}

TEST_CASE("escape-heavy ISO-2022-JP garbage decodes in bounded output") {
  // ESC, '$', '(' and the final bytes repeated: the escape handling backs up one byte at
  // most, so this must finish and produce at most one replacement per input byte.
  std::string bytes;
  const std::string unit = "\x1B$\x1B(\x1B$B\x1B(J\x1B";
  while (bytes.size() < (1 << 20)) bytes += unit;
  const std::string out = dec(bytes, "iso-2022-jp");
  CHECK(dealstack::utf8::is_valid(out));
  CHECK(out.size() <= 3 * bytes.size() + 3);
}

TEST_SUITE_END();
