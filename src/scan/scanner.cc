#include "scan/scanner.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

#include "base/process.h"
#include "base/work_pool.h"
#include "exposure/tree_assessment.h"
#include "finding/file_requests.h"
#include "finding/verdict.h"
#include "reader/event_json_reader.h"
#include "reader/evtx_reader.h"
#include "reader/file_reader.h"
#include "reader/text_log_reader.h"
#include "rule/yara_rule.h"
#include "source/archive.h"
#include "source/packed_log.h"
#include "source/discovery.h"

namespace exhunt {

std::string HostNameForRoot(const std::string& root) {
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  size_t slash = r.rfind('/');
  std::string name = slash == std::string::npos ? r : r.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") return "localhost";
  return name;
}

namespace {

constexpr size_t kMaxEvidenceValue = 4096;

// Bytes of findings a host keeps, against ScanOptions::max_findings_bytes.
struct FindingBudget {
  std::atomic<uint64_t> used{0}, over{0};
};

// Where a finding stands in the evidence: the file's place in the host's
// plan, its chunk, and the record's place in the chunk's reading order.
struct EvidenceOrder {
  uint64_t file = 0, chunk = 0, record = 0;
  auto operator<=>(const EvidenceOrder&) const = default;
};

// Which findings of each rule a host keeps: the first max_findings_per_rule
// in evidence order, whatever order the workers meet them in, so that the
// same evidence lists the same findings (and the earliest ones) on any
// number of threads. Each rule's kept orders are a max-heap: a finding
// earlier than the latest kept one replaces it. Memory stays bounded: a
// chunk keeps a finding only while it is among the first so far, and what
// a later, earlier finding displaced is dropped when its file is taken in.
class FirstFindings {
 public:
  FirstFindings(size_t rules, uint64_t limit) : limit_(limit), rules_(rules) {}
  // Whether the finding is among the first so far (keep it, for now).
  bool Offer(unsigned rule, const EvidenceOrder& at) {
    PerRule& r = rules_[rule];
    std::lock_guard<std::mutex> lock(r.mu);
    if (limit_ == 0) return false;
    if (r.kept.size() < limit_) {
      r.kept.push_back(at);
      std::push_heap(r.kept.begin(), r.kept.end());
      return true;
    }
    if (!(at < r.kept.front())) return false;
    std::pop_heap(r.kept.begin(), r.kept.end());
    r.kept.back() = at;
    std::push_heap(r.kept.begin(), r.kept.end());
    return true;
  }
  // Whether a finding kept earlier is still among the first.
  bool Kept(unsigned rule, const EvidenceOrder& at) {
    PerRule& r = rules_[rule];
    std::lock_guard<std::mutex> lock(r.mu);
    return r.kept.size() < limit_ || !(r.kept.front() < at);
  }

