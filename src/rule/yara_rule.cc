#include "rule/yara_rule.h"

#include <yara.h>

#include <cctype>
#include <cstring>
#include <future>
#include <chrono>
#include <mutex>

#include "base/text.h"

namespace exhunt {

namespace {

constexpr const char* kExternals[] = {"filename", "filepath", "extension", "filetype", "md5", "owner"};
constexpr size_t kMaxMatchedStrings = 8;  // listed per rule and file
constexpr size_t kMaxMatchBytes = 64;     // of each matched string

void InitializeYara() {
  static std::once_flag once;
  // libyara's global tables; never finalized (they live as long as the process).
  std::call_once(once, [] { yr_initialize(); });
}

struct CompileErrors {
  std::string origin;
  std::vector<std::string> messages;
};

void OnCompileMessage(int level, const char* file, int line, const YR_RULE*, const char* message, void* user) {
  if (level != YARA_ERROR_LEVEL_ERROR) return;  // warnings (slow rules) are libyara's own advice
  auto* e = static_cast<CompileErrors*>(user);
  if (e->messages.size() < 5) e->messages.push_back("line " + std::to_string(line) + ": " + message);
}

const char* RefuseInclude(const char* name, const char*, const char*, void* user) {
  auto* e = static_cast<CompileErrors*>(user);
  e->messages.push_back(std::string("include \"") + name + "\" is not supported: load the whole rule directory");
  return nullptr;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  for (auto part : Split(s, ',')) {
    auto t = Trim(part);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

Severity SeverityFromScore(int64_t score) {
  if (score >= 90) return Severity::kHigh;
  if (score >= 70) return Severity::kMedium;
  if (score >= 40) return Severity::kLow;
  return Severity::kInfo;
}

// A compiler with Loki's externals; owned by the caller.
struct Compiler {
  YR_COMPILER* c = nullptr;
  CompileErrors errors;
  ~Compiler() {
    if (c) yr_compiler_destroy(c);
  }
  Status Create(const std::string& origin) {
    InitializeYara();
    errors.origin = origin;
    if (yr_compiler_create(&c) != ERROR_SUCCESS) return Status::Engine("libyara: cannot create a compiler");
    yr_compiler_set_callback(c, OnCompileMessage, &errors);
    yr_compiler_set_include_callback(c, RefuseInclude, nullptr, &errors);
    for (const char* name : kExternals)
      if (yr_compiler_define_string_variable(c, name, "") != ERROR_SUCCESS)
        return Status::Engine("libyara: cannot define external " + std::string(name));
    return Status::Ok();
  }
  Status Add(std::string_view text, const std::string& ns, const std::string& origin) {
    std::string source(text);  // libyara wants a NUL-terminated string (copied: the caller's may not be)
    if (yr_compiler_add_string(c, source.c_str(), ns.c_str()) != 0) {
      std::string why = Join(errors.messages, "; ");
      return Status::InvalidArgument(origin + ": " + (why.empty() ? "does not compile" : why));
    }
    return Status::Ok();
  }
};

std::string Printable(const uint8_t* data, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = data[i];
    if (c >= 0x20 && c < 0x7f)
      out += char(c);
    else
      out += '.';
  }
  return out;
}

struct ScanState {
  const YaraEngine* engine;
  std::vector<YaraMatch>* out;
};

// libyara's match lists (its "notebook" allocator) place YR_MATCH records at
// 2-byte boundaries; reading them is how its own API works on x86-64, so
// UBSan's alignment check is off for this function alone.
__attribute__((no_sanitize("alignment"))) int OnScanMessage(YR_SCAN_CONTEXT* context, int message, void* data,
                                                            void* user) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  auto* state = static_cast<ScanState*>(user);
  const YR_RULE* rule = static_cast<const YR_RULE*>(data);
  YaraMatch m;
  std::string_view ns = rule->ns && rule->ns->name ? rule->ns->name : "";
  if (ns.size() < 2 || ns[0] != 'n') return CALLBACK_CONTINUE;
  m.source = std::stoul(std::string(ns.substr(1)));
  m.identifier = rule->identifier;
  size_t listed = 0;
  const YR_STRING* string = nullptr;
  yr_rule_strings_foreach(rule, string) {
    const YR_MATCH* match = nullptr;
    yr_string_matches_foreach(context, string, match) {
      if (listed++ >= kMaxMatchedStrings) break;
      if (!m.strings.empty()) m.strings += "; ";
      m.strings += std::string(string->identifier) + "@" + std::to_string(match->base + match->offset) + ": " +
                   Printable(match->data, std::min<size_t>(match->data_length, kMaxMatchBytes));
      break;  // the first match of each string is enough to show
    }
    if (listed >= kMaxMatchedStrings) break;
  }
  if (m.strings.empty()) m.strings = "(condition only)";
  state->out->push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

}  // namespace

YaraRule::YaraRule(std::shared_ptr<const RuleInfo> info, std::string identifier) : identifier_(std::move(identifier)) {
  info_ = std::move(info);
  evidence_fields_ = {"Path", "yara:" + info_->id, "Size", "Modified", "SHA256"};
}

bool YaraRule::Matches(const Record& record) const { return record.Field("yara:" + id()).has_value(); }

namespace {

std::shared_ptr<const YaraRule> RuleFromYara(const YR_RULE* rule, const std::string& origin) {
  auto info = std::make_shared<RuleInfo>();
  info->kind = RuleKind::kYara;
  info->id = rule->identifier;
  info->title = rule->identifier;
  info->origin = origin;
  bool severity_given = false;
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) {
    std::string_view key = meta->identifier;
    std::string_view value = meta->type == META_TYPE_STRING && meta->string ? meta->string : "";
    if (EqualsIgnoreCase(key, "description") && !value.empty()) {
      info->title = std::string(value);
      info->description = std::string(value);
    } else if (EqualsIgnoreCase(key, "severity")) {
      if (auto sev = ParseSeverity(AsciiLowerCopy(value))) {
        info->severity = *sev;
        severity_given = true;
      }
    } else if (EqualsIgnoreCase(key, "score") && !severity_given) {
      int64_t score = meta->type == META_TYPE_INTEGER ? meta->integer : 75;
      if (meta->type == META_TYPE_STRING) {
        uint64_t n = 0;
        score = ParseUint(value, &n) ? int64_t(n) : 75;
      }
      info->severity = SeverityFromScore(score);
    } else if (EqualsIgnoreCase(key, "outcome")) {
      if (auto o = ParseOutcome(AsciiLowerCopy(value))) info->outcome = *o;
    } else if (EqualsIgnoreCase(key, "cve")) {
      info->cves = SplitList(value);
    } else if (EqualsIgnoreCase(key, "attack")) {
      info->attack = SplitList(value);
    } else if (EqualsIgnoreCase(key, "marks")) {
      info->marks = SplitList(value);
    }
  }
  return std::make_shared<const YaraRule>(std::move(info), rule->identifier);
}

}  // namespace

// Whether YARA source `text` may name the identifier `name` outside
// comments and text strings: a word `name` not after a '.' (a module's
// function) and not before a lone '=' (a meta field). It may say yes where a
// regex holds the word; never no where a condition reads it.
bool MayReadIdentifier(std::string_view text, std::string_view name) {
  const size_t n = text.size();
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t i = 0; i < n;) {
    char c = text[i];
    if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? n : nl;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
    } else if (c == '"') {
      for (++i; i < n && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      ++i;
    } else if (word(c)) {
      size_t b = i;
      while (i < n && word(text[i])) ++i;
      if (text.substr(b, i - b) != name) continue;
      size_t p = b;
      while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t')) --p;
      if (p > 0 && text[p - 1] == '.') continue;
      size_t q = i;
      while (q < n && (text[q] == ' ' || text[q] == '\t')) ++q;
      if (q < n && text[q] == '=' && !(q + 1 < n && text[q + 1] == '=')) continue;
      return true;
    } else {
      ++i;
    }
  }
  return false;
}

