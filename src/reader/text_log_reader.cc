#include "reader/text_log_reader.h"

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>

#include "base/text.h"
#include "base/text_encoding.h"
#include "base/time_span.h"
#include "record/log_format.h"
#include "rule/hs_scan.h"
#include "source/directive.h"

namespace exhunt {

namespace {

constexpr size_t kMaxBacktrack = size_t(1) << 20;
// UTF-16 and CR-only files are read through a UTF-8 copy of at most this
// many bytes (memory stays bounded whatever the file).
constexpr size_t kMaxTranscodedBytes = size_t(64) << 20;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

// One physical line (or the start of one record) that holds prefilter hits.
struct Candidate {
  size_t line_start;
  size_t line_end;
  uint32_t rules_begin;  // into the chunk's rule id list
  uint32_t rules_count;
  uint32_t reqs_begin;  // into the chunk's list of requirement literals hit on this line
  uint32_t reqs_count;
  unsigned directive;  // UINT_MAX: not a directive line
  uint64_t line;       // chunk-relative 0-based line of line_start
};

struct Damage {
  uint64_t nul = 0, too_long = 0, bad_quote = 0;
  uint64_t first_line = 0;  // chunk-relative 0-based line of the first damaged record
  bool any() const { return nul || too_long || bad_quote; }
};

// "#Fields:" headers wider than kMaxHeaderFields, per chunk.
struct WideHeaders {
  uint64_t count = 0, widest = 0;
  size_t first_at = std::string_view::npos;  // byte offset of the first
};

struct HeaderState {
  std::shared_ptr<const FieldHeader> header;  // null: use the default
  std::optional<TimeMs> date;
};

struct ChunkState {
  size_t begin = 0, end = 0;
  // The header in force where the chunk ends; published as soon as the
  // chunk's prefilter pass and its predecessor's end state are known, so
  // that the next chunk can evaluate without waiting for this one.
  HeaderState end_state;
  bool end_known = false;
  uint64_t newlines = 0;
  uint64_t comment_lines = 0;
  Damage damage;
  uint64_t longest_line = 0;
  WideHeaders wide;
  std::string scan_error;
  // Coverage: stretches of record times (base/time_span.h), and how many
  // were dropped past kMaxSpansPerChunk.
  std::vector<TimeSpan> spans;
  uint64_t spans_dropped = 0;
  uint64_t spans_dropped_line = 0;  // chunk-relative 0-based line of the first dropped stretch
};

// Coverage sampling: a record time every kCoverageStride bytes and at both
// ends of a chunk; between neighbours more than kCoverageGap apart the
// records are bisected (at most kMaxBisectParses per chunk) until the jump
// lies between two adjacent records. A gap of more than a day is thus found
// wherever it is, for a few parses per megabyte.
constexpr size_t kCoverageStride = size_t(1) << 20;
constexpr int kMaxBisectParses = 4096;
constexpr size_t kMaxSpansPerChunk = 256;

bool IsComment(std::string_view line, size_t line_start) {
  return !line.empty() && (line[0] == '#' || (line_start == 0 && line.substr(0, 4) == "\xEF\xBB\xBF#"));
}

// Applies a "#Fields:" or "#Date:" line to the header state.
void ApplyDirective(std::string_view line, RecordFormat format, HeaderState* state) {
  Directive d = ParseDirective(line);
  if (d.name == DirectiveName::kFields)
    state->header = SharedFieldHeader(d.value, format != RecordFormat::kW3c);
  else if (d.name == DirectiveName::kDate)
    state->date = ParseIsoTime(d.value);
}

struct ParsedRecord {
  size_t end = 0;  // first byte after the record
  enum class Problem { kNone, kTooLong, kNul, kBadQuote } problem = Problem::kNone;
  uint64_t line_bytes = 0;  // length of the first physical line
};

// Splits the record starting at `start` into `rec`. Every record is read
// this way, for rules and for coverage times alike.
ParsedRecord ParseRecordAt(std::string_view bytes, size_t start, RecordFormat format, LogRecord& rec) {
  ParsedRecord p;
  LineSpan line = LineAt(bytes, start);
  p.end = line.next;
  p.line_bytes = line.end - line.start;
  if (p.line_bytes > kMaxRecordBytes) {
    p.problem = ParsedRecord::Problem::kTooLong;
    return p;
  }
  std::string_view raw;
  if (format == RecordFormat::kCsv) {
    std::string_view text = bytes.substr(start, std::min(bytes.size() - start, kMaxRecordBytes));
    size_t consumed = 0;
    CsvParse parsed = ParseCsvRecord(text, &consumed, &rec.values(), &rec.storage());
    p.end = start + consumed;
    raw = text.substr(0, consumed);
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    if (parsed == CsvParse::kUnterminatedQuote) p.problem = ParsedRecord::Problem::kBadQuote;
  } else {
    raw = bytes.substr(line.start, line.end - line.start);
    if (format == RecordFormat::kW3c) SplitW3cLine(raw, &rec.values());
  }
  if (memchr(raw.data(), '\0', raw.size())) {
    p.problem = ParsedRecord::Problem::kNul;
    return p;
  }
  rec.set_raw(raw);
  return p;
}

// A line longer than kMaxRecordBytes found while counting line ends: the
// line's first byte and its chunk-relative 0-based line.
struct LongLine {
  size_t start;
  uint64_t line;
};

// Counts line ends in [from, to) of `bytes`, in pieces aligned to absolute
// 1 MiB blocks. A whole block without a line end lies inside a line of
// over 1 MiB, which is noted (once) in `long_lines`, so that such a line is
// reported even when no prefilter literal made it a candidate. `lines` is
// the chunk-relative line at `from`; `floor` the chunk's first byte.
uint64_t CountLines(std::string_view bytes, size_t from, size_t to, size_t floor, uint64_t lines,
                    std::vector<LongLine>* long_lines) {
  constexpr size_t kBlock = kMaxRecordBytes;
  uint64_t n = 0;
  size_t pos = from;
  while (pos < to) {
    size_t block_end = std::min(to, (pos / kBlock + 1) * kBlock);
    uint64_t here = CountByte(bytes.data() + pos, block_end - pos, '\n');
    if (here == 0 && pos % kBlock == 0 && block_end - pos == kBlock) {
      const void* prev = pos > floor ? memrchr(bytes.data() + floor, '\n', pos - floor) : nullptr;
      size_t start = prev ? size_t(static_cast<const char*>(prev) - bytes.data()) + 1 : floor;
      // Directive and comment lines are no records (a wide "#Fields:" is reported as such).
      bool comment = bytes[start] == '#' || (start == 0 && bytes.substr(0, 4) == "\xEF\xBB\xBF#");
      if (!comment && (long_lines->empty() || long_lines->back().start != start))
        long_lines->push_back({start, lines + n});
    }
    n += here;
    pos = block_end;
  }
  return n;
}

int OnMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void* ctx);

// How far back a prefilter regex match is looked for from the end of a
// chunk (ScanBlock), beyond the line it ends in.
constexpr size_t kRegexSpan = size_t(64) << 10;

struct MatchContext {
  std::string_view bytes;
  size_t begin, end;
  const Prefilter* pf;
  std::vector<Candidate>* cands;
  std::vector<uint32_t>* rule_ids;
  std::vector<uint32_t>* req_hits;
  uint64_t* comment_lines;
  // Line ends counted so far, up to `counted`: candidates learn their line
  // while their bytes are still in cache from the scan.
  size_t counted;
  uint64_t lines;
  std::vector<LongLine>* long_lines;
};

int OnMatch(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/, void* ctx_ptr) {
  auto* c = static_cast<MatchContext*>(ctx_ptr);
  size_t abs_end = c->begin + size_t(to);
  size_t lit_start = abs_end - c->pf->LiteralLength(id);
  if (id == Prefilter::kCommentLine) {
    ++*c->comment_lines;
    return 0;
  }
  if (id == Prefilter::kFieldsDirective || id == Prefilter::kDateDirective) {
    bool at_line_start =
        lit_start == 0 || c->bytes[lit_start - 1] == '\n' || (lit_start == 3 && c->bytes.substr(0, 3) == kBom);
    if (!at_line_start) return 0;
    if (!c->cands->empty() &&
        c->cands->back().line_start == lit_start - (lit_start == 3 && c->bytes[2] == '\xBF' ? 3 : 0)) {
      c->cands->back().directive = id;
      return 0;
    }
  }
  // The line holding the match's last byte (a regex has no fixed length).
  size_t anchor = abs_end > c->begin ? abs_end - 1 : c->begin;
  if (anchor > c->begin && c->bytes[anchor] == '\n') --anchor;
  if (!c->cands->empty() && anchor < c->cands->back().line_end) {
    Candidate& cur = c->cands->back();
    if (id >= Prefilter::kFirstRuleLiteral) {
      for (unsigned r : c->pf->RulesFor(id)) c->rule_ids->push_back(r);
      cur.rules_count = uint32_t(c->rule_ids->size() - cur.rules_begin);
      if (int req = c->pf->RequirementOf(id); req >= 0) {
        c->req_hits->push_back(uint32_t(req));
        cur.reqs_count = uint32_t(c->req_hits->size() - cur.reqs_begin);
      }
    } else {
      cur.directive = id;
    }
    return 0;
  }
  Candidate cand;
  // The line starts after the last line end before the hit; no earlier than
  // the end of the previous candidate line (searching from the chunk's
  // start each time costs nothing in memrchr, but sanitizers check the
  // whole range on every call).
  const size_t low = c->cands->empty() ? c->begin : std::max(c->begin, c->cands->back().line_end);
  const void* prev = anchor > low ? memrchr(c->bytes.data() + low, '\n', anchor - low) : nullptr;
  // (Past a previous candidate the search finds at least its line end:
  // `anchor` is never that line end itself, so it lies beyond it.)
  cand.line_start = prev ? size_t(static_cast<const char*>(prev) - c->bytes.data()) + 1 : low;
  const void* nl = memchr(c->bytes.data() + anchor, '\n', c->end - anchor);
  cand.line_end = nl ? size_t(static_cast<const char*>(nl) - c->bytes.data()) : c->end;
  cand.rules_begin = uint32_t(c->rule_ids->size());
  cand.reqs_begin = uint32_t(c->req_hits->size());
  cand.directive = UINT_MAX;
  if (cand.line_start > c->counted) {
    c->lines += CountLines(c->bytes, c->counted, cand.line_start, c->begin, c->lines, c->long_lines);
    c->counted = cand.line_start;
  }
  cand.line = c->lines;
  if (id >= Prefilter::kFirstRuleLiteral) {
    for (unsigned r : c->pf->RulesFor(id)) c->rule_ids->push_back(r);
    if (int req = c->pf->RequirementOf(id); req >= 0) c->req_hits->push_back(uint32_t(req));
  } else {
    cand.directive = id;
  }
  cand.rules_count = uint32_t(c->rule_ids->size() - cand.rules_begin);
  cand.reqs_count = uint32_t(c->req_hits->size() - cand.reqs_begin);
  c->cands->push_back(cand);
  return 0;
}

class TextLogReading final : public FileReading {
 public:
  TextLogReading(const EvidenceFile& file, MappedFile& map, const ReadContext& context)
      : file_(file),
        map_(map),
        context_(context),
        type_(file.type),
        format_(RecordFormatOf(file.type)),
        bytes_(map.bytes()),
        not_read_(UnreadableEncoding(map.bytes().substr(0, 64))) {
    // UTF-16 and CR-only text become UTF-8 lines in memory, line for line,
    // up to kMaxTranscodedBytes; larger such files are reported, not read.
    if (TextEncoding e = GuessTextEncoding(bytes_.substr(0, 4096)); not_read_.empty() && e != TextEncoding::kPlain) {
      if (ToPlainText(bytes_, e, kMaxTranscodedBytes, &transcoded_)) {
        bytes_ = transcoded_;
      } else {
        too_large_ = std::string(TextEncodingName(e)) + " text of more than " +
                     std::to_string(kMaxTranscodedBytes >> 20) + " MiB: not read";
        not_read_ = too_large_;
      }
    }
    auto bounds = ChunkBoundaries();
    chunks_.resize(bounds.size() - 1);
    for (size_t k = 0; k + 1 < bounds.size(); ++k) {
      chunks_[k].begin = bounds[k];
      chunks_[k].end = bounds[k + 1];
    }
  }