 private:
  struct PerRule {
    std::mutex mu;
    std::vector<EvidenceOrder> kept;
  };
  const uint64_t limit_;
  std::vector<PerRule> rules_;
};

struct PendingFinding {
  Finding finding;
  RecordPlace place;
  unsigned rule = 0;  // index in the rule set
  EvidenceOrder order;
};

// A hit of a rule a correlation names, before its place is a position.
struct PendingObservation {
  unsigned correlation = 0;
  Observation observation;
  RecordPlace place;
};

// Hits of correlated rules kept per correlation and host; past it they are
// counted, and the host says so.
constexpr uint64_t kMaxObservations = 200000;

struct FileUnit {
  EvidenceFile file;
  uint64_t order = 0;  // in the host's plan
  size_t tree = 0;  // index of the host's root it came from
  std::unique_ptr<MappedFile> map;
  std::unique_ptr<FileReading> reading;
  std::vector<std::vector<PendingFinding>> chunk_findings;
  std::vector<std::vector<PendingObservation>> chunk_observations;
  std::vector<uint64_t> chunk_candidates;
  std::atomic<int> remaining{0};
};

struct HostRun {
  std::string name;
  size_t index = 0;                   // in the run's plan, the order hosts are reported in
  std::atomic<size_t> files_left{0};  // files not yet finished; the host is done at 0
  std::vector<DiscoveredTree> trees;         // one per root of this host
  std::vector<FileSystem*> tree_fs;          // what each tree is read through
  std::vector<std::unique_ptr<PackedLogs>> packed;  // each tree's compressed logs
  std::vector<UnpackedCollection> unpacked;  // collections unpacked for this host, removed when it is done
  std::vector<std::string> install_roots;    // of every root
  std::vector<std::shared_ptr<FileUnit>> units;
  // Filled while its files are read (under the scanner's lock).
  HostCoverage coverage;
  std::vector<Finding> findings;
  // Of the findings of rule evaluation (the first of host.findings), the
  // rule and place in the evidence of each, until the host is judged.
  std::vector<std::pair<unsigned, EvidenceOrder>> finding_orders;
  std::map<const RuleInfo*, uint64_t> unlisted;
  // Findings per rule index, kept or not (what is not kept is unlisted),
  // and which of them are kept: the first in evidence order.
  std::unique_ptr<std::atomic<uint64_t>[]> matched;
  std::unique_ptr<FirstFindings> first;
  std::unique_ptr<FindingBudget> budget = std::make_unique<FindingBudget>();
  // Correlation input, per correlation: the hits of the rules it names
  // (Observation::tag indexes `observed_at`), and how many there were.
  std::vector<std::vector<Observation>> observations;
  struct ObservedAt {
    uint32_t file;  // index into observed_files
    SourceRef::Kind kind;
    uint64_t position;
    LogType log_type;
  };
  std::vector<ObservedAt> observed_at;
  std::vector<std::string> observed_files;
  std::unique_ptr<std::atomic<uint64_t>[]> observed;
  std::vector<ScanError> errors;
  std::vector<SkippedFile> skipped;            // by readers; discovery's are in the trees
  std::vector<std::vector<LoggedHead>> heads;  // per tree
};

// The correlation keys of a record (finding.h), by the rule names every
// vocabulary binds (ClientIpAddress is c-ip on IIS), at most
// kMaxEvidenceValue bytes each.
std::vector<std::pair<std::string, std::string>> CorrelationKeys(const Record& record) {
  std::vector<std::pair<std::string, std::string>> keys;
  auto add = [&](std::string_view key, std::initializer_list<std::string_view> fields) {
    for (auto name : fields) {
      auto v = record.Field(name);
      if (v && !v->empty() && *v != "-") {
        keys.emplace_back(std::string(key), std::string(v->substr(0, kMaxEvidenceValue)));
        return;
      }
    }
  };
  add("client", {"ClientIpAddress"});
  add("user_agent", {"UserAgent", "ClientInfo"});
  add("user", {"AuthenticatedUser"});
  add("url", {"UrlStem"});
  add("request_id", {"RequestId"});
  // The ECP canary travels in the query or a cookie; the raw record has it either way.
  std::string_view raw = record.Raw();
  constexpr std::string_view kCanary = "msExchEcpCanary=";
  if (size_t at = FindIgnoreCase(raw, kCanary); at != std::string_view::npos) {
    std::string_view value = raw.substr(at + kCanary.size());
    value = value.substr(0, std::min(value.find_first_of("&;, \"\r\n"), kMaxEvidenceValue));
    if (!value.empty()) keys.emplace_back("canary", std::string(value));
  }
  add("file", {"DownloadPath", "Path"});
  add("sha256", {"SHA256"});
  return keys;
}

// Evaluates the records one chunk's reader selected against their rules.
class RuleEvaluator final : public RecordSink {
 public:
  RuleEvaluator(const RuleSet& rules, const ScanOptions& options, const EvidenceFile& file, EvidenceOrder chunk,
                std::vector<PendingFinding>* out, uint64_t* candidates, std::atomic<uint64_t>* matched,
                FirstFindings* first, FindingBudget* budget, std::vector<PendingObservation>* observations,
                std::atomic<uint64_t>* observed)
      : rules_(rules),
        options_(options),
        file_(file),
        at_(chunk),
        out_(out),
        candidates_(candidates),
        matched_(matched),
        first_(first),
        budget_(budget),
        observations_(observations),
        observed_(observed) {}

  void OnRecord(const Record& record, const RecordPlace& place, std::span<const unsigned> rule_ids) override {
    std::optional<TimeMs> time = record.Time();
    if (options_.since && (!time || *time < *options_.since)) return;
    if (options_.until && (!time || *time > *options_.until)) return;
    ++*candidates_;
    ++at_.record;
    std::vector<std::pair<std::string, std::string>> keys;  // read once, for the first match
    const auto& all = rules_.rules();
    for (unsigned r : rule_ids) {
      const Rule& rule = *all[r];
      if (!rule.Matches(record)) continue;
      if (const auto& inputs = rules_.CorrelationInputs(r); !inputs.empty()) Observe(record, time, place, inputs);
      if (rules_.FeedsOnly(r)) continue;  // its hits feed a correlation only
      matched_[r].fetch_add(1, std::memory_order_relaxed);
      if (!first_->Offer(r, at_)) continue;  // counted, not kept
      PendingFinding p;
      p.place = place;
      p.rule = r;
      p.order = at_;
      Finding& f = p.finding;
      f.rule = rule.info();
      f.time = time;
      f.source.path = file_.rel_path;
      f.log_type = file_.type;
      for (const auto& name : rule.evidence_fields()) {
        auto v = record.EvidenceValue(name);
        if (!v || v->empty()) continue;
        f.evidence.emplace_back(name, std::string(v->substr(0, kMaxEvidenceValue)));
      }
      if (std::string why = rule.Explain(record); !why.empty())
        f.evidence.emplace_back("matched", why.substr(0, kMaxEvidenceValue));
      if (keys.empty()) keys = CorrelationKeys(record);
      f.keys = keys;
      // The host's memory budget for kept findings: past it, findings are
      // counted like those past the per-rule limit, and the host says so.
      uint64_t bytes = sizeof(PendingFinding) + f.source.path.size();
      for (const auto& [k, v] : f.evidence) bytes += k.size() + v.size() + 64;
      for (const auto& [k, v] : f.keys) bytes += k.size() + v.size() + 64;
      if (options_.max_findings_bytes &&
          budget_->used.fetch_add(bytes, std::memory_order_relaxed) + bytes > options_.max_findings_bytes) {
        budget_->over.fetch_add(1, std::memory_order_relaxed);
        continue;  // counted (matched), not kept
      }
      out_->push_back(std::move(p));
    }
  }

