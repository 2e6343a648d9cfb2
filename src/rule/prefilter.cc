#include "rule/prefilter.h"

#include <algorithm>
#include <string>

namespace exhunt {

Result<std::unique_ptr<Prefilter>> Prefilter::Build(const std::vector<std::shared_ptr<const SigmaRule>>& rules,
                                                     LogType type) {
  std::unique_ptr<Prefilter> pf(new Prefilter());
  pf->type_ = type;
  // Directive markers first, byte-exact.
  pf->literals_.push_back({"#Fields:", true});
  pf->literals_.push_back({"#Date:", true});
  pf->literals_.push_back({"\n#", true});
  pf->rules_by_literal_.resize(3);
  for (unsigned r = 0; r < rules.size(); ++r) {
    if (!rules[r]->AppliesTo(type)) continue;
    pf->applicable_.push_back(r);
    auto cover = rules[r]->Cover(type);
    if (!cover) {
      pf->unfiltered_.push_back(r);
      continue;
    }
    for (const auto& lit : *cover) {
      if (lit.text.find('\n') != std::string::npos) continue;  // cannot occur inside one line
      auto it = std::find(pf->literals_.begin(), pf->literals_.end(), lit);
      unsigned id = unsigned(it - pf->literals_.begin());
      if (it == pf->literals_.end()) {
        pf->literals_.push_back(lit);
        pf->rules_by_literal_.emplace_back();
      }
      auto& list = pf->rules_by_literal_[id];
      if (std::find(list.begin(), list.end(), r) == list.end()) list.push_back(r);
    }
  }
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> flags, ids;
  for (unsigned i = 0; i < pf->literals_.size(); ++i) {
    const auto& lit = pf->literals_[i];
    exprs.push_back(lit.text.c_str());
    lens.push_back(lit.text.size());
    flags.push_back(lit.cased ? 0 : HS_FLAG_CASELESS);
    ids.push_back(i);
    pf->literal_lengths_.push_back(lit.text.size());
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(), unsigned(exprs.size()),
                           HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::string msg = err && err->message ? err->message : "unknown error";
    hs_free_compile_error(err);
    return Status::InvalidArgument("vectorscan: " + msg);
  }
  pf->db_.reset(db);
  return pf;
}

Status Prefilter::AllocScratch(HsScratch* scratch) const {
  hs_scratch_t* s = scratch->release();
  if (hs_alloc_scratch(db_.get(), &s) != HS_SUCCESS) {
    scratch->reset(s);
    return Status::IoError("vectorscan: cannot allocate scratch");
  }
  scratch->reset(s);
  return Status::Ok();
}

}  // namespace exhunt