  size_t chunk_count() const override { return chunks_.size(); }
  void ReadChunk(size_t k, WorkerScratch& scratch, RecordSink& sink) override;
  FileFacts Finish() override;
  uint64_t SourcePosition(const RecordPlace& place) const override {
    return line_base_[place.chunk] + place.position + 1;
  }

 private:
  std::vector<size_t> ChunkBoundaries() const;
  LogContext NewContext(FieldBindingCache* cache) const {
    LogContext ctx;
    ctx.type = type_;
    ctx.cache = cache;
    if (context_.install_roots) ctx.install_roots = *context_.install_roots;
    return ctx;
  }
  const FieldHeader* HeaderOf(const HeaderState& s) const { return s.header ? s.header.get() : DefaultHeader(type_); }
  std::optional<TimeMs> TimeOfRecordAt(size_t start, const HeaderState& state) const;
  // The first record start in [from, limit), or npos.
  size_t RecordStartIn(size_t from, size_t limit) const;
  // Fills out.spans: `start` is the header in force at the chunk start,
  // `directives` the line starts of its directive lines, in order.
  void SampleCoverage(ChunkState& out, const HeaderState& start, const std::vector<size_t>& directives) const;

  const EvidenceFile& file_;
  MappedFile& map_;
  ReadContext context_;
  const LogType type_;
  const RecordFormat format_;
  std::string_view bytes_;       // the mapping, or transcoded_
  std::string transcoded_;       // UTF-8 lines of a UTF-16 or CR-only file
  std::string too_large_;
  std::string_view not_read_;    // non-empty: these bytes are not read, and why
  std::vector<ChunkState> chunks_;
  std::vector<uint64_t> line_base_;  // per chunk: 0-based line of its first byte (after Finish)
  std::mutex mu_;
  std::condition_variable cv_;
};

std::vector<size_t> TextLogReading::ChunkBoundaries() const {
  std::vector<size_t> b = {0};
  if (bytes_.size() <= context_.split_threshold) {
    b.push_back(bytes_.size());
    return b;
  }
  const bool csv = format_ == RecordFormat::kCsv;
  size_t pos = context_.chunk_bytes;
  while (pos < bytes_.size()) {
    // Next line start that begins a record (CSV records may hold quoted line ends).
    size_t cut = std::string_view::npos;
    size_t p = pos;
    while (p < bytes_.size()) {
      const void* nl = memchr(bytes_.data() + p, '\n', bytes_.size() - p);
      if (!nl) break;
      size_t next = size_t(static_cast<const char*>(nl) - bytes_.data()) + 1;
      if (next >= bytes_.size()) break;
      LineSpan line = LineAt(bytes_, next);
      if (!csv || LooksLikeRecordStart(bytes_.substr(line.start, line.end - line.start))) {
        cut = next;
        break;
      }
      p = next;
      if (p - pos > kMaxBacktrack) {  // no record start for a long stretch: cut at any line
        cut = next;
        break;
      }
    }
    if (cut == std::string_view::npos) break;
    b.push_back(cut);
    pos = cut + context_.chunk_bytes;
  }
  b.push_back(bytes_.size());
  return b;
}

void TextLogReading::ReadChunk(size_t k, WorkerScratch& scratch, RecordSink& sink) {
  ChunkState& out = chunks_[k];
  if (!not_read_.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    out.end_known = true;
    cv_.notify_all();
    return;
  }
  const std::string_view bytes = bytes_;
  const Prefilter* pf = context_.prefilter;

  std::vector<Candidate> cands;
  std::vector<uint32_t> rule_ids, req_hits;
  std::vector<LongLine> long_lines;
  MatchContext mc{bytes,    out.begin,           out.end,   pf, &cands, &rule_ids, &req_hits,
                  &out.comment_lines, out.begin, 0, &long_lines};
  if (out.begin < out.end && (bytes[out.begin] == '#' || (out.begin == 0 && bytes.substr(0, 4) == "\xEF\xBB\xBF#")))
    ++out.comment_lines;
  if (out.end > out.begin) {
    if (transcoded_.empty()) map_.WillRead(out.begin, out.end - out.begin);
    // A regex match may span what its line does, or more with `\s`: the
    // end is scanned again from the start of the line it is in, and at
    // least kRegexSpan bytes back.
    const std::string_view chunk = bytes.substr(out.begin, out.end - out.begin);
    size_t context = std::min(chunk.size(), kRegexSpan);
    if (chunk.size() > kTailZone + context) {
      size_t line = chunk.rfind('\n', chunk.size() - kTailZone - 1);
      size_t from = line == std::string_view::npos ? 0 : line + 1;
      context = std::max(context, chunk.size() - kTailZone - from);
    }
    std::string copy;
    hs_error_t err = ScanBlock(pf->database(), chunk, context, scratch.prefilter.get(), OnMatch, &mc, &copy);
    if (err != HS_SUCCESS) out.scan_error = "prefilter scan failed (vectorscan error " + std::to_string(err) + ")";
  }
  const uint64_t chunk_newlines =
      mc.lines + CountLines(bytes, mc.counted, out.end, out.begin, mc.lines, &long_lines);

  FieldBindingCache cache;
  LogContext ctx = NewContext(&cache);
  // The header in force at the chunk start is the predecessor's end state
  // (chunks are taken in file order, so the predecessor is running or done).
  HeaderState state;
  if (k > 0) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return chunks_[k - 1].end_known; });
    state = chunks_[k - 1].end_state;
  }
  const HeaderState start_state = state;
  std::vector<size_t> directives;
  {
    HeaderState end = state;
    for (const auto& c : cands) {
      if (c.directive == UINT_MAX) continue;
      std::string_view line = bytes.substr(c.line_start, c.line_end - c.line_start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ApplyDirective(line, format_, &end);
      directives.push_back(c.line_start);
      if (end.header && end.header->dropped() && ParseDirective(line).name == DirectiveName::kFields) {
        if (!out.wide.count) out.wide.first_at = c.line_start;
        ++out.wide.count;
        out.wide.widest = std::max<uint64_t>(out.wide.widest, kMaxHeaderFields + end.header->dropped());
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    out.end_state = std::move(end);
    out.end_known = true;
  }
  cv_.notify_all();

  LogRecord rec;
  std::vector<unsigned> rules_here;
  Prefilter::LineMemo memo;
  uint64_t rel_line = 0;
  size_t counted_to = out.begin;
  auto advance_lines = [&](size_t to) {
    if (to > counted_to) {
      rel_line += CountByte(bytes.data() + counted_to, to - counted_to, '\n');
      counted_to = to;
    }
  };
  size_t consumed_to = out.begin;  // records end here; hits before it were evaluated
  const auto& unfiltered = pf->unfiltered_rules();
  auto damaged = [&](uint64_t& counter) {
    if (!out.damage.any()) out.damage.first_line = rel_line;
    ++counter;
  };

  // `known_line` is the chunk-relative line of line_start when the scan counted
  // it (UINT64_MAX: count here).
  auto handle = [&](size_t line_start, size_t line_end, unsigned directive, const uint32_t* ids, size_t n_ids,
                    uint64_t known_line, std::span<const uint32_t> reqs_hit) {
    if (line_start < consumed_to) return;
    std::string_view line = bytes.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsComment(line, line_start)) {
      if (directive != UINT_MAX) ApplyDirective(line, format_, &state);
      consumed_to = line_start;
      return;
    }
    if (Trim(line).empty()) return;
    // A hit inside a quoted multi-line field: walk back to the record's first line.
    size_t start = line_start;
    if (format_ == RecordFormat::kCsv && !LooksLikeRecordStart(line)) {
      size_t p = start;
      while (p > out.begin && start - p < kMaxBacktrack) {
        LineSpan prev = LineAt(bytes, p - 1);
        p = prev.start;
        if (LooksLikeRecordStart(bytes.substr(prev.start, prev.end - prev.start))) {
          if (p >= consumed_to) start = p;
          break;
        }
      }
    }
    rules_here.assign(ids, ids + n_ids);
    rules_here.insert(rules_here.end(), unfiltered.begin(), unfiltered.end());
    std::sort(rules_here.begin(), rules_here.end());
    rules_here.erase(std::unique(rules_here.begin(), rules_here.end()), rules_here.end());
    // A clean single-line record that misses a literal every match of a
    // rule needs is not parsed for that rule (damaged lines always are, so
    // that their damage is reported).
    const bool single_line =
        start == line_start && (format_ != RecordFormat::kCsv || !memchr(line.data(), '"', line.size()));
    if (single_line && line.size() <= kMaxRecordBytes && !memchr(line.data(), '\0', line.size()) &&
        std::any_of(rules_here.begin(), rules_here.end(), [&](unsigned r) { return pf->has_requirements(r); })) {
      pf->StartLine(&memo);
      for (uint32_t req : reqs_hit) memo[req] = 1;  // the scan saw them on this line
      rules_here.erase(std::remove_if(rules_here.begin(), rules_here.end(),
                                      [&](unsigned r) { return !pf->MayMatch(r, line, &memo); }),
                       rules_here.end());
      if (rules_here.empty()) {
        consumed_to = line_end < bytes.size() ? line_end + 1 : line_end;
        return;
      }
    }
    if (known_line == UINT64_MAX)
      advance_lines(start);
    else
      rel_line = known_line - (start < line_start ? CountByte(bytes.data() + start, line_start - start, '\n') : 0);
    rec.Reset(&ctx, HeaderOf(state), std::string_view());
    ParsedRecord parsed = ParseRecordAt(bytes, start, format_, rec);
    consumed_to = parsed.end;
    switch (parsed.problem) {
      case ParsedRecord::Problem::kTooLong: {
        // Counted below with the long lines the line count found, once each.
        auto it = std::lower_bound(long_lines.begin(), long_lines.end(), start,
                                   [](const LongLine& l, size_t at) { return l.start < at; });
        if (it == long_lines.end() || it->start != start) long_lines.insert(it, {start, rel_line});
        return;
      }
      case ParsedRecord::Problem::kNul:
        damaged(out.damage.nul);
        return;
      case ParsedRecord::Problem::kBadQuote:
        damaged(out.damage.bad_quote);
        break;
      case ParsedRecord::Problem::kNone:
        break;
    }
    sink.OnRecord(rec, RecordPlace{k, rel_line}, rules_here);
  };

  if (unfiltered.empty()) {
    for (const Candidate& c : cands) {
      ctx.directive_date = state.date;
      handle(c.line_start, c.line_end, c.directive, rule_ids.data() + c.rules_begin, c.rules_count, c.line,
             std::span<const uint32_t>(req_hits.data() + c.reqs_begin, c.reqs_count));
    }
  } else {
    // Slow path: some rule has no literal, so every record is evaluated.
    size_t ci = 0;
    size_t pos = out.begin;
    std::vector<uint32_t> ids;
    while (pos < out.end) {
      const void* nl = memchr(bytes.data() + pos, '\n', out.end - pos);
      size_t line_end = nl ? size_t(static_cast<const char*>(nl) - bytes.data()) : out.end;
      unsigned directive = UINT_MAX;
      ids.clear();
      while (ci < cands.size() && cands[ci].line_start < line_end) {
        if (cands[ci].line_start >= pos) {
          if (cands[ci].directive != UINT_MAX) directive = cands[ci].directive;
          ids.insert(ids.end(), rule_ids.begin() + cands[ci].rules_begin,
                     rule_ids.begin() + cands[ci].rules_begin + cands[ci].rules_count);
        }
        ++ci;
      }
      ctx.directive_date = state.date;
      handle(pos, line_end, directive, ids.data(), ids.size(), UINT64_MAX, {});
      pos = std::max(line_end + 1, consumed_to);
    }
  }
  for (const LongLine& l : long_lines) {
    const void* nl = memchr(bytes.data() + l.start, '\n', out.end - l.start);
    size_t end = nl ? size_t(static_cast<const char*>(nl) - bytes.data()) : out.end;
    out.longest_line = std::max<uint64_t>(out.longest_line, end - l.start);
    if (!out.damage.any() || l.line < out.damage.first_line) out.damage.first_line = l.line;
    ++out.damage.too_long;
  }
  SampleCoverage(out, start_state, directives);
  out.newlines = chunk_newlines;
  if (transcoded_.empty()) map_.DoneWith(out.begin, out.end - out.begin);
}

size_t TextLogReading::RecordStartIn(size_t from, size_t limit) const {
  size_t pos = from;
  if (pos > 0 && bytes_[pos - 1] != '\n') {
    const void* nl = memchr(bytes_.data() + pos, '\n', limit - std::min(limit, pos));
    if (!nl) return std::string_view::npos;
    pos = size_t(static_cast<const char*>(nl) - bytes_.data()) + 1;
  }
  const size_t give_up = pos + kMaxBacktrack;
  while (pos < limit && pos < give_up) {
    LineSpan line = LineAt(bytes_, pos);
    std::string_view text = bytes_.substr(line.start, line.end - line.start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const bool record = !IsComment(text, line.start) && !Trim(text).empty() &&
                        (format_ != RecordFormat::kCsv || LooksLikeRecordStart(text));
    if (record) return pos;
    pos = line.next;
  }
  return std::string_view::npos;
}

void TextLogReading::SampleCoverage(ChunkState& out, const HeaderState& start,
                                    const std::vector<size_t>& directives) const {
  struct Sample {
    size_t pos;
    TimeMs t;
    size_t segment;  // directives before it
    HeaderState state;
  };
  HeaderState state = start;
  size_t next_directive = 0;
  auto advance_to = [&](size_t pos) {
    for (; next_directive < directives.size() && directives[next_directive] < pos; ++next_directive) {
      LineSpan line = LineAt(bytes_, directives[next_directive]);
      std::string_view text = bytes_.substr(line.start, line.end - line.start);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      ApplyDirective(text, format_, &state);
    }
  };
  std::vector<Sample> samples;
  auto take = [&](size_t pos) {
    if (pos == std::string_view::npos || (!samples.empty() && pos <= samples.back().pos)) return;
    advance_to(pos);
    if (auto t = TimeOfRecordAt(pos, state)) samples.push_back({pos, *t, next_directive, state});
  };
  for (size_t p = out.begin; p < out.end; p += kCoverageStride) take(RecordStartIn(p, out.end));
  {
    // The last record of the chunk: back from its end, a line at a time.
    size_t end = out.end;
    while (end > out.begin && out.end - end < kMaxBacktrack) {
      LineSpan line = LineAt(bytes_, end - 1);
      size_t from = std::max(line.start, out.begin);
      size_t rec = RecordStartIn(from, end);  // this line only
      if (rec != std::string_view::npos) {
        take(rec);
        break;
      }
      end = from;
    }
  }
  // Bisect between neighbours more than a day apart.
  int budget = kMaxBisectParses;
  std::vector<Sample> all;
  auto refine = [&](auto& self, const Sample& a, const Sample& b) -> void {
    if (std::abs(b.t - a.t) <= kCoverageGap || a.segment != b.segment || budget <= 0) return;
    size_t mid = RecordStartIn(a.pos + (b.pos - a.pos) / 2, b.pos);
    if (mid == std::string_view::npos || mid <= a.pos) mid = RecordStartIn(a.pos + 1, b.pos);
    if (mid == std::string_view::npos || mid <= a.pos || mid >= b.pos) return;  // adjacent records
    --budget;
    auto t = TimeOfRecordAt(mid, a.state);
    if (!t) return;
    Sample m{mid, *t, a.segment, a.state};
    self(self, a, m);
    all.push_back(m);
    self(self, m, b);
  };
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i > 0) refine(refine, samples[i - 1], samples[i]);
    all.push_back(samples[i]);
  }
  // Neighbours at most a day apart make one stretch.
  for (size_t i = 0; i < all.size(); ++i) {
    const TimeMs t = all[i].t;
    if (i > 0 && std::abs(t - all[i - 1].t) <= kCoverageGap && !out.spans.empty()) {
      TimeSpan& cur = out.spans.back();
      cur.first = std::min(cur.first, t);
      cur.last = std::max(cur.last, t);
      continue;
    }
    if (out.spans.size() >= kMaxSpansPerChunk) {
      // Dropping a stretch can only make the coverage smaller, never larger.
      if (!out.spans_dropped) out.spans_dropped_line = CountByte(bytes_.data() + out.begin, all[i].pos - out.begin, '\n');
      ++out.spans_dropped;
      continue;
    }
    out.spans.push_back({t, t});
  }
}

