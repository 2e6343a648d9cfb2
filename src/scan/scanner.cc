#include "scan/scanner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "base/text.h"
#include "record/log_record.h"
#include "exposure/tree_assessment.h"
#include "scan/discovery.h"

namespace exhunt {

namespace {

constexpr size_t kMaxEvidenceValue = 4096;
constexpr size_t kMaxBacktrack = size_t(1) << 20;

}  // namespace

const FieldHeader* DefaultHeader(LogType type) {
  // Parsed once per type; immutable afterwards.
  static const std::map<LogType, FieldHeader> headers = [] {
    std::map<LogType, FieldHeader> m;
    for (LogType t : {LogType::kHttpProxy, LogType::kRpsHttp, LogType::kEcpServer, LogType::kEcpActivity,
                      LogType::kIisW3c})
      m.emplace(t, ParseFieldsDirective(DefaultFieldsText(t), RecordFormatOf(t) != RecordFormat::kW3c));
    return m;
  }();
  auto it = headers.find(type);
  return it == headers.end() ? nullptr : &it->second;
}

std::string HostNameForRoot(const std::string& root) {
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  size_t slash = r.rfind('/');
  std::string name = slash == std::string::npos ? r : r.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") return "localhost";
  return name;
}

namespace {

// One physical line (or the start of one record) that holds literal hits.
struct Candidate {
  size_t line_start;
  size_t line_end;
  uint32_t rules_begin;  // into ChunkWork::rule_ids
  uint32_t rules_count;
  unsigned directive;  // UINT_MAX: not a directive line
};

struct Damage {
  uint64_t nul = 0, too_long = 0, bad_quote = 0;
  uint64_t first_line = 0;  // chunk-relative 0-based line of the first damaged record
  bool any() const { return nul || too_long || bad_quote; }
};


struct HeaderState {
  std::shared_ptr<const FieldHeader> header;  // null: use the default
  std::optional<TimeMs> date;
};

struct ChunkResult {
  size_t begin = 0, end = 0;
  std::vector<Finding> findings;  // line is chunk-relative (0-based)
  // The header in force where the chunk ends; published as soon as the
  // chunk's prefilter pass and its predecessor's end state are known, so
  // that the next chunk can evaluate without waiting for this one.
  HeaderState end_state;
  bool end_known = false;
  uint64_t newlines = 0;
  uint64_t comment_lines = 0;
  uint64_t candidates = 0;
  Damage damage;
  uint64_t longest_line = 0;
};

struct FileUnit {
  EvidenceFile file;
  size_t host_index = 0;
  const std::vector<std::string>* install_roots = nullptr;
  std::unique_ptr<MappedFile> map;
  std::vector<ChunkResult> chunks;
  std::atomic<int> remaining{0};
  std::mutex mu;
  std::condition_variable cv;
};

struct HostState {
  std::string name;
  std::map<LogType, Coverage> coverage;
  std::vector<std::string> install_roots;
  std::optional<ExposureAssessment> exposure;
};

}  // namespace

struct Scanner::Impl {
  FileSystem* fs;
  const RuleSet* rules;
  ScanOptions options;
  std::map<LogType, std::unique_ptr<Prefilter>> prefilters;
  HsScratch prototype;

  // Scan state.
  std::mutex mu;
  ScanResult result;
  std::vector<HostState> hosts;
  ScanProgress progress;
  // Per host and rule: findings kept, and those over the limit (counted only).
  std::map<std::pair<size_t, const SigmaRule*>, uint64_t> kept, unlisted;
  std::deque<std::function<void(hs_scratch_t*)>> queue;
  std::condition_variable cv;
  int active = 0;

