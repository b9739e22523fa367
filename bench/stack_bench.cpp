// stack_bench: how long the deal stacker takes on realistic requests (bench/stack_requests.cpp
// generates them: seeded, the same bytes natively and in wasm), for carts of 1, 5 and 20
// lines with 10, 30 and 60 offers, beside the exhaustive reference (shared/stacking/
// exhaustive.hpp) on the same requests where that still finishes.
//
// Per request, each measurement is repeated --reps times and its median kept (so a stray
// scheduler hiccup on the shared cores doesn't become a request's time); p50/p99 are then
// taken across the requests (nearest rank). Measured:
//   full     stacking::stack_deals_json(text): parse, search, evaluation, warnings,
//            alternatives, hints and the result document, as `dealstack stack` and the wasm
//            module call it
//   search   stacking::search(prepared) alone (the Prepared built beforehand), the engine
//            the exhaustive reference is compared with
//   checksum FNV-1a of the cell's request bytes: equal natively and in wasm
//   phases   means of parse_request, Prepared, search, stack_deals without alternatives and
//            hints ("core"), what alternatives and hints add to core, and result_json
//   exhaustive  exhaustive(prepared, {}, --exhaustive-stacks) on the cell's requests in order
//            until --exhaustive-ms of it is spent; "too_large" when a request has more than
//            2^--exhaustive-subsets discount subsets to walk or more stacks than the budget.
//            Its best net, steps and codes are checked against search()'s.
// Options: --requests N (200) --reps N (3) --seed N (1) --cells 1x10,5x30,... (all nine)
//          --exhaustive-ms N (3000) --exhaustive-stacks N (2000000) --exhaustive-subsets N (20)
//          --phases 0 (skip the phase timings: for profiling the full call with perf)
//          --worst N (3: how many of the slowest requests each cell describes)
// Output (stdout): one JSON object {"platform", "requests", "reps", "cells": [...]}; times in
// microseconds. bench/run.mjs runs it natively and as wasm and prints the table.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stack_requests.hpp"
#include "stacking/exhaustive.hpp"
#include "stacking/prepared.hpp"
#include "stacking/request_json.hpp"
#include "stacking/search.hpp"
#include "stacking/stacker.hpp"

namespace {

namespace st = dealstack::stacking;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

volatile std::size_t g_sink = 0;  // keeps results observable to the optimizer

double us_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

template <typename F>
double time_us(F&& f) {
  const auto start = Clock::now();
  f();
  return us_since(start);
}

// Median of `reps` timings of f.
template <typename F>
double median_us(int reps, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) t.push_back(time_us(f));
  std::sort(t.begin(), t.end());
  const std::size_t n = t.size();
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

// Nearest-rank percentile (q in (0, 1]) of unsorted values.
double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t rank = static_cast<std::size_t>(q * static_cast<double>(v.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, v.size());
  return v[rank - 1];
}

// FNV-1a over the generated requests: the native and wasm runs must report the same value
// (they time the very same bytes).
std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
  for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
  return h;
}

double mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

struct Options {
  int requests = 200;
  int reps = 3;
  std::uint64_t seed = 1;
  std::vector<std::pair<int, int>> cells;
  double exhaustive_ms = 3000;
  std::size_t exhaustive_stacks = 2'000'000;
  int exhaustive_subsets = 20;
  bool phases = true;
  int worst = 3;
};

bool parse_cells(const std::string& text, std::vector<std::pair<int, int>>& cells) {
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto x = item.find('x');
    if (x == std::string::npos) return false;
    const int lines = std::atoi(item.substr(0, x).c_str());
    const int offers = std::atoi(item.substr(x + 1).c_str());
    if (lines < 1 || offers < 4) return false;
    cells.emplace_back(lines, offers);
  }
  return !cells.empty();
}

// One request's measurements.
struct Sample {
  std::uint64_t seed = 0;
  dealstack::bench::RequestShape shape;
  bool ok = true;
  std::string error;
  double full = 0, search = 0;
  double parse = 0, prepare = 0, core = 0, alternatives = 0, hints = 0, result_json = 0;
  std::size_t nodes = 0;
  std::size_t alternative_searches = 0;
  std::size_t alternative_nodes = 0;
  st::Found found;
};

