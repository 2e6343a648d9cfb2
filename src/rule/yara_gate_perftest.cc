// YARA gate cost and yield: reads the rule files of RULES (a folder of
// .yar/.yara files, or "builtin"), then, on one thread, every regular file
// under FILES: the gate's pass (always compiled, as if it paid) beside
// libyara's own scan of the same bytes with the same rules. Prints what the
// gate read, its compile and pass time, the files it rules out, and the
// rule files it leaves undecided most often. Ways of handing libyara less
// than the whole set, each measured on the same files:
//   --rules           the rules left undecided most often
//   --undecided-sets  one libyara set per choice of undecided rule files
//   --disabled-rules  one set, the rules of ruled-out files disabled per file
//   --per-file-sets   one set per rule file: compile time and memory
//
//   yara_gate_perftest RULES FILES [--rules] [--undecided-sets] [--disabled-rules] [--per-file-sets]
#include <yara.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rule/rule_set.h"
#include "rule/yara_gate.h"
#include "rule/yara_rule.h"

using namespace exhunt;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double Ms(Clock::time_point since) { return std::chrono::duration<double, std::milli>(Clock::now() - since).count(); }

std::string Slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// What the gate and libyara are told of the file at `path`: its name.
FileFields FieldsOf(const std::string& path) {
  FileFields f;
  f.path = "\\" + fs::path(path).filename().string();
  f.filetype = "UNKNOWN";
  return f;
}