 private:
  const RuleSet& rules_;
  const ScanOptions& options_;
  const EvidenceFile& file_;
  EvidenceOrder at_;  // of the record being evaluated
  std::vector<PendingFinding>* out_;
  uint64_t* candidates_;
  std::atomic<uint64_t>* matched_;
  FirstFindings* first_;
  FindingBudget* budget_;
  std::vector<PendingObservation>* observations_;
  std::atomic<uint64_t>* observed_;

  // A hit of a rule that correlations take: its group-by values (through
  // each correlation's aliases) and counted value, for each of them.
  void Observe(const Record& record, std::optional<TimeMs> time, const RecordPlace& place,
               const std::vector<RuleSet::CorrelationInput>& inputs) {
    if (!time) return;  // a hit without a time cannot be placed in a window
    for (const auto& in : inputs) {
      if (observed_[in.correlation].fetch_add(1, std::memory_order_relaxed) >= kMaxObservations) continue;
      const CorrelationRule& corr = *rules_.correlations()[in.correlation];
      PendingObservation p;
      p.correlation = in.correlation;
      p.place = place;
      Observation& o = p.observation;
      o.member = in.member;
      o.time = *time;
      for (size_t g = 0; g < corr.group_by().size(); ++g) {
        if (g) o.group += '\x1f';
        auto v = record.Field(corr.FieldFor(corr.group_by()[g], in.member));
        if (v) o.group.append(v->substr(0, kMaxEvidenceValue));
      }
      if (!corr.value_field().empty()) {
        auto v = record.Field(corr.FieldFor(corr.value_field(), in.member));
        if (v) o.value.assign(v->substr(0, kMaxEvidenceValue));
      }
      observations_->push_back(std::move(p));
    }
  }
};

SourceRef::Kind SourceKindOf(PositionKind k) {
  switch (k) {
    case PositionKind::kLine:
      return SourceRef::Kind::kLine;
    case PositionKind::kRecord:
      return SourceRef::Kind::kRecord;
    case PositionKind::kOffset:
      return SourceRef::Kind::kOffset;
    case PositionKind::kFile:
      return SourceRef::Kind::kFile;
  }
  return SourceRef::Kind::kLine;
}

}  // namespace

struct Scanner::Impl {
  FileSystem* fs;
  std::unique_ptr<FileSystem> posix = NewPosixFileSystem();  // for unpacked collections
  const RuleSet* rules;
  ScanOptions options;
  RuleSet::DigestNeeds digests;  // of files' content, beyond SHA-256
  // By kind; kinds whose rules and literals are the same (EVTX and JSON
  // events) share one database.
  std::map<LogType, std::shared_ptr<const Prefilter>> prefilters;
  HsScratch prototype;
  TextLogReader text_reader;
  FileReader file_reader;
  EvtxReader evtx_reader;
  EventJsonReader event_json_reader;
  std::vector<const EvidenceReader*> readers = {&text_reader, &file_reader, &evtx_reader, &event_json_reader};

  std::mutex mu;
  ScanProgress progress;
  ScanStats stats;
  std::vector<WorkerScratch> scratch;

  // The hosts of one Run: named up front, started at most
  // options.hosts_in_flight at a time (each host's roots are discovered,
  // and collections unpacked, only when it starts), reported to the sink in
  // plan order as each finishes, and released at once.
  struct HostPlan {
    std::string name;
    std::vector<size_t> roots;
  };
  std::vector<HostPlan> plans;
  std::vector<char> collection;  // per root: a collection archive to unpack
  std::vector<std::unique_ptr<HostRun>> runs;
  std::vector<char> done;
  size_t next_start = 0, next_report = 0;
  std::mutex host_mu;  // the three above, and every call to the sink
  WorkPool* pool = nullptr;
  ScanSink* sink = nullptr;
  std::vector<ScanError> engine_errors;  // engines that could not run: every host says so
  bool no_scratch = false;               // no prefilter scratch: no file can be read

