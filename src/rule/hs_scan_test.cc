#include "rule/hs_scan.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rule/prefilter.h"

namespace exhunt {
namespace {

using Match = std::pair<unsigned, unsigned long long>;  // id, end

// A database of `patterns` (literals, or regexes with `regex`) with `flags`.
HsDatabase Compile(const std::vector<std::string>& patterns, unsigned flags, bool regex) {
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> fl, ids;
  for (unsigned i = 0; i < patterns.size(); ++i) {
    exprs.push_back(patterns[i].c_str());
    lens.push_back(patterns[i].size());
    fl.push_back(flags);
    ids.push_back(i);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  hs_error_t rc =
      regex ? hs_compile_multi(exprs.data(), fl.data(), ids.data(), unsigned(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                               &err)
            : hs_compile_lit_multi(exprs.data(), fl.data(), ids.data(), lens.data(), unsigned(exprs.size()),
                                   HS_MODE_BLOCK, nullptr, &db, &err);
  EXPECT_EQ(rc, HS_SUCCESS) << (err && err->message ? err->message : "");
  if (err) hs_free_compile_error(err);
  return HsDatabase(db);
}

int Collect(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  static_cast<std::vector<Match>*>(ctx)->emplace_back(id, to);
  return 0;
}

// `text` placed at every alignment of a 64-byte line: the matches each
// way of scanning reports there.
struct Aligned {
  const hs_database_t* db;
  hs_scratch_t* scratch;
  std::vector<std::vector<Match>> Scan(const std::string& text, size_t context, bool whole) {
    std::vector<std::vector<Match>> out;
    std::string copy;
    for (size_t offset = 0; offset < 64; ++offset) {
      const size_t size = (64 + text.size() + 63) / 64 * 64;  // a multiple of the alignment
      std::unique_ptr<char, decltype(&std::free)> buf(static_cast<char*>(std::aligned_alloc(64, size)), &std::free);
      std::memcpy(buf.get() + offset, text.data(), text.size());
      std::vector<Match> m;
      if (whole)
        EXPECT_EQ(ScanBlock(db, std::string_view(buf.get() + offset, text.size()), context, scratch, Collect, &m, &copy),
                  HS_SUCCESS);
      else
        hs_scan(db, buf.get() + offset, unsigned(text.size()), 0, scratch, Collect, &m);
      out.push_back(std::move(m));
    }
    return out;
  }
};

// Every occurrence of each literal, by its end, in order of end then id.
std::vector<Match> Naive(const std::vector<std::string>& literals, const std::string& text) {
  std::vector<Match> out;
  for (size_t end = 1; end <= text.size(); ++end)
    for (unsigned i = 0; i < literals.size(); ++i)
      if (literals[i].size() <= end && text.compare(end - literals[i].size(), literals[i].size(), literals[i]) == 0)
        out.emplace_back(i, end);
  return out;
}

TEST(ScanBlock, FindsTheLiteralVectorscanMissesAtTheEndOfABlock) {
  // The case the gate's tests met: "pp-token" 9 bytes before the end.
  const std::vector<std::string> literals = {"gamma-1", "delta-2", "pp-token", "qq-token", "other-x"};
  HsDatabase db = Compile(literals, HS_FLAG_SINGLEMATCH, false);
  hs_scratch_t* raw = nullptr;
  ASSERT_EQ(hs_alloc_scratch(db.get(), &raw), HS_SUCCESS);
  HsScratch scratch(raw);
  Aligned a{db.get(), scratch.get()};
  const std::string text = std::string(200, '.') + "pp-token qq-token";
  size_t vectorscan_missed = 0;
  for (const auto& m : a.Scan(text, 16, false)) vectorscan_missed += m.size() != 2;
  for (const auto& m : a.Scan(text, 16, true))
    EXPECT_EQ(m, (std::vector<Match>{{2u, 208u}, {3u, 217u}}));
  // This processor and vectorscan: how often hs_scan alone missed it.
  RecordProperty("hs_scan_missed_alignments", int(vectorscan_missed));
}

TEST(ScanBlock, ReportsEveryMatchOnceInOrderWhereverTheBlockEnds) {
  std::mt19937 rng(20261206);
  size_t blocks = 0, raw_missed = 0;
  for (int trial = 0; trial < 120; ++trial) {
    const size_t n = 1 + rng() % (trial % 3 == 0 ? 40 : 5);
    std::vector<std::string> literals;
    for (size_t i = 0; i < n; ++i) {
      std::string s;
      for (size_t k = 0, len = 2 + rng() % 10; k < len; ++k) s += char(33 + rng() % 90);
      literals.push_back(s);
    }
    HsDatabase db = Compile(literals, 0, false);
    hs_scratch_t* raw = nullptr;
    ASSERT_EQ(hs_alloc_scratch(db.get(), &raw), HS_SUCCESS);
    HsScratch scratch(raw);
    Aligned a{db.get(), scratch.get()};
    for (int u = 0; u < 3; ++u) {
      std::string text(rng() % 300, '.');
      for (char& c : text)
        if (u == 1) c = char(rng() % 256);
      // Literals at the end, and one anywhere.
      text += literals[rng() % n];
      text.insert(rng() % text.size(), literals[rng() % n]);
      if (u == 2) text += literals[rng() % n].substr(0, 1);
      const auto want = Naive(literals, text);
      size_t longest = 0;
      for (const auto& l : literals) longest = std::max(longest, l.size());
      for (const auto& raw : a.Scan(text, longest, false)) raw_missed += raw.size() < want.size();
      for (const auto& got : a.Scan(text, longest, true)) {
        auto sorted = got;
        std::stable_sort(sorted.begin(), sorted.end(), [](const Match& x, const Match& y) { return x.second < y.second; });
        EXPECT_EQ(sorted, got) << "not in order of end";
        std::sort(sorted.begin(), sorted.end(), [](const Match& x, const Match& y) {
          return x.second != y.second ? x.second < y.second : x.first < y.first;
        });
        ASSERT_EQ(sorted, want) << "literals " << n << ", text of " << text.size();
        ++blocks;
      }
    }
  }
  RecordProperty("blocks", int(blocks));
  // This processor and vectorscan: blocks where hs_scan alone missed a match.
  RecordProperty("hs_scan_missed_blocks", int(raw_missed));
}

TEST(ScanBlock, ARegexAnchoredAtTheEndOfTheBlockStillMatches) {
  // Newlines after the copy keep `$` (multiline) true at the block's end.
  HsDatabase db = Compile({"powershell.{0,20}-enc$", "^whoami"}, HS_FLAG_MULTILINE | HS_FLAG_CASELESS, true);
  hs_scratch_t* raw = nullptr;
  ASSERT_EQ(hs_alloc_scratch(db.get(), &raw), HS_SUCCESS);
  HsScratch scratch(raw);
  Aligned a{db.get(), scratch.get()};
  const std::string text = std::string(150, 'x') + "\nwhoami /all\ncmd /c PowerShell -nop -enc";
  for (const auto& m : a.Scan(text, 64, true))
    EXPECT_EQ(m, (std::vector<Match>{{1u, 157u}, {0u, text.size()}}));
  // A block too short to scan in place is scanned as a copy alone.
  for (const auto& m : a.Scan("whoami", 0, true)) EXPECT_EQ(m, (std::vector<Match>{{1u, 6u}}));
}

}  // namespace
}  // namespace exhunt