YaraLoad CompileYaraSources(const std::vector<YaraInput>& inputs) {
  YaraLoad out;
  // The gate reads the files while libyara compiles them (another core).
  auto read_all = std::async(std::launch::async, [&inputs] {
    std::vector<std::string_view> texts;
    for (const auto& in : inputs) texts.push_back(in.text);
    return YaraGate::Build(texts);
  });
  std::vector<size_t> good;  // inputs that compiled, in namespace order
  size_t next = 0;
  std::unique_ptr<Compiler> compiler;
  // One compiler for all: libyara's compiler is unusable after an error, so
  // a file that fails is reported and the compiler is rebuilt from the
  // files that compiled before it (failures are rare; a clean load
  // compiles every file exactly once).
  for (;;) {
    compiler = std::make_unique<Compiler>();
    if (Status st = compiler->Create("yara"); !st.ok()) {
      for (size_t i = next; i < inputs.size(); ++i) out.errors.emplace_back(inputs[i].origin, st);
      return out;
    }
    bool restart = false;
    for (size_t k = 0; k < good.size(); ++k)
      if (!compiler->Add(inputs[good[k]].text, "n" + std::to_string(k), inputs[good[k]].origin).ok()) {
        // Compiled before, not now: a limit of libyara's; nothing more can load.
        for (size_t i = next; i < inputs.size(); ++i)
          out.errors.emplace_back(inputs[i].origin,
                                  Status::Engine(inputs[i].origin + ": not loaded (libyara refused the set)"));
        good.resize(k);
        next = inputs.size();
        restart = true;
        break;
      }
    if (restart) {
      compiler.reset();
      if (good.empty()) return out;
      continue;
    }
    bool failed = false;
    for (; next < inputs.size(); ++next) {
      compiler->errors.messages.clear();
      Status st = compiler->Add(inputs[next].text, "n" + std::to_string(good.size()), inputs[next].origin);
      if (st.ok()) {
        good.push_back(next);
        continue;
      }
      out.errors.emplace_back(inputs[next].origin, st);
      ++next;
      failed = true;
      break;
    }
    if (!failed) break;
  }
  if (good.empty()) return out;
  std::unique_ptr<YaraEngine> engine(new YaraEngine);
  if (yr_compiler_get_rules(compiler->c, &engine->rules_) != ERROR_SUCCESS) {
    for (size_t g : good) out.errors.emplace_back(inputs[g].origin, Status::Engine("libyara cannot build its rules"));
    return out;
  }
  out.sources.resize(good.size());
  for (size_t k = 0; k < good.size(); ++k) {
    out.sources[k].origin = inputs[good[k]].origin;
    out.sources[k].text = inputs[good[k]].text;
  }
  const YR_RULE* rule = nullptr;
  yr_rules_foreach(engine->rules_, rule) {
    if (RULE_IS_PRIVATE(rule)) continue;  // never reported by libyara
    std::string_view ns = rule->ns && rule->ns->name ? rule->ns->name : "";
    if (ns.size() < 2 || ns[0] != 'n') continue;
    size_t k = std::stoul(std::string(ns.substr(1)));
    if (k >= out.sources.size()) continue;
    out.sources[k].rules.push_back(RuleFromYara(rule, out.sources[k].origin));
  }
  for (const auto& src : out.sources) {
    engine->rule_count_ += src.rules.size();
    engine->reads_md5_ = engine->reads_md5_ || MayReadIdentifier(src.text, "md5");
  }
  // The gate of the files that compiled (read again only if one did not).
  // Without a gate every file goes to libyara: slower, never less found.
  auto gate = read_all.get();
  if (out.sources.size() != inputs.size()) {
    std::vector<std::string_view> texts;
    for (const auto& src : out.sources) texts.push_back(src.text);
    gate = YaraGate::Build(texts);
  }
  if (gate.ok()) engine->gate_summary_ = gate.value()->summary();
  if (gate.ok() && gate.value()->can_spare()) engine->gate_ = std::move(gate.value());
  out.engine = std::move(engine);
  return out;
}

