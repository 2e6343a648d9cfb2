// Prefilter throughput: runs the built-in rules' vectorscan database of one
// log type over a file and prints GB/s and the number of hits (checksum),
// then the cost of each regex pattern alone, to find expensive patterns.
//
//   prefilter_perftest FILE [iis|httpproxy|...]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rule/prefilter.h"
#include "rule/rule_set.h"
#include "source/file_system.h"

using namespace exhunt;

namespace {

int Count(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<uint64_t*>(ctx);
  return 0;
}

// A literal as a vectorscan expression of \xNN escapes.
std::string Escaped(const std::string& text) {
  std::string p;
  for (unsigned char c : text) {
    char buf[5];
    snprintf(buf, sizeof buf, "\\x%02x", c);
    p += buf;
  }
  return p;
}

double Run(const hs_database_t* db, std::string_view bytes, uint64_t* hits) {
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  auto t0 = std::chrono::steady_clock::now();
  *hits = 0;
  const size_t chunk = size_t(16) << 20;
  for (size_t off = 0; off < bytes.size(); off += chunk) {
    size_t n = std::min(chunk, bytes.size() - off);
    hs_scan(db, bytes.data() + off, unsigned(n), 0, scratch, Count, hits);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  hs_free_scratch(scratch);
  return secs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE [LOGTYPE]\n", argv[0]);
    return 2;
  }
  LogType type = argc > 2 ? LogTypeFromName(argv[2]) : LogType::kIisW3c;
  auto fs = NewPosixFileSystem();
  auto file = fs->Open(argv[1]);
  if (!file.ok()) {
    fprintf(stderr, "%s\n", file.status().message().c_str());
    return 2;
  }
  std::string_view bytes = file.value()->bytes();
  // Touch the file once so that every measurement reads from memory.
  uint64_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 4096) sum += uint8_t(bytes[i]);
  RuleSet rules;
  rules.AddBuiltin();
  auto pf = Prefilter::Build(rules.Covers(type), type);
  if (!pf.ok()) return 2;
  uint64_t hits = 0;
  double secs = Run(pf.value()->database(), bytes, &hits);
  printf("%s (baseline CPU features, as scanned): %zu patterns, %.3f s, %.2f GB/s, %llu hits (checksum %llu)\n", std::string(LogTypeName(type)).c_str(),
         pf.value()->literal_count(), secs, double(bytes.size()) / secs / 1e9, (unsigned long long)hits,
         (unsigned long long)sum);
  // The same patterns compiled other ways: split into literals only,
  // regexes only, literals via the literal API, and all of them for this
  // CPU's own instruction set (the scanner uses the baseline one).
  enum Mode { kLiteralsAsRegex, kRegexes, kLiteralApi, kNative };
  for (Mode mode : {kLiteralsAsRegex, kRegexes, kLiteralApi, kNative}) {
    std::vector<std::string> pats;
    std::vector<unsigned> fl, ids;
    std::vector<size_t> lens;
    for (const auto& lit : pf.value()->literals()) {
      if (mode != kNative && (mode == kRegexes) != lit.regex) continue;
      if (mode != kNative && getenv("MINLEN") && !lit.regex && lit.text.size() < size_t(atoi(getenv("MINLEN"))))
        continue;
      pats.push_back(lit.regex || mode == kLiteralApi ? lit.text : Escaped(lit.text));
      lens.push_back(pats.back().size());
      fl.push_back((lit.cased || (mode != kNative && getenv("CASED")) ? 0 : HS_FLAG_CASELESS) |
                   (mode == kLiteralApi ? 0 : HS_FLAG_MULTILINE));
      ids.push_back(unsigned(ids.size()));
    }
    std::vector<const char*> ex;
    for (auto& p : pats) ex.push_back(p.c_str());
    hs_platform_info_t platform = PrefilterPlatform(mode == kNative);
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    hs_error_t rc = mode == kLiteralApi ? hs_compile_lit_multi(ex.data(), fl.data(), ids.data(), lens.data(),
                                                               unsigned(ex.size()), HS_MODE_BLOCK, &platform, &db, &err)
                                        : hs_compile_multi(ex.data(), fl.data(), ids.data(), unsigned(ex.size()),
                                                           HS_MODE_BLOCK, &platform, &db, &err);
    if (rc != HS_SUCCESS) {
      printf("mode %d: compile failed\n", int(mode));
      hs_free_compile_error(err);
      continue;
    }
    double s2 = Run(db, bytes, &hits);
    static const char* const kNames[] = {"literals as regex", "regexes", "literal API", "native CPU features"};
    printf("%s: %zu patterns, %.2f GB/s, %llu hits\n", kNames[mode], pats.size(), double(bytes.size()) / s2 / 1e9,
           (unsigned long long)hits);
    hs_free_database(db);
  }
  for (const auto& lit : pf.value()->literals()) {
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    std::string pattern = lit.regex ? lit.text : Escaped(lit.text);
    unsigned flags = (lit.cased ? 0 : HS_FLAG_CASELESS) | HS_FLAG_MULTILINE;
    hs_platform_info_t platform = PrefilterPlatform();
    if (hs_compile(pattern.c_str(), flags, HS_MODE_BLOCK, &platform, &db, &err) != HS_SUCCESS) {
      hs_free_compile_error(err);
      continue;
    }
    double s = Run(db, bytes, &hits);
    printf("  %8.2f GB/s %10llu hits  %s%s\n", double(bytes.size()) / s / 1e9, (unsigned long long)hits,
           lit.regex ? "re " : "", lit.text.c_str());
    hs_free_database(db);
  }
  return 0;
}
