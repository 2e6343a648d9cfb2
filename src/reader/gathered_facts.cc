#include "reader/gathered_facts.h"

#include <fmt/format.h>

namespace exhunt {

void GatheredFacts::AddTime(TimeMs t) {
  if (!first || t < *first) first = t;
  if (!last || t > *last) last = t;
  AddToSpans(&spans, t);
}

void GatheredFacts::AddProblem(std::string problem) {
  if (problems.size() < kMaxProblemsListed) {
    problems.push_back(std::move(problem));
  } else {
    ++unlisted;
  }
}

void GatheredFacts::Absorb(GatheredFacts&& o) {
  records += o.records;
  skipped += o.skipped;
  if (o.first && (!first || *o.first < *first)) first = o.first;
  if (o.last && (!last || *o.last > *last)) last = o.last;
  spans.insert(spans.end(), o.spans.begin(), o.spans.end());
  for (auto& p : o.problems) AddProblem(std::move(p));
  unlisted += o.unlisted;
}

FileFacts GatheredFacts::ToFileFacts(std::vector<std::string> file_problems, std::string_view skipped_what) {
  FileFacts out;
  out.records = records;
  out.first = first;
  out.last = last;
  out.spans = std::move(spans);
  MergeSpans(&out.spans);
  out.problems = std::move(file_problems);
  for (auto& p : problems) out.problems.push_back(std::move(p));
  if (unlisted) out.problems.push_back(fmt::format("{} more problems not listed", unlisted));
  if (skipped) out.problems.push_back(fmt::format("{} {} skipped", skipped, skipped_what));
  return out;
}

}  // namespace exhunt