YaraScanner::~YaraScanner() {
  if (scanner_) yr_scanner_destroy(scanner_);
}

YaraEngine::~YaraEngine() {
  if (rules_) yr_rules_destroy(rules_);
}

namespace {

using Clock = std::chrono::steady_clock;
uint64_t NanosSince(Clock::time_point since) {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count());
}

}  // namespace

YaraExternals ExternalsOf(const FileFields& file) {
  std::string_view path = file.path;
  size_t slash = path.rfind('\\');  // npos + 1 == 0: the whole path is the name
  return {path.substr(slash + 1), path.substr(0, slash + 1), file.extension, file.filetype, file.md5, file.owner};
}

bool YaraEngine::UseGate() const {
  if (gate_mode_ != GateMode::kAuto) return gate_mode_ == GateMode::kAlways;
  uint64_t n = counts_.files.load(std::memory_order_relaxed);
  uint64_t yara_ns = counts_.yara_ns.load(std::memory_order_relaxed);
  if ((n + 1) % kProbeEvery == 0 && yara_ns < kGateTrialNs) return false;  // measure the whole set's pace
  return GateStillPays(counts_.gate_ns.load(std::memory_order_relaxed),
                       counts_.gated_bytes.load(std::memory_order_relaxed), yara_ns,
                       counts_.yara_bytes.load(std::memory_order_relaxed));
}