long ResidentKb() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s RULES|builtin FILES [--rules] [--undecided-sets] [--disabled-rules] [--per-file-sets]\n",
            argv[0]);
    return 2;
  }
  const std::set<std::string> options(argv + 3, argv + argc);
  std::vector<YaraInput> inputs;
  if (std::string(argv[1]) == "builtin") {
    RuleSet rules;
    rules.AddBuiltin();
    for (const YaraSource* s : rules.yara_sources()) inputs.push_back({s->text, s->origin});
  } else {
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(argv[1]))
      if (e.path().extension() == ".yar" || e.path().extension() == ".yara") paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) inputs.push_back({Slurp(p), p.filename().string()});
  }
  struct File {
    std::string bytes;
    FileFields fields;
  };
  std::vector<File> files;
  size_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(argv[2]))
    if (e.is_regular_file()) {
      files.push_back({Slurp(e.path()), FieldsOf(e.path().string())});
      total += files.back().bytes.size();
    }

  YaraLoad load = CompileYaraSources(inputs);
  if (!load.engine) {
    fprintf(stderr, "no rule file compiled\n");
    return 1;
  }
  std::vector<std::string_view> texts;
  for (const auto& s : load.sources) texts.push_back(s.text);
  auto start = Clock::now();
  auto built = YaraGate::Build(texts, true);
  double build_ms = Ms(start);
  if (!built.ok()) {
    fprintf(stderr, "%s\n", built.status().message().c_str());
    return 1;
  }
  const YaraGate& gate = *built.value();
  const auto& sum = gate.summary();
  printf("rule files %zu (%zu not read), rules %zu, strings %zu (%zu without atom), atoms %zu (%zu in every file)\n",
         sum.sources, sum.unread_sources, sum.rules, sum.strings, sum.atomless_strings, sum.atoms, sum.common_atoms);
  printf("rules that may match any file: %zu; would be gated: %s\n", sum.unconditional.size(),
         gate.can_spare() ? "yes" : "no");
  printf("gate compile (atoms of every file): %.0f ms\n", build_ms);

  auto scratch = gate.NewScratch();
  std::vector<char> flags;
  std::map<size_t, size_t> left_by_source;
  size_t spared = 0, left_sources = 0;
  start = Clock::now();
  for (const auto& [bytes, fields] : files) {
    size_t n = gate.MayMatch(*scratch.value(), bytes, ExternalsOf(fields), &flags);
    spared += n == 0;
    left_sources += n;
    for (size_t s = 0; s < flags.size(); ++s)
      if (flags[s]) ++left_by_source[s];
  }
  double gate_ms = Ms(start);

  auto scanner = load.engine->NewScanner();
  load.engine->set_gate_mode(YaraEngine::GateMode::kNever);
  size_t matches = 0;
  start = Clock::now();
  for (const auto& [bytes, fields] : files) {
    std::vector<YaraMatch> m;
    (void)load.engine->Scan(*scanner.value(), bytes, fields, &m);
    matches += m.size();
  }
  double yara_ms = Ms(start);

  printf("%zu files, %.1f MB, one thread\n", files.size(), double(total) / 1e6);
  printf("gate pass: %.0f ms (%.0f MB/s); files ruled out for every rule: %zu; rule files left per other file: %.1f\n",
         gate_ms, double(total) / 1e3 / gate_ms, spared,
         files.size() > spared ? double(left_sources) / double(files.size() - spared) : 0.0);
  printf("libyara, every file: %.0f ms (%.0f MB/s), %zu matches\n", yara_ms, double(total) / 1e3 / yara_ms, matches);
  std::vector<std::pair<size_t, size_t>> most;
  for (const auto& [s, n] : left_by_source) most.emplace_back(n, s);
  std::sort(most.rbegin(), most.rend());
  printf("rule files left undecided most often (%zu in all):\n", most.size());
  for (size_t i = 0; i < most.size() && i < 10; ++i)
    printf("  %5zu %s\n", most[i].first, load.sources[most[i].second].origin.c_str());

  if (options.count("--rules")) {
    std::map<std::string, size_t> left_by_rule;
    for (const auto& [bytes, fields] : files)
      for (const std::string& r : gate.RulesThatMayMatch(*scratch.value(), bytes, ExternalsOf(fields)))
        ++left_by_rule[load.sources[std::stoul(r.substr(0, r.find(':')))].origin + r.substr(r.find(':'))];
    std::vector<std::pair<size_t, std::string>> rules;
    for (const auto& [r, n] : left_by_rule) rules.emplace_back(n, r);
    std::sort(rules.rbegin(), rules.rend());
    printf("rules left undecided most often (%zu in all):\n", rules.size());
    for (size_t i = 0; i < rules.size() && i < 40; ++i) printf("  %5zu %s\n", rules[i].first, rules[i].second.c_str());
  }

  if (options.count("--undecided-sets")) {
    // Each file scanned by a libyara set of only the rule files the gate
    // left undecided for it, one set per distinct choice.
    std::map<std::vector<char>, YaraLoad> sets;
    double compile_ms = 0, scan_ms = 0;
    size_t m = 0;
    long before = ResidentKb();
    for (const auto& [bytes, fields] : files) {
      if (gate.MayMatch(*scratch.value(), bytes, ExternalsOf(fields), &flags) == 0) continue;
      auto it = sets.find(flags);
      if (it == sets.end()) {
        auto t = Clock::now();
        std::vector<YaraInput> some;
        for (size_t s = 0; s < flags.size(); ++s)
          if (flags[s]) some.push_back({load.sources[s].text, load.sources[s].origin});
        it = sets.emplace(flags, CompileYaraSources(some)).first;
        it->second.engine->set_gate_mode(YaraEngine::GateMode::kNever);
        compile_ms += Ms(t);
      }
      auto sc = it->second.engine->NewScanner();
      std::vector<YaraMatch> mm;
      auto t = Clock::now();
      (void)it->second.engine->Scan(*sc.value(), bytes, fields, &mm);
      scan_ms += Ms(t);
      m += mm.size();
    }
    printf("libyara, one set per choice of undecided rule files: %zu sets, compile %.0f ms, scan %.0f ms, "
           "%zu matches, %.0f MB more resident\n",
           sets.size(), compile_ms, scan_ms, m, double(ResidentKb() - before) / 1024);
  }

  if (options.count("--disabled-rules")) {
    // One libyara set; per file, the rules of every rule file the gate
    // ruled out disabled (yr_rule_disable) before libyara scans it.
    YR_COMPILER* c = nullptr;
    YR_RULES* rules = nullptr;
    if (yr_compiler_create(&c) != ERROR_SUCCESS) return 1;
    for (const char* x : {"filename", "filepath", "extension", "filetype", "md5", "owner"})
      yr_compiler_define_string_variable(c, x, "");
    for (size_t i = 0; i < load.sources.size(); ++i)
      yr_compiler_add_string(c, load.sources[i].text.c_str(), std::to_string(i).c_str());
    if (yr_compiler_get_rules(c, &rules) != ERROR_SUCCESS) return 1;
    yr_compiler_destroy(c);
    std::vector<std::vector<YR_RULE*>> by_source(load.sources.size());
    YR_RULE* rule = nullptr;
    yr_rules_foreach(rules, rule) by_source[std::stoul(rule->ns->name)].push_back(rule);
    YR_SCANNER* sc = nullptr;
    if (yr_scanner_create(rules, &sc) != ERROR_SUCCESS) return 1;
    size_t m = 0;
    yr_scanner_set_callback(
        sc,
        [](YR_SCAN_CONTEXT*, int msg, void*, void* data) {
          if (msg == CALLBACK_MSG_RULE_MATCHING) ++*static_cast<size_t*>(data);
          return int(CALLBACK_CONTINUE);
        },
        &m);
    double scan_ms = 0;
    for (const auto& [bytes, fields] : files) {
      if (gate.MayMatch(*scratch.value(), bytes, ExternalsOf(fields), &flags) == 0) continue;
      for (size_t i = 0; i < flags.size(); ++i)
        for (YR_RULE* r : by_source[i]) flags[i] ? yr_rule_enable(r) : yr_rule_disable(r);
      auto t = Clock::now();
      yr_scanner_scan_mem(sc, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      scan_ms += Ms(t);
    }
    printf("libyara, the files not ruled out, rules of ruled-out files disabled: scan %.0f ms, %zu matches\n", scan_ms, m);
    yr_scanner_destroy(sc);
    yr_rules_destroy(rules);
  }

  if (options.count("--per-file-sets")) {
    long before = ResidentKb();
    std::vector<YR_RULES*> sets;
    start = Clock::now();
    for (const auto& in : inputs) {
      YR_COMPILER* c = nullptr;
      if (yr_compiler_create(&c) != ERROR_SUCCESS) break;
      for (const char* x : {"filename", "filepath", "extension", "filetype", "md5", "owner"})
        yr_compiler_define_string_variable(c, x, "");
      YR_RULES* r = nullptr;
      if (yr_compiler_add_string(c, in.text.c_str(), "n") == 0 && yr_compiler_get_rules(c, &r) == ERROR_SUCCESS)
        sets.push_back(r);
      yr_compiler_destroy(c);
    }
    printf("libyara, one rule set per rule file: %zu sets in %.0f ms, %.0f MB more resident\n", sets.size(), Ms(start),
           double(ResidentKb() - before) / 1024);
    for (YR_RULES* r : sets) yr_rules_destroy(r);
  }
  return 0;
}