  const EvidenceReader* ReaderFor(LogType type) const {
    for (const auto* r : readers)
      if (r->Reads(KindOf(type))) return r;
    return nullptr;
  }
  void FileDone(uint64_t size) {
    progress.files_done++;
    progress.bytes_done += size;
    if (options.on_progress) options.on_progress(progress);
  }
  void StartHost(size_t k);
  void HostFinished(size_t k);
  void FileOver(HostRun& host) {
    if (host.files_left.fetch_sub(1, std::memory_order_acq_rel) == 1) HostFinished(host.index);
  }
  void StartFile(HostRun& host, const std::shared_ptr<FileUnit>& unit, unsigned worker);
  void RunChunk(HostRun& host, const std::shared_ptr<FileUnit>& unit, size_t k, unsigned worker);
  void FinishFile(HostRun& host, FileUnit& unit);
  void Correlate(HostRun& host);
  void FinishHost(HostRun& host, ScanSink& sink);
};

Scanner::Scanner(FileSystem* fs, const RuleSet* rules, ScanOptions options) : impl_(new Impl) {
  impl_->fs = fs;
  impl_->rules = rules;
  impl_->options = std::move(options);
}

Scanner::~Scanner() = default;

Status Scanner::Prepare() {
  impl_->digests = impl_->rules->FileDigestsNeeded();
  // Covers and databases are made in parallel: the IIS database and the
  // event-log one (with many user rules) dominate start-up.
  auto kinds = EvidenceKinds();
  const unsigned n =
      std::max(1u, std::min(impl_->options.threads ? impl_->options.threads : std::thread::hardware_concurrency(),
                            unsigned(kinds.size())));
  auto in_parallel = [&](const std::function<void(size_t)>& work) {
    std::vector<std::thread> workers;
    std::atomic<size_t> next{0};
    for (unsigned w = 0; w < n; ++w)
      workers.emplace_back([&] {
        for (size_t i; (i = next++) < kinds.size();) work(i);
      });
    for (auto& t : workers) t.join();
  };
  std::vector<std::vector<RuleCover>> covers(kinds.size());
  in_parallel([&](size_t i) { covers[i] = impl_->rules->Covers(kinds[i].type); });
  // Kinds with the same covers (EVTX and JSON events) share one database.
  auto same_covers = [](const std::vector<RuleCover>& a, const std::vector<RuleCover>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].rule != b[i].rule || a[i].literals != b[i].literals || a[i].requirements != b[i].requirements)
        return false;
    return true;
  };
  std::vector<size_t> same_as(kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    same_as[i] = i;
    for (size_t j = 0; j < i && same_as[i] == i; ++j)
      if (same_as[j] == j && HoldsWindowsEvents(kinds[i].type) == HoldsWindowsEvents(kinds[j].type) &&
          !covers[i].empty() && same_covers(covers[i], covers[j]))
        same_as[i] = j;
  }
  std::vector<std::optional<Result<std::unique_ptr<Prefilter>>>> built(kinds.size());
  in_parallel([&](size_t i) {
    if (same_as[i] == i) built[i] = Prefilter::Build(covers[i], kinds[i].type, impl_->options.prefilter_cache);
  });
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (same_as[i] != i) {
      impl_->prefilters[kinds[i].type] = impl_->prefilters[kinds[same_as[i]].type];
      continue;
    }
    auto& pf = *built[i];
    if (!pf.ok()) return pf.status();
    // Event readers grow their worker's scratch for the databases they use.
    if (!HoldsWindowsEvents(kinds[i].type)) {
      Status s = pf.value()->AllocScratch(&impl_->prototype);
      if (!s.ok()) return s;
    }
    impl_->prefilters[kinds[i].type] = std::move(pf.value());
  }
  return Status::Ok();
}

const Prefilter* Scanner::prefilter(LogType type) const {
  auto it = impl_->prefilters.find(type);
  return it == impl_->prefilters.end() ? nullptr : it->second.get();
}

void Scanner::Impl::StartFile(HostRun& host, const std::shared_ptr<FileUnit>& unit, unsigned worker) {
  const EvidenceReader* reader = ReaderFor(unit->file.type);
  auto pf = prefilters.find(unit->file.type);
  auto opened = OpenEvidence(host.tree_fs[unit->tree], unit->file, host.packed[unit->tree].get());
  if (!opened.ok() || !reader || pf == prefilters.end()) {
    {
      std::lock_guard<std::mutex> lock(mu);
      host.errors.push_back(
          {unit->file.rel_path, opened.ok() ? "no reader for this kind of evidence" : opened.status().message()});
      FileDone(unit->file.size);
    }
    FileOver(host);
    return;
  }
  if (!opened->problems.empty()) {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& p : opened->problems) host.errors.push_back({unit->file.rel_path, std::move(p)});
  }
  unit->map = std::move(opened->map);
  ReadContext context;
  context.prefilter = pf->second.get();
  context.rules = rules;
  context.yara = rules->yara_engines();
  context.max_content_bytes = options.max_content_bytes;
  context.install_roots = &host.install_roots;
  context.chunk_bytes = options.chunk_bytes;
  context.split_threshold = options.split_threshold;
  context.md5 = digests.md5;
  context.sha1 = digests.sha1;
  unit->reading = reader->Open(unit->file, *unit->map, context);
  size_t n = unit->reading->chunk_count();
  unit->chunk_findings.resize(n);
  unit->chunk_observations.resize(n);
  unit->chunk_candidates.assign(n, 0);
  unit->remaining.store(int(n));
  // Later chunks go to the front of the queue so that idle workers help
  // with this file while the first chunk runs here.
  for (size_t k = n; k-- > 1;)
    pool->Push([this, &host, unit, k](unsigned w) { RunChunk(host, unit, k, w); }, /*urgent=*/true);
  RunChunk(host, unit, 0, worker);
}

void Scanner::Impl::RunChunk(HostRun& host, const std::shared_ptr<FileUnit>& unit, size_t k, unsigned worker) {
  RuleEvaluator evaluator(*rules, options, unit->file, EvidenceOrder{unit->order, k, 0}, &unit->chunk_findings[k],
                          &unit->chunk_candidates[k], host.matched.get(), host.first.get(), host.budget.get(),
                          &unit->chunk_observations[k], host.observed.get());
  unit->reading->ReadChunk(k, scratch[worker], evaluator);
  if (unit->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    FinishFile(host, *unit);
    FileOver(host);
  }
}