  void Push(std::function<void(hs_scratch_t*)> task, bool front) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (front) queue.push_front(std::move(task));
      else queue.push_back(std::move(task));
    }
    cv.notify_one();
  }

  void Worker(hs_scratch_t* scratch) {
    for (;;) {
      std::function<void(hs_scratch_t*)> task;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || active == 0; });
        if (queue.empty()) return;
        task = std::move(queue.front());
        queue.pop_front();
        ++active;
      }
      task(scratch);
      {
        std::lock_guard<std::mutex> lock(mu);
        --active;
      }
      cv.notify_all();
    }
  }

  void AddError(std::string path, std::string message) {
    std::lock_guard<std::mutex> lock(mu);
    result.errors.push_back({std::move(path), std::move(message)});
  }

  void StartFile(const std::shared_ptr<FileUnit>& unit, hs_scratch_t* scratch);
  void RunChunk(const std::shared_ptr<FileUnit>& unit, size_t k, hs_scratch_t* scratch);
  void FinishFile(FileUnit& unit, hs_scratch_t* scratch);
  size_t EvaluateRecord(const FileUnit& unit, const LogContext& ctx, const FieldHeader* header, size_t start,
                        size_t limit, const std::vector<unsigned>& rule_ids, uint64_t rel_line, ChunkResult& out,
                        LogRecord& rec) const;
  std::vector<size_t> ChunkBoundaries(std::string_view bytes, LogType type) const;
};

Scanner::Scanner(FileSystem* fs, const RuleSet* rules, ScanOptions options) : impl_(new Impl) {
  impl_->fs = fs;
  impl_->rules = rules;
  impl_->options = std::move(options);
}

Scanner::~Scanner() = default;

Status Scanner::Prepare() {
  // Databases compile in parallel: the IIS one dominates start-up.
  const LogType types[] = {LogType::kIisW3c, LogType::kHttpProxy, LogType::kEcpServer, LogType::kEcpActivity,
                           LogType::kOabGenerator, LogType::kRpsHttp, LogType::kExchangeCsv};
  std::vector<std::optional<Result<std::unique_ptr<Prefilter>>>> built(std::size(types));
  {
    std::vector<std::thread> workers;
    std::atomic<size_t> next{0};
    unsigned n = std::max(1u, std::min(impl_->options.threads ? impl_->options.threads
                                                              : std::thread::hardware_concurrency(),
                                       unsigned(std::size(types))));
    for (unsigned w = 0; w < n; ++w)
      workers.emplace_back([&] {
        for (size_t i; (i = next++) < std::size(types);) built[i] = Prefilter::Build(impl_->rules->rules(), types[i]);
      });
    for (auto& t : workers) t.join();
  }
  for (size_t i = 0; i < std::size(types); ++i) {
    auto& pf = *built[i];
    if (!pf.ok()) return pf.status();
    Status s = pf.value()->AllocScratch(&impl_->prototype);
    if (!s.ok()) return s;
    impl_->prefilters[types[i]] = std::move(pf.value());
  }
  return Status::Ok();
}

const Prefilter* Scanner::prefilter(LogType type) const {
  auto it = impl_->prefilters.find(type);
  return it == impl_->prefilters.end() ? nullptr : it->second.get();
}

