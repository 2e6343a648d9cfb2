// YARA gate cost and yield: reads the rule files of RULES (a folder of
// .yar/.yara files, or "builtin"), then, on one thread, every regular file
// under FILES: the gate's pass (always compiled, as if it paid) beside
// libyara's own scan of the same bytes with the same rules. Prints what the
// gate read, its compile and pass time, the files it rules out, and the
// rule files it leaves undecided most often. With --per-file-sets it also
// compiles each rule file into a libyara rule set of its own and prints the
// time and resident memory that takes.
//
//   yara_gate_perftest RULES FILES [--per-file-sets]
#include <yara.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
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

long ResidentKb() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s RULES|builtin FILES [--per-file-sets]\n", argv[0]);
    return 2;
  }
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
  std::vector<std::pair<std::string, std::string>> files;  // name, bytes
  size_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(argv[2]))
    if (e.is_regular_file()) {
      files.emplace_back(e.path().string(), Slurp(e.path()));
      total += files.back().second.size();
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
  for (const auto& [name, bytes] : files) {
    std::string base = fs::path(name).filename().string();
    YaraExternals ext{base, "", "", "UNKNOWN", "", ""};
    size_t n = gate.MayMatch(*scratch.value(), bytes, ext, &flags);
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
  for (const auto& [name, bytes] : files) {
    FileFields f;
    f.path = "\\" + fs::path(name).filename().string();
    f.filetype = "UNKNOWN";
    std::vector<YaraMatch> m;
    (void)load.engine->Scan(*scanner.value(), bytes, f, &m);
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

  if (argc > 3 && std::string(argv[3]) == "--per-file-sets") {
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