void Scanner::Impl::FinishFile(HostRun& host, FileUnit& unit) {
  FileFacts facts = unit.reading->Finish();
  const SourceRef::Kind kind = SourceKindOf(ReaderFor(unit.file.type)->position_kind());
  std::vector<Finding> findings;
  std::vector<std::pair<unsigned, EvidenceOrder>> orders;
  uint64_t candidates = 0;
  for (size_t k = 0; k < unit.chunk_findings.size(); ++k) {
    candidates += unit.chunk_candidates[k];
    for (auto& p : unit.chunk_findings[k]) {
      if (!host.first->Kept(p.rule, p.order)) continue;  // displaced by earlier ones since
      p.finding.source.kind = kind;
      p.finding.source.position = unit.reading->SourcePosition(p.place);
      p.finding.host = host.name;
      findings.push_back(std::move(p.finding));
      orders.emplace_back(p.rule, p.order);
    }
  }
  unit.chunk_findings.clear();
  std::vector<PendingObservation> observed;
  for (auto& chunk : unit.chunk_observations)
    for (auto& p : chunk) {
      p.place.position = unit.reading->SourcePosition(p.place);
      observed.push_back(std::move(p));
    }
  unit.chunk_observations.clear();
  const uint64_t bytes = unit.map->bytes().size();
  unit.reading.reset();
  unit.map.reset();

  std::lock_guard<std::mutex> lock(mu);
  if (!facts.not_read.empty()) {
    host.skipped.push_back({unit.file.rel_path, facts.not_read, bytes});
    FileDone(unit.file.size);
    return;
  }
  if (!facts.content_not_read.empty()) host.skipped.push_back({unit.file.rel_path, facts.content_not_read, bytes});
  for (auto& f : findings) host.findings.push_back(std::move(f));
  host.finding_orders.insert(host.finding_orders.end(), orders.begin(), orders.end());
  if (!observed.empty()) {
    const auto file = uint32_t(host.observed_files.size());
    host.observed_files.push_back(unit.file.rel_path);
    for (auto& p : observed) {
      p.observation.tag = host.observed_at.size();
      host.observed_at.push_back({file, kind, p.place.position, unit.file.type});
      host.observations[p.correlation].push_back(std::move(p.observation));
    }
  }
  // Coverage counts only what lies inside the scan window.
  std::vector<TimeSpan> spans =
      ClipSpans(facts.spans, options.since.value_or(INT64_MIN), options.until.value_or(INT64_MAX));
  std::optional<TimeMs> first = facts.first, last = facts.last;
  if (options.since || options.until) {  // first and last inside the window too
    first = spans.empty() ? std::nullopt : std::optional<TimeMs>(spans.front().first);
    last = spans.empty() ? std::nullopt : std::optional<TimeMs>(spans.back().last);
  }
  AddToCoverage(&host.coverage.by_kind[unit.file.type], bytes, first, last, spans);
  AddToCoverage(&host.coverage.by_family[EvidenceFamily(unit.file.type, unit.file.rel_path)], bytes, first, last,
                spans);
  if (HeadShowsBuild(unit.file.type)) host.heads[unit.tree].push_back({unit.file.rel_path, unit.file.type, facts.head});
  for (auto& p : facts.problems) host.errors.push_back({unit.file.rel_path, std::move(p)});
  stats.files++;
  if (unit.file.type != LogType::kFile) stats.log_files++;
  stats.bytes += bytes;
  stats.records += facts.records;
  stats.candidates += candidates;
  FileDone(unit.file.size);
}

// Each correlation's windows over the host's hits of the rules it names
// become findings of the correlation: at the event that closed the window,
// with the group's values, the window and what was counted.
void Scanner::Impl::Correlate(HostRun& host) {
  const auto& correlations = rules->correlations();
  for (size_t c = 0; c < correlations.size(); ++c) {
    const CorrelationRule& corr = *correlations[c];
    const uint64_t seen = host.observed[c].load();
    if (seen > kMaxObservations)
      host.errors.push_back({".", "correlation " + corr.info()->id + ": " + std::to_string(seen - kMaxObservations) +
                                      " hit(s) of its rules past the first " + std::to_string(kMaxObservations) +
                                      " on this host were not correlated"});
    auto& obs = host.observations[c];
    if (obs.empty()) continue;
    uint64_t kept = 0;
    for (const CorrelationHit& hit : EvaluateCorrelation(corr, &obs)) {
      if (kept++ >= options.max_findings_per_rule) {
        host.unlisted[corr.info().get()]++;
        continue;
      }
      const Observation& last = obs[hit.last];
      const auto& at = host.observed_at[last.tag];
      Finding f;
      f.rule = corr.info();
      f.host = host.name;
      f.time = last.time;
      f.source = {host.observed_files[at.file], at.kind, at.position};
      f.log_type = at.log_type;
      auto values = SplitGroup(hit.group);
      for (size_t g = 0; g < corr.group_by().size() && g < values.size(); ++g)
        f.evidence.emplace_back(corr.group_by()[g], values[g]);
      f.evidence.emplace_back("correlation", std::string(CorrelationTypeName(corr.type())) + " of " +
                                                 Join(corr.rules(), ", "));
      const std::string counted = corr.type() == CorrelationType::kValueCount ? "distinct " + corr.value_field()
                                                                              : std::string("events");
      f.evidence.emplace_back(counted, std::to_string(hit.count) +
                                           (corr.condition().ToString().empty() ? "" : " (" + corr.condition().ToString() + ")"));
      f.evidence.emplace_back("window", FormatIsoTime(obs[hit.first].time) + " .. " + FormatIsoTime(last.time));
      const auto& first_at = host.observed_at[obs[hit.first].tag];
      f.evidence.emplace_back("first event", SourceRef{host.observed_files[first_at.file], first_at.kind,
                                                       first_at.position}.ToString());
      host.findings.push_back(std::move(f));
    }
    obs.clear();
  }
}