std::optional<TimeMs> TextLogReading::TimeOfRecordAt(size_t start, const HeaderState& state) const {
  FieldBindingCache cache;
  LogContext ctx = NewContext(&cache);
  ctx.directive_date = state.date;
  LogRecord rec;
  rec.Reset(&ctx, HeaderOf(state), std::string_view());
  ParsedRecord parsed = ParseRecordAt(bytes_, start, format_, rec);
  if (parsed.problem == ParsedRecord::Problem::kTooLong || parsed.problem == ParsedRecord::Problem::kNul)
    return std::nullopt;
  return rec.Time();
}

FileFacts TextLogReading::Finish() {
  FileFacts facts;
  if (!not_read_.empty()) {
    facts.not_read = std::string(not_read_);
    return facts;
  }
  facts.head = ReadLogHead(bytes_.substr(0, kLogHeadBytes));
  HeaderState state;
  uint64_t base = 0, comment_lines = 0, longest = 0, damaged_first_line = 0;
  uint64_t spans_dropped = 0, spans_dropped_line = 0;
  uint64_t wide = 0, widest = 0;
  size_t wide_at = std::string_view::npos;
  Damage damage;
  line_base_.clear();
  for (auto& c : chunks_) {
    line_base_.push_back(base);
    if (c.damage.any() && !damage.any()) damaged_first_line = base + c.damage.first_line + 1;
    damage.nul += c.damage.nul;
    damage.too_long += c.damage.too_long;
    damage.bad_quote += c.damage.bad_quote;
    longest = std::max(longest, c.longest_line);
    comment_lines += c.comment_lines;
    for (const auto& span : c.spans) facts.spans.push_back(span);
    if (c.wide.count && wide_at == std::string_view::npos) wide_at = c.wide.first_at;
    wide += c.wide.count;
    widest = std::max(widest, c.wide.widest);
    if (c.spans_dropped && !spans_dropped) spans_dropped_line = base + c.spans_dropped_line + 1;
    spans_dropped += c.spans_dropped;
    base += c.newlines;
    state = c.end_state;
    if (!c.scan_error.empty()) facts.problems.push_back(c.scan_error);
  }
  uint64_t lines = base + ((!bytes_.empty() && bytes_.back() != '\n') ? 1 : 0);
  facts.records = lines >= comment_lines ? lines - comment_lines : 0;

  // Coverage: the times of the first and the last record of the file.
  {
    HeaderState first_state;
    size_t pos = 0;
    while (pos < bytes_.size() && pos < (size_t(1) << 20)) {
      LineSpan line = LineAt(bytes_, pos);
      std::string_view text = bytes_.substr(line.start, line.end - line.start);
      if (pos == 0 && text.substr(0, 3) == kBom) text.remove_prefix(3);
      if (!text.empty() && text[0] == '#') {
        ApplyDirective(text, format_, &first_state);
      } else if (!Trim(text).empty()) {
        facts.first = TimeOfRecordAt(line.start, first_state);
        break;
      }
      pos = line.next;
    }
    size_t end = bytes_.size();
    size_t budget = size_t(1) << 20;
    while (end > 0 && budget > 0) {
      LineSpan line = LineAt(bytes_, end - 1);
      std::string_view text = bytes_.substr(line.start, line.end - line.start);
      if (!Trim(text).empty() && text[0] != '#' && text.substr(0, 4) != "\xEF\xBB\xBF#") {
        facts.last = TimeOfRecordAt(line.start, state);
        break;
      }
      budget -= std::min(budget, end - line.start);
      end = line.start;
    }
  }

  MergeSpans(&facts.spans);
  if (wide)
    facts.problems.push_back("line " + std::to_string(CountByte(bytes_.data(), wide_at, '\n') + 1) + ": " +
                             std::to_string(wide) + " #Fields header" + (wide == 1 ? "" : "s") + " of up to " +
                             std::to_string(widest) + " fields; only the first " + std::to_string(kMaxHeaderFields) +
                             " of each are read");
  if (spans_dropped)
    facts.problems.push_back("line " + std::to_string(spans_dropped_line) + ": record times jump by more than a day " +
                             std::to_string(spans_dropped) +
                             " more times than coverage keeps; the times after those jumps do not count as covered");
  if (damage.any()) {
    std::vector<std::string> parts;
    if (damage.too_long)
      parts.push_back(std::to_string(damage.too_long) + (damage.too_long == 1 ? " record" : " records") +
                      " longer than " + std::to_string(kMaxRecordBytes) + " bytes (longest " + std::to_string(longest) +
                      " bytes without a line end) skipped");
    if (damage.nul)
      parts.push_back(std::to_string(damage.nul) + (damage.nul == 1 ? " record" : " records") +
                      " with NUL bytes skipped");
    if (damage.bad_quote)
      parts.push_back(std::to_string(damage.bad_quote) + (damage.bad_quote == 1 ? " record" : " records") +
                      " with an unterminated quote read as single lines");
    std::string msg = "line " + std::to_string(damaged_first_line) + ": ";
    for (size_t i = 0; i < parts.size(); ++i) msg += (i ? "; " : "") + parts[i];
    facts.problems.push_back(msg);
  }
  return facts;
}

}  // namespace

const FieldHeader* DefaultHeader(LogType type) {
  // Parsed once per type; immutable afterwards.
  static const std::map<LogType, FieldHeader> headers = [] {
    std::map<LogType, FieldHeader> m;
    for (const auto& k : EvidenceKinds())
      if (!k.default_fields.empty())
        m.emplace(k.type, ParseFieldsDirective(k.default_fields, k.format != RecordFormat::kW3c));
    return m;
  }();
  auto it = headers.find(type);
  return it == headers.end() ? nullptr : &it->second;
}

std::unique_ptr<FileReading> TextLogReader::Open(const EvidenceFile& file, MappedFile& map,
                                                 const ReadContext& context) const {
  return std::make_unique<TextLogReading>(file, map, context);
}

}  // namespace exhunt
