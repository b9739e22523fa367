// extract_bench: how long dealstack::extract_product takes on a page, next to a bare gumbo
// parse (gumbo_parse_with_options + gumbo_destroy_output, default options) of the same bytes
// in the same process, so the ratio means the same thing natively and as wasm.
//
// Input (stdin), any number of pages, each:  <name> TAB <byte count> LF <bytes>
// (bench/run.mjs writes it: that way gzip'd pages are unpacked in memory, and the wasm build
// needs no file-system access beyond stdin.)
// Options: --min-ms N   time each page for at least N ms per measurement (default 300)
//          --min-iterations N   and at least N iterations (default 5)
//          --url URL    the page URL handed to extract_product (default https://shop.example/)
// Output (stdout): one JSON object,
//   {"platform": "native"|"wasm", "pages": [{"name", "bytes", "iterations",
//    "gumbo_ms", "extract_ms", "ok", "error"}]}
// where *_ms are the median milliseconds per call. Exit 2 on malformed input.
#include <gumbo.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "extract/product.hpp"

namespace {

struct Page {
  std::string name;
  std::string bytes;
};

using Clock = std::chrono::steady_clock;

std::string read_all_stdin() {
  std::string all;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) all.append(buf, n);
  return all;
}

bool parse_pages(std::string_view in, std::vector<Page>& pages) {
  while (!in.empty()) {
    const auto nl = in.find('\n');
    if (nl == std::string_view::npos) return false;
    const std::string_view header = in.substr(0, nl);
    const auto tab = header.find('\t');
    if (tab == std::string_view::npos) return false;
    char* end = nullptr;
    const std::string count(header.substr(tab + 1));
    const unsigned long long size = std::strtoull(count.c_str(), &end, 10);
    if (end == count.c_str() || *end != '\0') return false;
    in.remove_prefix(nl + 1);
    if (size > in.size()) return false;
    pages.push_back({std::string(header.substr(0, tab)), std::string(in.substr(0, size))});
    in.remove_prefix(size);
  }
  return true;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Keeps the optimizer from dropping work whose result is otherwise unused.
volatile std::size_t g_sink = 0;

double time_gumbo(const std::string& bytes) {
  const auto start = Clock::now();
  GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, bytes.data(), bytes.size());
  g_sink = g_sink + out->document->v.document.children.length;
  gumbo_destroy_output(&kGumboDefaultOptions, out);
  return ms_since(start);
}

double time_extract(const std::string& bytes, const dealstack::ExtractOptions& options,
                    nlohmann::json& row) {
  const auto start = Clock::now();
  const auto result = dealstack::extract_product(bytes, options);
  const double ms = ms_since(start);
  if (result) {
    g_sink = g_sink + result->name.size();
    row["ok"] = true;
    row["error"] = nullptr;
  } else {
    row["ok"] = false;
    row["error"] = result.error().code;
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  double min_ms = 300;
  long min_iterations = 5;
  std::string url = "https://shop.example/";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "extract_bench: " << arg << " needs a value\n";
      return 2;
    }
    if (arg == "--min-ms") min_ms = std::atof(argv[++i]);
    else if (arg == "--min-iterations") min_iterations = std::max(1L, std::atol(argv[++i]));
    else if (arg == "--url") url = argv[++i];
    else {
      std::cerr << "extract_bench: unknown option " << arg << "\n";
      return 2;
    }
  }

  std::vector<Page> pages;
  if (!parse_pages(read_all_stdin(), pages)) {
    std::cerr << "extract_bench: malformed input (expected: name TAB size LF bytes ...)\n";
    return 2;
  }

  dealstack::ExtractOptions options;
  options.url = url;
  nlohmann::json report;
#ifdef __EMSCRIPTEN__
  report["platform"] = "wasm";
#else
  report["platform"] = "native";
#endif
  report["pages"] = nlohmann::json::array();
  for (const Page& page : pages) {
    nlohmann::json row;
    row["name"] = page.name;
    row["bytes"] = page.bytes.size();
    // Warm-up (caches, allocator, lazy tables), then alternate the two measurements so that
    // drift (other processes on the shared cores, CPU frequency) hits both alike.
    time_gumbo(page.bytes);
    time_extract(page.bytes, options, row);
    std::vector<double> gumbo, extract;
    double total = 0;
    while (static_cast<long>(gumbo.size()) < min_iterations || total < min_ms) {
      gumbo.push_back(time_gumbo(page.bytes));
      extract.push_back(time_extract(page.bytes, options, row));
      total += gumbo.back() + extract.back();
    }
    row["iterations"] = gumbo.size();
    row["gumbo_ms"] = median(gumbo);
    row["extract_ms"] = median(extract);
    report["pages"].push_back(row);
  }
  std::cout << report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return 0;
}