json run_cell(const Options& opt, int lines, int offers) {
  std::vector<dealstack::bench::GeneratedRequest> generated;
  std::vector<st::Request> requests;
  std::vector<Sample> samples;
  std::uint64_t checksum = 0xCBF29CE484222325ull;
  for (int i = 0; i < opt.requests; ++i) {
    const std::uint64_t seed = opt.seed + static_cast<std::uint64_t>(i);
    generated.push_back(dealstack::bench::make_stack_request({lines, offers, seed}));
    checksum = fnv1a(checksum, generated.back().json);
    auto parsed = st::parse_request(generated.back().json);
    Sample s;
    s.seed = seed;
    s.shape = generated.back().shape;
    if (!parsed) {  // a generator bug: reported, never timed
      s.ok = false;
      s.error = parsed.error().code + ": " + parsed.error().message;
      requests.emplace_back();
    } else {
      requests.push_back(std::move(*parsed));
    }
    samples.push_back(std::move(s));
  }
  // Warm-up: allocator, caches, lazy tables.
  for (std::size_t i = 0; i < std::min<std::size_t>(10, generated.size()); ++i) {
    auto r = st::stack_deals_json(generated[i].json);
    g_sink = g_sink + (r ? r->size() : 0);
  }

  for (std::size_t i = 0; i < samples.size(); ++i) {
    Sample& s = samples[i];
    if (!s.ok) continue;
    const std::string& text = generated[i].json;
    const st::Request& req = requests[i];
    s.full = median_us(opt.reps, [&] {
      auto r = st::stack_deals_json(text);
      if (!r) {
        s.ok = false;
        s.error = r.error().code + ": " + r.error().message;
      } else {
        g_sink = g_sink + r->size();
      }
    });
    if (!s.ok) continue;
    const st::Prepared prepared(req);
    s.search = median_us(opt.reps, [&] {
      auto f = st::search(prepared);
      if (f) s.found = *f;
    });
    s.nodes = s.found.nodes;
    if (!opt.phases) continue;

    // Phases.
    s.parse = median_us(opt.reps, [&] {
      auto r = st::parse_request(text);
      g_sink = g_sink + (r ? r->discounts.size() : 0);
    });
    s.prepare = median_us(opt.reps, [&] {
      const st::Prepared p(req);
      g_sink = g_sink + p.discounts.size();
    });
    st::Request bare = req;
    bare.preferences.alternatives = false;
    bare.preferences.hints = false;
    s.core = median_us(opt.reps, [&] {
      auto r = st::stack_deals(bare);
      g_sink = g_sink + (r ? r->warnings.size() : 0);
    });
    st::Request with_alternatives = bare;
    with_alternatives.preferences.alternatives = true;
    s.alternatives = median_us(opt.reps,
                               [&] {
                                 auto r = st::stack_deals(with_alternatives);
                                 if (r) {
                                   s.alternative_searches = r->alternatives.size();
                                   s.alternative_nodes = 0;
                                   for (const auto& a : r->alternatives)
                                     s.alternative_nodes += a.found.nodes;
                                 }
                               }) -
                     s.core;
    st::Request with_hints = bare;
    with_hints.preferences.hints = true;
    s.hints = median_us(opt.reps,
                        [&] {
                          auto r = st::stack_deals(with_hints);
                          g_sink = g_sink + (r ? r->hints.size() : 0);
                        }) -
              s.core;
    auto result = st::stack_deals(prepared);
    if (result) {
      s.result_json = median_us(opt.reps, [&] {
        const std::string doc = st::result_json(prepared, *result);
        g_sink = g_sink + doc.size();
      });
    }
  }

  json cell;
  cell["lines"] = lines;
  cell["offers"] = offers;
  std::vector<double> full, search, nodes;
  std::vector<const Sample*> ok;
  json errors = json::array();
  for (const Sample& s : samples) {
    if (!s.ok) {
      if (errors.size() < 5) errors.push_back({{"seed", s.seed}, {"error", s.error}});
      continue;
    }
    ok.push_back(&s);
    full.push_back(s.full);
    search.push_back(s.search);
    nodes.push_back(static_cast<double>(s.nodes));
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(checksum));
  cell["checksum"] = hex;
  cell["bytes_mean"] = [&] {
    double b = 0;
    for (const auto& g : generated) b += static_cast<double>(g.json.size());
    return b / static_cast<double>(generated.size());
  }();
  cell["requests"] = ok.size();
  cell["failed"] = samples.size() - ok.size();
  cell["errors"] = errors;
  cell["full"] = {{"p50", percentile(full, 0.5)},
                  {"p99", percentile(full, 0.99)},
                  {"max", percentile(full, 1.0)},
                  {"mean", mean(full)}};
  cell["search"] = {{"p50", percentile(search, 0.5)},
                    {"p99", percentile(search, 0.99)},
                    {"max", percentile(search, 1.0)},
                    {"mean", mean(search)}};
  cell["nodes"] = {{"mean", mean(nodes)}, {"max", percentile(nodes, 1.0)}};

  // Phase means over all requests and over the tail (requests at or above the p99 time).
  const double p99 = percentile(full, 0.99);
  const auto phases = [&](bool tail_only) {
    std::vector<double> parse, prepare, srch, core, alt, hints, out, full_t, alt_n, alt_nodes;
    for (const Sample* s : ok) {
      if (tail_only && s->full < p99) continue;
      parse.push_back(s->parse);
      prepare.push_back(s->prepare);
      srch.push_back(s->search);
      core.push_back(s->core);
      alt.push_back(s->alternatives);
      hints.push_back(s->hints);
      out.push_back(s->result_json);
      full_t.push_back(s->full);
      alt_n.push_back(static_cast<double>(s->alternative_searches));
      alt_nodes.push_back(static_cast<double>(s->alternative_nodes));
    }
    return json{{"requests", full_t.size()},
                {"full", mean(full_t)},
                {"parse", mean(parse)},
                {"prepare", mean(prepare)},
                {"search", mean(srch)},
                {"core", mean(core)},
                {"alternatives", mean(alt)},
                {"hints", mean(hints)},
                {"result_json", mean(out)},
                {"alternative_searches", mean(alt_n)},
                {"alternative_nodes", mean(alt_nodes)}};
  };
  cell["phases"] = phases(false);
  cell["tail_phases"] = phases(true);

  // The slowest requests and what they look like.
  std::vector<const Sample*> slow = ok;
  std::sort(slow.begin(), slow.end(),
            [](const Sample* a, const Sample* b) { return a->full > b->full; });
  json worst = json::array();
  for (std::size_t k = 0; k < std::min<std::size_t>(static_cast<std::size_t>(opt.worst), slow.size()); ++k) {
    const Sample& s = *slow[k];
    worst.push_back({{"seed", s.seed},
                     {"full", s.full},
                     {"search", s.search},
                     {"nodes", s.nodes},
                     {"core", s.core},
                     {"alternatives", s.alternatives},
                     {"hints", s.hints},
                     {"alternative_searches", s.alternative_searches},
                     {"platform", s.shape.platform},
                     {"max_codes", s.shape.max_codes},
                     {"codes", s.shape.codes},
                     {"promotions", s.shape.promotions},
                     {"portals", s.shape.portals},
                     {"card_offers", s.shape.card_offers},
                     {"gift_cards", s.shape.gift_cards},
                     {"shipping_options", s.shape.shipping_options}});
  }
  cell["worst"] = worst;

  // The exhaustive reference on the same requests, in order, within the budget.
  json ex;
  std::vector<double> ex_times, engine_times;
  std::size_t attempted = 0, mismatches = 0;
  std::string status = "ok", reason;
  const auto start = Clock::now();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!samples[i].ok) continue;
    if (std::chrono::duration<double, std::milli>(Clock::now() - start).count() >=
        opt.exhaustive_ms)
      break;
    ++attempted;
    const st::Prepared prepared(requests[i]);
    int pool = 0;
    for (const auto& pd : prepared.discounts) pool += pd.qualifies ? 1 : 0;
    if (pool > opt.exhaustive_subsets) {
      status = "too_large";
      reason = std::to_string(pool) + " applicable discounts: 2^" + std::to_string(pool) +
               " subsets (seed " + std::to_string(samples[i].seed) + ")";
      break;
    }
    dealstack::Result<st::Found> found = dealstack::make_error("not_run", "");
    const double t = time_us([&] { found = st::exhaustive(prepared, {}, opt.exhaustive_stacks); });
    if (!found) {
      status = "too_large";
      reason = found.error().message + " (seed " + std::to_string(samples[i].seed) + ")";
      break;
    }
    const st::Found& f = samples[i].found;
    if (found->net != f.net || found->steps != f.steps || found->codes != f.codes) ++mismatches;
    ex_times.push_back(t);
    engine_times.push_back(samples[i].search);
  }
  ex["status"] = status;
  ex["reason"] = reason;
  ex["attempted"] = attempted;
  ex["requests"] = ex_times.size();
  ex["mismatches"] = mismatches;
  if (status == "ok" && !ex_times.empty()) {
    ex["p50"] = percentile(ex_times, 0.5);
    ex["p99"] = percentile(ex_times, 0.99);
    // Over the same requests: total exhaustive time / total search() time.
    ex["ratio"] = std::accumulate(ex_times.begin(), ex_times.end(), 0.0) /
                  std::max(1e-9, std::accumulate(engine_times.begin(), engine_times.end(), 0.0));
  }
  cell["exhaustive"] = ex;
  return cell;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "stack_bench: " << arg << " needs a value\n";
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--requests")
      opt.requests = std::max(1, std::atoi(value.c_str()));
    else if (arg == "--reps")
      opt.reps = std::max(1, std::atoi(value.c_str()));
    else if (arg == "--seed")
      opt.seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (arg == "--exhaustive-ms")
      opt.exhaustive_ms = std::atof(value.c_str());
    else if (arg == "--exhaustive-stacks")
      opt.exhaustive_stacks = std::strtoull(value.c_str(), nullptr, 10);
    else if (arg == "--exhaustive-subsets")
      opt.exhaustive_subsets = std::clamp(std::atoi(value.c_str()), 0, 24);
    else if (arg == "--phases")
      opt.phases = value != "0";
    else if (arg == "--worst")
      opt.worst = std::max(0, std::atoi(value.c_str()));
    else if (arg == "--cells") {
      if (!parse_cells(value, opt.cells)) {
        std::cerr << "stack_bench: --cells wants LINESxOFFERS,... (offers >= 4)\n";
        return 2;
      }
    } else {
      std::cerr << "stack_bench: unknown option " << arg << "\n";
      return 2;
    }
  }
  if (opt.cells.empty())
    for (int lines : {1, 5, 20})
      for (int offers : {10, 30, 60}) opt.cells.emplace_back(lines, offers);

  json report;
#ifdef __EMSCRIPTEN__
  report["platform"] = "wasm";
#else
  report["platform"] = "native";
#endif
  report["requests"] = opt.requests;
  report["reps"] = opt.reps;
  report["cells"] = json::array();
  // Warm-up before anything is timed: under node, wasm functions start in the baseline
  // compiler and are tiered up once hot; natively, this settles the allocator and caches.
  {
    const auto start = Clock::now();
    for (std::uint64_t i = 0; us_since(start) < 300'000; ++i) {
      const auto g = dealstack::bench::make_stack_request({5, 30, 1'000'000 + i % 50});
      auto r = st::stack_deals_json(g.json);
      g_sink = g_sink + (r ? r->size() : 0);
    }
  }
  for (const auto& [lines, offers] : opt.cells)
    report["cells"].push_back(run_cell(opt, lines, offers));
  std::cout << report.dump() << "\n";
  return 0;
}