bool GateStillPays(uint64_t gate_ns, uint64_t gated_bytes, uint64_t yara_ns, uint64_t yara_bytes) {
  if (gate_ns < YaraEngine::kGateTrialNs || yara_bytes == 0) return true;
  // What libyara's whole set would have spent on the bytes the gate decided.
  long double saved = static_cast<long double>(gated_bytes) * yara_ns / yara_bytes;
  return saved >= gate_ns;
}

namespace {

// libyara's rules written to and read back from memory.
struct MemoryStream {
  std::string bytes;
  size_t at = 0;
  static size_t Write(const void* p, size_t size, size_t count, void* user) {
    static_cast<MemoryStream*>(user)->bytes.append(static_cast<const char*>(p), size * count);
    return count;
  }
  static size_t Read(void* p, size_t size, size_t count, void* user) {
    auto* m = static_cast<MemoryStream*>(user);
    if (size == 0 || m->bytes.size() - m->at < size * count) return 0;
    std::memcpy(p, m->bytes.data() + m->at, size * count);
    m->at += size * count;
    return count;
  }
};

}  // namespace

struct YaraEngine::ChoiceSet {
  std::once_flag once;
  YR_RULES* rules = nullptr;  // nullptr: it did not build; the whole set scans
  ~ChoiceSet() {
    if (rules) yr_rules_destroy(rules);
  }
};

std::shared_ptr<YaraEngine::ChoiceSet> YaraEngine::ChoiceFor(const std::vector<uint32_t>& rules) const {
  std::shared_ptr<ChoiceSet> set;
  {
    std::lock_guard lock(choices_mu_);
    auto it = choices_.find(rules);
    if (it != choices_.end()) {
      set = it->second;
    } else {
      if (choices_.size() >= max_choice_sets_ || choice_bytes_.load(std::memory_order_relaxed) >= kMaxChoiceBytes)
        return nullptr;
      set = choices_.emplace(rules, std::make_shared<ChoiceSet>()).first->second;
    }
  }
  std::call_once(set->once, [&] {
    // The text of the chosen rules, each source in the namespace it has in
    // the whole set (so matches name the same source); compiled, then saved
    // and loaded back compact. Any failure leaves the whole set to scan.
    Compiler c;
    if (!c.Create("chosen rules").ok()) return;
    for (const auto& [source, text] : gate_->TextOf(rules))
      if (!c.Add(text, "n" + std::to_string(source), "chosen rules").ok()) return;
    YR_RULES* compiled = nullptr;
    if (yr_compiler_get_rules(c.c, &compiled) != ERROR_SUCCESS) return;
    MemoryStream m;
    YR_STREAM out{&m, nullptr, MemoryStream::Write};
    int saved = yr_rules_save_stream(compiled, &out);
    yr_rules_destroy(compiled);
    if (saved != ERROR_SUCCESS) return;
    YR_STREAM in{&m, MemoryStream::Read, nullptr};
    YR_RULES* loaded = nullptr;
    if (yr_rules_load_stream(&in, &loaded) != ERROR_SUCCESS) return;
    set->rules = loaded;
    choice_bytes_.fetch_add(m.bytes.size(), std::memory_order_relaxed);
    counts_.choice_sets.fetch_add(1, std::memory_order_relaxed);
  });
  return set->rules ? set : nullptr;
}

YR_SCANNER* YaraEngine::LibyaraScanner(YR_RULES* rules) const {
  YR_SCANNER* s = nullptr;
  if (yr_scanner_create(rules, &s) != ERROR_SUCCESS) return nullptr;
  yr_scanner_set_flags(s, SCAN_FLAGS_FAST_MODE);
  yr_scanner_set_timeout(s, timeout_seconds_);
  return s;
}