void Scanner::Impl::FinishHost(HostRun& host, ScanSink& sink) {
  // The first findings of each rule in evidence order stay; the others,
  // and those past the memory budget, are counted per rule.
  {
    std::vector<uint64_t> present(rules->rules().size(), 0);
    size_t out = 0;
    for (size_t i = 0; i < host.findings.size(); ++i) {
      if (i < host.finding_orders.size()) {
        const auto& [rule, order] = host.finding_orders[i];
        if (!host.first->Kept(rule, order)) continue;
        ++present[rule];
      }
      if (out != i) host.findings[out] = std::move(host.findings[i]);
      ++out;
    }
    host.findings.resize(out);
    host.finding_orders.clear();
    host.first.reset();
    for (size_t r = 0; r < present.size(); ++r)
      if (uint64_t n = host.matched[r].load(); n > present[r]) host.unlisted[rules->rules()[r]->info().get()] += n - present[r];
  }
  std::optional<ExposureAssessment> exposure;
  if (options.exposure_table) {
    for (size_t t = 0; t < host.trees.size(); ++t) {
      auto& heads = host.heads[t];
      std::sort(heads.begin(), heads.end(),
                [](const LoggedHead& a, const LoggedHead& b) { return a.rel_path < b.rel_path; });
      ExposureAssessment a = AssessTree(host.tree_fs[t], host.trees[t], heads, *options.exposure_table);
      if (!exposure || (!exposure->build && a.build)) exposure = std::move(a);
    }
  }
  // A file the known-good baseline knows by its hash raises nothing; the
  // host record counts what was dropped, so that nothing goes unsaid.
  uint64_t known_good = 0;
  if (const Baseline* baseline = rules->baseline()) {
    std::erase_if(host.findings, [&](const Finding& f) {
      if (f.source.kind != SourceRef::Kind::kFile) return false;
      for (const auto& [k, v] : f.keys)
        if (k == "sha256" && baseline->KnownHash(v)) return ++known_good, true;
      return false;
    });
  }
  Correlate(host);
  WeighFilesModifiedInCampaigns(&host.findings, VerdictRules::Builtin().campaigns());
  JoinRequestsToFiles(&host.findings);
  std::sort(host.findings.begin(), host.findings.end(), FindingBefore);
  std::vector<const Finding*> mine;
  mine.reserve(host.findings.size());
  for (const auto& f : host.findings) mine.push_back(&f);
  host.coverage.since = options.since;
  host.coverage.until = options.until;
  HostReport report = JudgeHost(host.name, mine, host.coverage, exposure, options.exposure_table);
  report.known_good_findings = known_good;
  for (const auto& tree : host.trees) host.skipped.insert(host.skipped.end(), tree.skipped.begin(), tree.skipped.end());
  std::sort(host.skipped.begin(), host.skipped.end(),
            [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; });
  for (const auto& f : host.skipped) {
    ++report.skipped_by_reason[f.reason];
    if (report.skipped.size() < kMaxSkippedListed) report.skipped.push_back(f);
  }
  if (uint64_t over = host.budget->over.load())
    host.errors.push_back({".", std::to_string(over) + " finding(s) past the memory budget of " +
                                    std::to_string(options.max_findings_bytes >> 20) +
                                    " MiB for one host's findings were counted, not kept (see unlisted)"});
  for (const auto& [rule, n] : host.unlisted) {
    report.unlisted[rule->id] += n;
    report.by_severity[size_t(rule->severity)] += n;
    for (const auto& cve : rule->cves) report.by_cve[cve] += n;
  }
  for (const auto& f : host.findings) sink.OnFinding(f);
  sink.OnHost(report);
  std::sort(host.errors.begin(), host.errors.end(),
            [](const ScanError& a, const ScanError& b) { return a.path < b.path; });
  for (auto& e : host.errors) {
    e.host = host.name;
    sink.OnError(e);
  }
}