std::vector<size_t> Scanner::Impl::ChunkBoundaries(std::string_view bytes, LogType type) const {
  std::vector<size_t> b = {0};
  if (bytes.size() <= options.split_threshold) {
    b.push_back(bytes.size());
    return b;
  }
  const bool csv = RecordFormatOf(type) == RecordFormat::kCsv;
  size_t pos = options.chunk_bytes;
  while (pos < bytes.size()) {
    // Next line start that begins a record (CSV records may hold quoted line ends).
    size_t cut = std::string_view::npos;
    size_t p = pos;
    while (p < bytes.size()) {
      const void* nl = memchr(bytes.data() + p, '\n', bytes.size() - p);
      if (!nl) break;
      size_t next = size_t(static_cast<const char*>(nl) - bytes.data()) + 1;
      if (next >= bytes.size()) break;
      LineSpan line = LineAt(bytes, next);
      if (!csv || LooksLikeRecordStart(bytes.substr(line.start, line.end - line.start))) {
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
    pos = cut + options.chunk_bytes;
  }
  b.push_back(bytes.size());
  return b;
}

void Scanner::Impl::StartFile(const std::shared_ptr<FileUnit>& unit, hs_scratch_t* scratch) {
  auto opened = fs->Open(unit->file.path);
  if (!opened.ok()) {
    AddError(unit->file.rel_path, opened.status().message());
    std::lock_guard<std::mutex> lock(mu);
    progress.files_done++;
    progress.bytes_done += unit->file.size;
    if (options.on_progress) options.on_progress(progress);
    return;
  }
  unit->map = std::move(opened.value());
  std::string_view bytes = unit->map->bytes();
  auto bounds = ChunkBoundaries(bytes, unit->file.type);
  size_t n = bounds.size() - 1;
  unit->chunks.resize(n);
  for (size_t k = 0; k < n; ++k) {
    unit->chunks[k].begin = bounds[k];
    unit->chunks[k].end = bounds[k + 1];
  }
  unit->remaining.store(int(n));
  for (size_t k = n; k-- > 1;) Push([this, unit, k](hs_scratch_t* s) { RunChunk(unit, k, s); }, true);
  RunChunk(unit, 0, scratch);
}

namespace {

struct ScanContext {
  std::string_view bytes;
  size_t begin, end;
  const Prefilter* pf;
  std::vector<Candidate>* cands;
  std::vector<uint32_t>* rule_ids;
  uint64_t* comment_lines;
};

int OnMatch(unsigned id, unsigned long long /*from*/, unsigned long long to, unsigned /*flags*/, void* ctx_ptr) {
  auto* c = static_cast<ScanContext*>(ctx_ptr);
  size_t abs_end = c->begin + size_t(to);
  size_t lit_start = abs_end - c->pf->LiteralLength(id);
  if (id == Prefilter::kCommentLine) {
    ++*c->comment_lines;
    return 0;
  }
  if (id == Prefilter::kFieldsDirective || id == Prefilter::kDateDirective) {
    bool at_line_start = lit_start == 0 || c->bytes[lit_start - 1] == '\n' ||
                         (lit_start == 3 && c->bytes.substr(0, 3) == "\xEF\xBB\xBF");
    if (!at_line_start) return 0;
    if (!c->cands->empty() && c->cands->back().line_start == lit_start - (lit_start == 3 && c->bytes[2] == '\xBF' ? 3 : 0)) {
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
    } else {
      cur.directive = id;
    }
    return 0;
  }
  Candidate cand;
  size_t search_from = c->begin;
  const void* prev = anchor > search_from ? memrchr(c->bytes.data() + search_from, '\n', anchor - search_from)
                                          : nullptr;
  cand.line_start = prev ? size_t(static_cast<const char*>(prev) - c->bytes.data()) + 1 : search_from;
  const void* nl = memchr(c->bytes.data() + anchor, '\n', c->end - anchor);
  cand.line_end = nl ? size_t(static_cast<const char*>(nl) - c->bytes.data()) : c->end;
  cand.rules_begin = uint32_t(c->rule_ids->size());
  cand.directive = UINT_MAX;
  if (id >= Prefilter::kFirstRuleLiteral) {
    for (unsigned r : c->pf->RulesFor(id)) c->rule_ids->push_back(r);
  } else {
    cand.directive = id;
  }
  cand.rules_count = uint32_t(c->rule_ids->size() - cand.rules_begin);
  c->cands->push_back(cand);
  return 0;
}

// Applies a directive line to the header state.
void ApplyDirective(std::string_view line, unsigned directive, LogType type, HeaderState* state) {
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  if (directive == Prefilter::kFieldsDirective && StartsWithIgnoreCase(line, "#Fields:")) {
    state->header = std::make_shared<const FieldHeader>(ParseFieldsDirective(line.substr(8), RecordFormatOf(type) != RecordFormat::kW3c));
  } else if (directive == Prefilter::kDateDirective && StartsWithIgnoreCase(line, "#Date:")) {
    state->date = ParseIsoTime(Trim(line.substr(6)));
  }
}

}  // namespace

size_t Scanner::Impl::EvaluateRecord(const FileUnit& unit, const LogContext& ctx, const FieldHeader* header,
                                     size_t start, size_t limit, const std::vector<unsigned>& rule_ids,
                                     uint64_t rel_line, ChunkResult& out, LogRecord& rec) const {
  std::string_view bytes = unit.map->bytes();
  const LogType type = unit.file.type;
  LineSpan line = LineAt(bytes, start);
  size_t record_end = line.next;
  auto damaged = [&](uint64_t& counter) {
    if (!out.damage.any()) out.damage.first_line = rel_line;
    ++counter;
  };
  if (line.end - line.start > kMaxRecordBytes) {
    out.longest_line = std::max<uint64_t>(out.longest_line, line.end - line.start);
    damaged(out.damage.too_long);
    return record_end;
  }
  rec.Reset(&ctx, header, std::string_view());
  std::string_view raw;
  if (RecordFormatOf(type) == RecordFormat::kCsv) {
    size_t avail = std::min(limit, bytes.size()) - start;
    std::string_view text = bytes.substr(start, std::min(avail, kMaxRecordBytes));
    size_t consumed = 0;
    CsvParse parsed = ParseCsvRecord(text, &consumed, &rec.values(), &rec.storage());
    record_end = start + consumed;
    raw = text.substr(0, consumed);
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    if (parsed == CsvParse::kUnterminatedQuote) damaged(out.damage.bad_quote);
  } else {
    raw = bytes.substr(line.start, line.end - line.start);
    if (RecordFormatOf(type) == RecordFormat::kW3c) SplitW3cLine(raw, &rec.values());
  }
  if (memchr(raw.data(), '\0', raw.size())) {
    damaged(out.damage.nul);
    return record_end;
  }
  rec.set_raw(raw);
  std::optional<TimeMs> time = rec.Time();
  if (options.since && (!time || *time < *options.since)) return record_end;
  if (options.until && (!time || *time > *options.until)) return record_end;
  ++out.candidates;
  const auto& all = rules->rules();
  for (unsigned r : rule_ids) {
    const SigmaRule& rule = *all[r];
    if (!rule.Matches(rec)) continue;
    Finding f;
    f.rule = all[r];
    f.time = time;
    f.path = unit.file.rel_path;
    f.line = rel_line;
    f.log_type = type;
    for (const auto& name : rule.evidence_fields()) {
      // A name that is a column of this log shows the column as logged;
      // other names (Sigma aliases, derived fields) resolve through the map.
      auto v = rec.Column(name);
      if (!v) v = rec.Field(name);
      if (!v || v->empty()) continue;
      f.evidence.emplace_back(name, std::string(v->substr(0, kMaxEvidenceValue)));
    }
    out.findings.push_back(std::move(f));
  }
  return record_end;
}

void Scanner::Impl::RunChunk(const std::shared_ptr<FileUnit>& unit, size_t k, hs_scratch_t* scratch) {
  ChunkResult& out = unit->chunks[k];
  std::string_view bytes = unit->map->bytes();
  const LogType type = unit->file.type;
  const Prefilter* pf = prefilters.at(type).get();

  std::vector<Candidate> cands;
  std::vector<uint32_t> rule_ids;
  ScanContext sc{bytes, out.begin, out.end, pf, &cands, &rule_ids, &out.comment_lines};
  if (out.begin < out.end && (bytes[out.begin] == '#' || (out.begin == 0 && bytes.substr(0, 4) == "\xEF\xBB\xBF#")))
    ++out.comment_lines;
  if (out.end > out.begin) {
    unit->map->WillRead(out.begin, out.end - out.begin);
    hs_error_t err = hs_scan(pf->database(), bytes.data() + out.begin, unsigned(out.end - out.begin), 0, scratch,
                             OnMatch, &sc);
    if (err != HS_SUCCESS) AddError(unit->file.rel_path, "prefilter scan failed (vectorscan error " + std::to_string(err) + ")");
  }

  FieldBindingCache cache;
  LogContext ctx;
  ctx.type = type;
  ctx.cache = &cache;
  if (unit->install_roots) ctx.install_roots = *unit->install_roots;
  // The header in force at the chunk start is the predecessor's end state
  // (chunks are taken in file order, so the predecessor is running or done).
  HeaderState state;
  if (k > 0) {
    std::unique_lock<std::mutex> lock(unit->mu);
    unit->cv.wait(lock, [&] { return unit->chunks[k - 1].end_known; });
    state = unit->chunks[k - 1].end_state;
  }
  {
    HeaderState end = state;
    for (const auto& c : cands) {
      if (c.directive == UINT_MAX) continue;
      std::string_view line = bytes.substr(c.line_start, c.line_end - c.line_start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ApplyDirective(line, c.directive, type, &end);
    }
    std::lock_guard<std::mutex> lock(unit->mu);
    out.end_state = std::move(end);
    out.end_known = true;
  }
  unit->cv.notify_all();
  auto header_ptr = [&]() -> const FieldHeader* {
    return state.header ? state.header.get() : DefaultHeader(type);
  };
  LogRecord rec;
  std::vector<unsigned> rules_here;
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

  auto handle = [&](size_t line_start, size_t line_end, unsigned directive, const uint32_t* ids, size_t n_ids) {
    if (line_start < consumed_to) return;
    std::string_view line = bytes.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool comment = !line.empty() && (line[0] == '#' || (line_start == 0 && line.substr(0, 4) == "\xEF\xBB\xBF#"));
    if (comment) {
      if (directive != UINT_MAX) ApplyDirective(line, directive, type, &state);
      consumed_to = line_start;
      return;
    }
    if (Trim(line).empty()) return;
    // A hit inside a quoted multi-line field: walk back to the record's first line.
    size_t start = line_start;
    if (RecordFormatOf(type) == RecordFormat::kCsv && !LooksLikeRecordStart(line)) {
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
    advance_lines(start);
    consumed_to = EvaluateRecord(*unit, ctx, header_ptr(), start, bytes.size(), rules_here, rel_line, out, rec);
  };

  if (unfiltered.empty()) {
    for (size_t i = 0; i < cands.size(); ++i) {
      const Candidate& c = cands[i];
      ctx.directive_date = state.date;
      handle(c.line_start, c.line_end, c.directive, rule_ids.data() + c.rules_begin, c.rules_count);
      // Later hits inside the same (multi-line) record join its evaluation only
      // if they were seen before; otherwise they start a new record above.
    }
  } else {
    // Slow path: some rule has no literal, so every record is evaluated.
    size_t ci = 0;
    size_t pos = out.begin;
    while (pos < out.end) {
      const void* nl = memchr(bytes.data() + pos, '\n', out.end - pos);
      size_t line_end = nl ? size_t(static_cast<const char*>(nl) - bytes.data()) : out.end;
      unsigned directive = UINT_MAX;
      std::vector<uint32_t> ids;
      while (ci < cands.size() && cands[ci].line_start < line_end) {
        if (cands[ci].line_start >= pos) {
          if (cands[ci].directive != UINT_MAX) directive = cands[ci].directive;
          ids.insert(ids.end(), rule_ids.begin() + cands[ci].rules_begin,
                     rule_ids.begin() + cands[ci].rules_begin + cands[ci].rules_count);
        }
        ++ci;
      }
      ctx.directive_date = state.date;
      handle(pos, line_end, directive, ids.data(), ids.size());
      pos = std::max(line_end + 1, consumed_to);
    }
  }
  advance_lines(out.end);
  out.newlines = rel_line;
  unit->map->DoneWith(out.begin, out.end - out.begin);
  if (unit->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) FinishFile(*unit, scratch);
}

namespace {

std::optional<TimeMs> RecordTimeAt(std::string_view bytes, size_t start, LogType type, const LogContext& ctx,
                                   const FieldHeader* header) {
  LogRecord rec;
  rec.Reset(&ctx, header, std::string_view());
  LineSpan line = LineAt(bytes, start);
  std::string_view raw = bytes.substr(line.start, line.end - line.start);
  if (raw.size() > kMaxRecordBytes) return std::nullopt;
  if (RecordFormatOf(type) == RecordFormat::kCsv) {
    size_t consumed = 0;
    ParseCsvRecord(bytes.substr(start, std::min(bytes.size() - start, kMaxRecordBytes)), &consumed, &rec.values(),
                   &rec.storage());
  } else if (RecordFormatOf(type) == RecordFormat::kW3c) {
    SplitW3cLine(raw, &rec.values());
  }
  rec.set_raw(raw);
  return rec.Time();
}

}  // namespace

void Scanner::Impl::FinishFile(FileUnit& unit, hs_scratch_t* scratch) {
  std::string_view bytes = unit.map->bytes();
  const LogType type = unit.file.type;
  HeaderState state;
  uint64_t base = 0;
  LogRecord rec;
  Damage damage;
  uint64_t damaged_first_line = 0;
  uint64_t longest = 0;
  uint64_t comment_lines = 0, candidates = 0;
  std::vector<Finding> findings;
  FieldBindingCache cache;
  LogContext ctx;
  ctx.type = type;
  ctx.cache = &cache;
  if (unit.install_roots) ctx.install_roots = *unit.install_roots;
  for (auto& c : unit.chunks) {
    for (auto& f : c.findings) {
      f.line = base + f.line + 1;
      f.host = hosts[unit.host_index].name;
      findings.push_back(std::move(f));
    }
    if (c.damage.any() && !damage.any()) damaged_first_line = base + c.damage.first_line + 1;
    damage.nul += c.damage.nul;
    damage.too_long += c.damage.too_long;
    damage.bad_quote += c.damage.bad_quote;
    longest = std::max(longest, c.longest_line);
    comment_lines += c.comment_lines;
    candidates += c.candidates;
    base += c.newlines;
    state = c.end_state;
  }
  uint64_t lines = base + ((!bytes.empty() && bytes.back() != '\n') ? 1 : 0);

  // Coverage: the first and the last record of the file.
  Coverage cov;
  cov.files = 1;
  cov.bytes = bytes.size();
  {
    HeaderState first_state;
    size_t pos = 0;
    while (pos < bytes.size() && pos < (size_t(1) << 20)) {
      LineSpan line = LineAt(bytes, pos);
      std::string_view text = bytes.substr(line.start, line.end - line.start);
      if (pos == 0 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
      if (!text.empty() && text[0] == '#') {
        ApplyDirective(text, StartsWithIgnoreCase(text, "#Fields:") ? Prefilter::kFieldsDirective
                                                                     : Prefilter::kDateDirective,
                       type, &first_state);
      } else if (!Trim(text).empty()) {
        LogContext c2 = ctx;
        c2.directive_date = first_state.date;
        cov.first = RecordTimeAt(bytes, line.start, type, c2,
                                 first_state.header ? first_state.header.get() : DefaultHeader(type));
        break;
      }
      pos = line.next;
    }
    size_t end = bytes.size();
    size_t budget = size_t(1) << 20;
    while (end > 0 && budget > 0) {
      LineSpan line = LineAt(bytes, end - 1);
      std::string_view text = bytes.substr(line.start, line.end - line.start);
      if (!Trim(text).empty() && text[0] != '#' && text.substr(0, 4) != "\xEF\xBB\xBF#") {
        LogContext c2 = ctx;
        c2.directive_date = state.date;
        cov.last = RecordTimeAt(bytes, line.start, type, c2, state.header ? state.header.get() : DefaultHeader(type));
        break;
      }
      budget -= std::min(budget, end - line.start);
      end = line.start;
    }
  }
  unit.map.reset();

  std::lock_guard<std::mutex> lock(mu);
  for (auto& f : findings) {
    auto key = std::make_pair(unit.host_index, f.rule.get());
    if (kept[key] >= options.max_findings_per_rule) {
      ++unlisted[key];
      continue;
    }
    ++kept[key];
    result.findings.push_back(std::move(f));
  }
  auto& host_cov = hosts[unit.host_index].coverage[type];
  host_cov.files += cov.files;
  host_cov.bytes += cov.bytes;
  for (auto t : {cov.first, cov.last}) {
    if (!t) continue;
    if (!host_cov.first || *t < *host_cov.first) host_cov.first = t;
    if (!host_cov.last || *t > *host_cov.last) host_cov.last = t;
  }
  result.stats.files++;
  result.stats.bytes += bytes.size();
  progress.files_done++;
  progress.bytes_done += unit.file.size;
  if (options.on_progress) options.on_progress(progress);
  result.stats.records += lines >= comment_lines ? lines - comment_lines : 0;
  result.stats.candidates += candidates;
  if (damage.any()) {
    std::string msg = "line " + std::to_string(damaged_first_line) + ": ";
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
    for (size_t i = 0; i < parts.size(); ++i) msg += (i ? "; " : "") + parts[i];
    result.errors.push_back({unit.file.rel_path, msg});
  }
}

ScanResult Scanner::Scan() {
  Impl& m = *impl_;
  auto t0 = std::chrono::steady_clock::now();
  m.result = ScanResult();
  m.hosts.clear();
  m.progress = ScanProgress();
  m.kept.clear();
  m.unlisted.clear();
  std::vector<std::shared_ptr<FileUnit>> units;
  for (const auto& root : m.options.roots) {
    DiscoveredTree tree = Discover(m.fs, root);
    HostState host;
    host.name = m.options.host.empty() ? HostNameForRoot(root) : m.options.host;
    host.install_roots = tree.install_roots;
    // Several roots may be one host (--host): merge them.
    size_t index = m.hosts.size();
    for (size_t i = 0; i < m.hosts.size(); ++i)
      if (m.hosts[i].name == host.name) index = i;
    if (index == m.hosts.size()) m.hosts.push_back(std::move(host));
    else for (auto& r : host.install_roots) m.hosts[index].install_roots.push_back(r);
    if (m.options.exposure_table) {
      ExposureAssessment a = AssessTree(m.fs, root, tree, *m.options.exposure_table);
      auto& slot = m.hosts[index].exposure;
      if (!slot || (!slot->build && a.build)) slot = std::move(a);
    }
    for (auto& e : tree.errors) m.result.errors.push_back(std::move(e));
    for (auto& f : tree.logs) {
      auto unit = std::make_shared<FileUnit>();
      m.progress.files_total++;
      m.progress.bytes_total += f.size;
      unit->file = std::move(f);
      unit->host_index = index;
      units.push_back(std::move(unit));
    }
  }
  for (auto& u : units) u->install_roots = &m.hosts[u->host_index].install_roots;
  std::stable_sort(units.begin(), units.end(),
                   [](const auto& a, const auto& b) { return a->file.size > b->file.size; });
  for (auto& u : units) m.Push([&m, u](hs_scratch_t* s) { m.StartFile(u, s); }, false);

  unsigned n = m.options.threads ? m.options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<HsScratch> scratches(n);
  for (auto& s : scratches) {
    hs_scratch_t* clone = nullptr;
    hs_clone_scratch(m.prototype.get(), &clone);
    s.reset(clone);
  }
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([&m, &scratches, i] { m.Worker(scratches[i].get()); });
  m.Worker(scratches[0].get());
  for (auto& t : threads) t.join();

  ScanResult out = std::move(m.result);
  std::sort(out.findings.begin(), out.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.host != b.host) return a.host < b.host;
    TimeMs ta = a.time.value_or(0), tb = b.time.value_or(0);
    if (ta != tb) return ta < tb;
    if (a.path != b.path) return a.path < b.path;
    if (a.line != b.line) return a.line < b.line;
    return a.rule->id() < b.rule->id();
  });
  for (size_t hi = 0; hi < m.hosts.size(); ++hi) {
    const auto& h = m.hosts[hi];
    std::vector<const Finding*> mine;
    for (const auto& f : out.findings)
      if (f.host == h.name) mine.push_back(&f);
    out.hosts.push_back(JudgeHost(h.name, mine, h.coverage, h.exposure, m.options.exposure_table));
    HostReport& report = out.hosts.back();
    for (const auto& [key, n] : m.unlisted) {
      if (key.first != hi) continue;
      report.unlisted[key.second->id()] += n;
      report.by_severity[size_t(key.second->severity())] += n;
      for (const auto& cve : key.second->cves()) report.by_cve[cve] += n;
    }
  }
  std::sort(out.errors.begin(), out.errors.end(),
            [](const ScanError& a, const ScanError& b) { return a.path < b.path; });
  out.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace exhunt