Result<std::unique_ptr<YaraScanner>> YaraEngine::NewScanner() const {
  YR_SCANNER* s = LibyaraScanner(rules_);
  if (!s) return Status::Engine("libyara: cannot create a scanner");
  auto scanner = std::make_unique<YaraScanner>(s);
  if (gate_) {
    auto scratch = gate_->NewScratch();
    if (!scratch.ok()) return scratch.status();
    scanner->gate_ = std::move(scratch.value());
  }
  return scanner;
}

Status YaraEngine::Scan(YaraScanner& scanner, std::string_view bytes, const FileFields& file,
                        std::vector<YaraMatch>* out) const {
  const YaraExternals ext = ExternalsOf(file);
  const bool gated = gate_ && scanner.gate_ && UseGate();
  counts_.files.fetch_add(1, std::memory_order_relaxed);
  if (gated) {
    auto start = Clock::now();
    struct Account {  // the gate's time, however the file ends
      Counts& counts;
      Clock::time_point start;
      ~Account() { counts.gate_ns.fetch_add(NanosSince(start), std::memory_order_relaxed); }
    } account{counts_, start};
    if (gate_->MayMatchRules(*scanner.gate_, bytes, ext, &scanner.rules_)) {
      if (scanner.rules_.empty()) {
        counts_.spared.fetch_add(1, std::memory_order_relaxed);
        counts_.gated_bytes.fetch_add(bytes.size(), std::memory_order_relaxed);
        return Status::Ok();
      }
      if (auto set = ChoiceFor(scanner.rules_)) {
        if (YR_SCANNER* s = LibyaraScanner(set->rules)) {
          Status st = RunLibyara(s, bytes, file, ext, out);
          yr_scanner_destroy(s);
          counts_.chosen.fetch_add(1, std::memory_order_relaxed);
          counts_.gated_bytes.fetch_add(bytes.size(), std::memory_order_relaxed);
          return st;
        }
      }
    }
  }
  counts_.scanned.fetch_add(1, std::memory_order_relaxed);
  struct Account {  // libyara's time, however the scan ends
    Counts& counts;
    size_t bytes;
    Clock::time_point start = Clock::now();
    ~Account() {
      counts.yara_ns.fetch_add(NanosSince(start), std::memory_order_relaxed);
      counts.yara_bytes.fetch_add(bytes, std::memory_order_relaxed);
    }
  } account{counts_, bytes.size()};
  return RunLibyara(scanner.get(), bytes, file, ext, out);
}

Status YaraEngine::RunLibyara(YR_SCANNER* s, std::string_view bytes, const FileFields& file, const YaraExternals& ext,
                              std::vector<YaraMatch>* out) const {
  // libyara wants NUL-terminated values.
  std::string name(ext.filename), dir(ext.filepath), filetype(ext.filetype);
  yr_scanner_define_string_variable(s, "filename", name.c_str());
  yr_scanner_define_string_variable(s, "filepath", dir.c_str());
  yr_scanner_define_string_variable(s, "extension", file.extension.c_str());
  yr_scanner_define_string_variable(s, "filetype", filetype.c_str());
  yr_scanner_define_string_variable(s, "md5", file.md5.c_str());
  yr_scanner_define_string_variable(s, "owner", file.owner.c_str());
  ScanState state{this, out};
  yr_scanner_set_callback(s, OnScanMessage, &state);
  int rc = yr_scanner_scan_mem(s, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (rc == ERROR_SUCCESS) return Status::Ok();
  if (rc == ERROR_SCAN_TIMEOUT)
    return Status::Engine("YARA scan stopped after " + std::to_string(timeout_seconds_) +
                          " s (timeout); matches found until then are kept");
  if (rc == ERROR_INSUFFICIENT_MEMORY) return Status::Engine("YARA scan ran out of memory");
  if (rc == ERROR_TOO_MANY_MATCHES) return Status::Engine("YARA scan stopped: too many matches of one string");
  return Status::Engine("YARA scan failed (libyara error " + std::to_string(rc) + ")");
}

}  // namespace exhunt