void Scanner::Impl::StartHost(size_t k) {
  auto run = std::make_unique<HostRun>();
  HostRun& host = *run;
  host.name = plans[k].name;
  host.index = k;
  host.matched = std::make_unique<std::atomic<uint64_t>[]>(rules->rules().size());
  host.first = std::make_unique<FirstFindings>(rules->rules().size(), options.max_findings_per_rule);
  host.observed = std::make_unique<std::atomic<uint64_t>[]>(rules->correlations().size());
  host.observations.resize(rules->correlations().size());
  host.errors = engine_errors;
  for (size_t r : plans[k].roots) {
    const std::string& root = options.roots[r];
    FileSystem* tree_fs = fs;
    std::string tree_root = root;
    std::vector<ScanError> unpack_errors;
    if (collection[r]) {
      auto file = fs->Open(root);
      auto unpacked = file.ok() ? UnpackCollection(file.value()->bytes(), root,
                                                   options.unpack_dir.empty() ? TempParent() : options.unpack_dir,
                                                   options.unpack_limits)
                                : Result<UnpackedCollection>(file.status());
      if (unpacked.ok()) {
        tree_root = unpacked.value().dir;
        tree_fs = posix.get();
        unpack_errors = std::move(unpacked.value().refused);
        host.unpacked.push_back(std::move(unpacked.value()));
      } else {
        // Not an archive after all (a lone .gz log): the file itself is the evidence.
        unpack_errors.push_back(
            {HostNameForRoot(root), "read as a file, not unpacked: " + unpacked.status().message()});
      }
    }
    DiscoveredTree tree = Discover(tree_fs, tree_root);
    for (auto& e : unpack_errors) host.errors.push_back(std::move(e));
    for (auto& ir : tree.install_roots) host.install_roots.push_back(ir);
    for (auto& e : tree.errors) host.errors.push_back(std::move(e));
    tree.errors.clear();
    std::vector<EvidenceFile*> evidence;
    for (auto& f : tree.logs) evidence.push_back(&f);
    for (auto& f : tree.files) evidence.push_back(&f);
    uint64_t files = 0, bytes = 0;
    auto packed = std::make_unique<PackedLogs>(options.unpack_dir.empty() ? TempParent() : options.unpack_dir,
                                               options.unpack_limits, options.max_file_size);
    for (EvidenceFile* e : evidence) {
      const EvidenceFile& f = *e;
      if (f.type != LogType::kFile && options.max_file_size && f.size > options.max_file_size) {
        tree.skipped.push_back(
            {f.rel_path, "larger than --max-file-size (" + std::to_string(options.max_file_size) + " bytes)", f.size});
        continue;
      }
      if (no_scratch) {
        host.errors.push_back({f.rel_path, "not read: cannot allocate scan scratch"});
        continue;
      }
      auto unit = std::make_shared<FileUnit>();
      ++files;
      bytes += f.size;
      unit->file = f;
      if (f.packed) packed->Want(f.path, *f.packed);
      unit->order = host.units.size();
      unit->tree = host.trees.size();
      host.units.push_back(std::move(unit));
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      progress.files_total += files;
      progress.bytes_total += bytes;
    }
    host.trees.push_back(std::move(tree));
    host.tree_fs.push_back(tree_fs);
    host.packed.push_back(std::move(packed));
    host.heads.emplace_back();
  }
  // Largest first, so that the pool ends evenly; the logs of one archive
  // together, at the place of its largest, so that the entries unpacked
  // in one pass are read and released one after another.
  auto archive_of = [](const FileUnit& u) {
    return std::make_pair(u.tree, u.file.in_archive() ? std::string_view(u.file.path) : std::string_view());
  };
  std::map<std::pair<size_t, std::string_view>, uint64_t> archive_size;
  for (const auto& u : host.units)
    if (u->file.in_archive()) {
      uint64_t& size = archive_size[archive_of(*u)];
      size = std::max(size, u->file.size);
    }
  std::vector<std::pair<uint64_t, std::shared_ptr<FileUnit>>> by_weight;
  by_weight.reserve(host.units.size());
  for (auto& u : host.units)
    by_weight.emplace_back(u->file.in_archive() ? archive_size.at(archive_of(*u)) : u->file.size, std::move(u));
  std::stable_sort(by_weight.begin(), by_weight.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    if (auto ga = archive_of(*a.second), gb = archive_of(*b.second); ga != gb) return ga < gb;
    return a.second->file.size > b.second->file.size;
  });
  for (size_t i = 0; i < by_weight.size(); ++i) host.units[i] = std::move(by_weight[i].second);
  host.files_left.store(host.units.size());
  const bool empty = host.units.empty();
  {
    std::lock_guard<std::mutex> lock(host_mu);
    runs[k] = std::move(run);
  }
  if (empty) {
    HostFinished(k);
    return;
  }
  // From a copy: once the first file is pushed, a worker may finish the
  // whole host, report it and release it while this loop still runs.
  const std::vector<std::shared_ptr<FileUnit>> units = host.units;
  HostRun* const run_ptr = &host;
  for (const auto& u : units) pool->Push([this, run_ptr, u](unsigned w) { StartFile(*run_ptr, u, w); });
}

void Scanner::Impl::HostFinished(size_t k) {
  std::vector<size_t> to_start;
  {
    std::lock_guard<std::mutex> lock(host_mu);
    done[k] = 1;
    while (next_report < plans.size() && done[next_report]) {
      HostRun& host = *runs[next_report];
      host.units.clear();
      FinishHost(host, *sink);
      for (const auto& u : host.unpacked) RemoveUnpacked(u);
      runs[next_report].reset();  // release this host's results at once
      ++next_report;
      {
        std::lock_guard<std::mutex> plock(mu);
        progress.hosts_done = next_report;
        if (options.on_progress) options.on_progress(progress);
      }
      if (next_start < plans.size()) to_start.push_back(next_start++);
    }
  }
  for (size_t s : to_start) StartHost(s);
}

ScanStats Scanner::Run(ScanSink& sink) {
  Impl& m = *impl_;
  auto t0 = std::chrono::steady_clock::now();
  m.stats = ScanStats();
  m.progress = ScanProgress();
  // Name every host first; roots given the same host name (--host) are one
  // host. Names taken from folders never join roots: two roots both called
  // EXCH01 are two servers, told apart by their parent folders. A root
  // that is a collection (zip, 7z, tar) is read as the tree inside it,
  // named after the archive.
  const auto& roots = m.options.roots;
  m.collection.assign(roots.size(), 0);
  for (size_t r = 0; r < roots.size(); ++r) {
    auto info = m.fs->Stat(roots[r]);
    if (!info.ok() || !info->is_regular) continue;
    auto file = m.fs->Open(roots[r]);
    // A lone compressed log (u_ex210302.log.gz) is no collection: discovery
    // takes it as the compressed log it is.
    m.collection[r] = file.ok() && LooksLikeCollection(file.value()->bytes().substr(0, 512)) &&
                      !IsCompressedStream(file.value()->bytes());
  }
  std::vector<std::string> names;
  for (size_t r = 0; r < roots.size(); ++r) {
    if (r < m.options.host_names.size() && !m.options.host_names[r].empty())
      names.push_back(m.options.host_names[r]);
    else
      names.push_back(m.collection[r] ? CollectionStem(roots[r]) : HostNameForRoot(roots[r]));
  }
  if (m.options.host.empty()) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (std::count(names.begin(), names.end(), names[i]) < 2) continue;
      const std::string base = names[i];
      for (size_t j = i; j < names.size(); ++j) {
        if (names[j] != base) continue;
        std::string parent = roots[j];
        while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
        parent = parent.substr(0, parent.rfind('/') == std::string::npos ? 0 : parent.rfind('/'));
        names[j] = HostNameForRoot(parent.empty() ? "." : parent) + "/" + base;
      }
    }
    for (size_t i = 0; i < names.size(); ++i)  // still alike: number them
      for (size_t j = i + 1, n = 2; j < names.size(); ++j)
        if (names[j] == names[i]) names[j] += " (" + std::to_string(n++) + ")";
  }
  m.plans.clear();
  for (size_t r = 0; r < roots.size(); ++r) {
    const std::string name = m.options.host.empty() ? names[r] : m.options.host;
    auto it = std::find_if(m.plans.begin(), m.plans.end(), [&](const auto& p) { return p.name == name; });
    if (it == m.plans.end()) {
      m.plans.push_back({name, {}});
      it = m.plans.end() - 1;
    }
    it->roots.push_back(r);
  }
  m.progress.hosts_total = m.plans.size();

  WorkPool pool(m.options.threads);
  m.pool = &pool;
  m.sink = &sink;
  m.scratch.clear();
  m.scratch.resize(pool.size());
  std::vector<std::unique_ptr<YaraScanner>> yara_scanners;
  std::map<size_t, std::string> failed_engines;
  const auto engines = m.rules->yara_engines();
  for (unsigned i = 0; i < pool.size(); ++i) {
    m.scratch[i].yara.assign(engines.size(), nullptr);
    for (size_t e = 0; e < engines.size(); ++e) {
      auto scanner = engines[e]->NewScanner();
      if (!scanner.ok()) {
        failed_engines.emplace(e, scanner.status().message());
        continue;
      }
      m.scratch[i].yara[e] = scanner.value().get();
      yara_scanners.push_back(std::move(scanner.value()));
    }
  }
  // An engine without a scanner on every worker runs on none (never on some
  // files only); the files are still judged by name, place and hash.
  m.engine_errors.clear();
  for (const auto& [e, why] : failed_engines) {
    for (auto& w : m.scratch) w.yara[e] = nullptr;
    m.engine_errors.push_back({".", "YARA rules not run: " + why});
  }
  m.no_scratch = false;
  for (unsigned i = 0; i < pool.size(); ++i) {
    hs_scratch_t* clone = nullptr;
    if (hs_clone_scratch(m.prototype.get(), &clone) != HS_SUCCESS) {
      // Without scratch no prefilter can run: every file is reported, none read.
      m.no_scratch = true;
      break;
    }
    m.scratch[i].prefilter.reset(clone);
  }

  m.runs.clear();
  m.runs.resize(m.plans.size());
  m.done.assign(m.plans.size(), 0);
  m.next_report = 0;
  m.next_start = std::min(m.plans.size(), std::max<size_t>(1, m.options.hosts_in_flight));
  for (size_t k = 0; k < m.next_start; ++k) m.StartHost(k);
  pool.Run();
  m.pool = nullptr;
  m.sink = nullptr;
  m.scratch.clear();
  // Milliseconds: the resolution the JSONL totals keep, so that a report
  // rendered again from them reads the same.
  m.stats.seconds =
      std::round(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1000.0) / 1000.0;
  m.stats.peak_rss = PeakResidentBytes();
  return m.stats;
}

ScanResult Scanner::Scan() {
  CollectingSink sink;
  sink.Begin(ScanInfo{impl_->options.roots});
  ScanStats stats = Run(sink);
  sink.End(stats);
  return std::move(sink.result);
}

}  // namespace exhunt
