// Sigma rules as prefilter literals: for each rule and log type, a set of
// raw-byte literals (or raw-line regexes) at least one of which every
// matching record holds.
#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "base/text.h"
#include "rule/sigma_rule.h"

namespace exhunt {

// ---- prefilter cover --------------------------------------------------------

namespace {

using Cover = std::optional<std::vector<PrefilterLiteral>>;

// How selective a literal is likely to be in Exchange and IIS logs. Length
// alone misleads: "POST" or "/autodiscover" are longer than "@x" but occur
// on most lines. Scores: 1 = on most lines, 2 = on many lines, else length.
size_t LiteralScore(const std::string& text) {
  static const char* kVeryCommon[] = {"get",   "post", "head",     "options", "200",   "302",     "401",
                                      "404",   "500",  "443",      "444",     "80",    "mozilla", "mozilla/5.0",
                                      "/owa/", "/owa", "http/1.1", "true",    "false", "-",       "0",
                                      "@",     "%40",  "/",        "?",       "=",     "&"};
  static const char* kCommon[] = {".js",
                                  ".css",
                                  ".aspx",
                                  ".gif",
                                  "/ecp/",
                                  "/ecp",
                                  "/ews",
                                  "/ews/",
                                  "/mapi/",
                                  "/mapi",
                                  "/autodiscover",
                                  "/autodiscover/",
                                  "/autodiscover.json",
                                  "autodiscover.json",
                                  "/powershell",
                                  "powershell",
                                  "server~",
                                  "/oab/",
                                  "/rpc/",
                                  "/microsoft-server-activesync",
                                  "/owa/auth/",
                                  "sid~",
                                  "smtp~"};
  std::string lower;
  for (char c : text) lower += AsciiLower(c);
  for (const char* t : kVeryCommon)
    if (lower == t) return 1;
  for (const char* t : kCommon)
    if (lower == t) return 2;
  bool digits = !lower.empty();
  for (char c : lower) digits = digits && c >= '0' && c <= '9';
  if (digits) return 1;
  return std::min<size_t>(lower.size(), 24);
}

size_t Score(const PrefilterLiteral& l) {
  if (!l.regex) return LiteralScore(l.text);
  // A regex is more selective than the literal it must contain.
  // A regex is more selective than the literal it must contain, but only a
  // strong literal keeps vectorscan from verifying the regex everywhere.
  bool caseless;
  size_t lit = LiteralScore(RegexRequiredLiteral(l.text, &caseless));
  return lit >= 4 ? std::min<size_t>(24, lit + 6) : lit;
}

size_t Quality(const std::vector<PrefilterLiteral>& lits) {
  size_t q = SIZE_MAX;
  for (const auto& l : lits) q = std::min(q, Score(l));
  return lits.empty() ? 0 : q;
}

// Better = higher worst-literal score, then fewer literals.
bool Better(const std::vector<PrefilterLiteral>& a, const std::vector<PrefilterLiteral>& b) {
  size_t qa = Quality(a), qb = Quality(b);
  if (qa != qb) return qa > qb;
  return a.size() < b.size();
}

// A list of distinct literals in the order first added; rules list
// hundreds of values, so membership is hashed, not searched.
class LiteralList {
 public:
  void Add(PrefilterLiteral lit) {
    if (lit.text.empty()) return;
    if (seen_.insert(PrefilterLiteralKey(lit)).second) list_.push_back(std::move(lit));
  }
  std::vector<PrefilterLiteral> Take() { return std::move(list_); }
  bool empty() const { return list_.empty(); }

 private:
  std::vector<PrefilterLiteral> list_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

namespace {

// A Sigma field regex as a raw-line prefilter pattern: inline flags dropped
// (the prefilter is caseless anyway) and ^ and $ outside classes dropped: a
// field's start and end are somewhere in the line, and a prefilter may
// over-match (the rule decides). Anchors widened to "line start or a field
// separator" cost vectorscan more than the few lines they rule out. Empty if
// the pattern cannot be rewritten safely.
std::string RawLineRegex(std::string_view re) {
  size_t i = 0;
  if (re.substr(0, 2) == "(?") {
    size_t close = re.find(')');
    if (close == std::string_view::npos) return "";
    std::string_view flags = re.substr(2, close - 2);
    if (flags.find_first_not_of("imsU") != std::string_view::npos) return "";
    i = close + 1;
  }
  std::string out;
  bool in_class = false;
  for (; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      out += c;
      out += re[++i];
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < re.size() && re[i + 1] == '^') out += re[++i];
      if (i + 1 < re.size() && re[i + 1] == ']') out += re[++i];
      continue;
    }
    if (c == '(' && i + 2 < re.size() && re[i + 1] == '?' && re[i + 2] != ':') return "";  // lookaround, named groups
    if (c != '^' && c != '$') out += c;
  }
  return out;
}

}  // namespace

namespace {

// Whether regex value i folds the case of letters beyond ASCII, which a
// caseless vectorscan pattern does not: caseless, with a non-ASCII byte.
bool UnicodeCaseless(const FieldMatcher& m, size_t i) {
  const std::string& v = m.values[i];
  return RegexCaseless(m, i) &&
         std::any_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// The raw-byte literals that any field value satisfying (op, value) must
// leave in the record; empty if none is guaranteed.
std::vector<std::string> RawLiteralsForValue(const FieldMatcher& m, size_t i, RawForm form, LogType type) {
  using Op = FieldMatcher::Op;
  const std::string& value = m.values[i];
  if (m.op == Op::kExists || m.op == Op::kCidr || m.op >= Op::kLt || m.fieldref) return {};
  std::string lit;
  if (m.encoded) {
    lit = value;
  } else if (m.op == Op::kRegex) {
    lit = m.regex_literals[i];  // a case-sensitive regex still matches a caseless literal search
  } else if (HasWildcard(value)) {
    for (auto& piece : GlobLiteralPieces(value))
      if (piece.size() > lit.size()) lit = piece;
  } else {
    lit = GlobUnescape(value);
  }
  if (lit.empty()) return {};
  std::vector<std::string> out;
  switch (form) {
    case RawForm::kNone:
      return {};
    case RawForm::kVerbatim:
      out.push_back(lit);
      break;
    case RawForm::kPlusForSpace: {
      out.push_back(lit);
      if (lit.find(' ') != std::string::npos) {
        std::string plus = lit;
        std::replace(plus.begin(), plus.end(), ' ', '+');
        out.push_back(plus);
      }
      break;
    }
    case RawForm::kUrlJoined: {
      size_t q = lit.find('?');
      if (q == std::string::npos) {
        out.push_back(lit);
      } else {
        // Stem and query are stored apart; the longer side is still verbatim.
        std::string a = lit.substr(0, q), b = lit.substr(q + 1);
        out.push_back(a.size() >= b.size() ? a : b);
        if (out.back().empty()) return {};
      }
      break;
    }
  }
  if (RecordFormatOf(type) == RecordFormat::kCsv) {
    size_t n = out.size();
    for (size_t i = 0; i < n; ++i) {
      if (out[i].find('"') == std::string::npos) continue;
      std::string doubled;
      for (char c : out[i]) {
        doubled += c;
        if (c == '"') doubled += '"';
      }
      out.push_back(doubled);
    }
  }
  return out;
}

// Fields of a Windows event's System part that hold the same few values on
// every event of a channel: a literal from them rules out nothing (the event
// index already sorts events by channel and ID) and makes every event a hit.
bool IsEventHeaderField(std::string_view field) {
  static constexpr std::string_view kHeader[] = {"EventID", "Channel", "Provider_Name", "Provider_Guid",
                                                 "Level",   "Task",    "Opcode",        "Keywords",
                                                 "Version", "EventRecordID"};
  for (auto h : kHeader)
    if (EqualsIgnoreCase(field, h)) return true;
  return false;
}

// The literals (or raw-line regexes) a record holds when value i of `m`
// matches; empty if it can match without one (a null value, a value with
// no literal).
std::vector<PrefilterLiteral> ValueLiterals(const FieldMatcher& m, size_t i, RawForm form, LogType type) {
  if (m.is_null[i]) return {};
  // A regex rewritten for raw lines: not on events, whose values may span
  // lines that a rule's (?s) regex crosses (their required literal serves),
  // nor for a regex that folds the case of other letters.
  if (m.op == FieldMatcher::Op::kRegex && form == RawForm::kVerbatim && !HoldsWindowsEvents(type) &&
      !UnicodeCaseless(m, i) &&
      !(RecordFormatOf(type) == RecordFormat::kCsv && m.values[i].find('"') != std::string::npos)) {
    std::string raw = RawLineRegex(m.values[i]);
    if (!raw.empty()) return {PrefilterLiteral{raw, false, true}};
  }
  LiteralList lits;
  for (auto& t : RawLiteralsForValue(m, i, form, type)) lits.Add({t, m.cased});
  return lits.Take();
}

// How a matcher's field lies in the raw record, or nullopt if the matcher
// leaves no literal there (exists, fieldref, an event header field).
std::optional<RawForm> CoverableForm(const FieldMatcher& m, LogType type) {
  if (m.op == FieldMatcher::Op::kExists || m.fieldref) return std::nullopt;
  if (HoldsWindowsEvents(type) && IsEventHeaderField(m.field)) return std::nullopt;
  if (m.field.empty()) return RawForm::kVerbatim;
  return BindField(type, m.field).raw_form;
}

Cover MatcherCover(const FieldMatcher& m, LogType type) {
  std::optional<RawForm> form = CoverableForm(m, type);
  if (!form) return std::nullopt;
  std::vector<std::vector<PrefilterLiteral>> per_value;
  for (size_t i = 0; i < m.values.size(); ++i) per_value.push_back(ValueLiterals(m, i, *form, type));
  if (m.all) {
    // Every value must be present: any one value's literals suffice.
    Cover best;
    for (auto& lits : per_value)
      if (!lits.empty() && (!best || Better(lits, *best))) best = lits;
    return best;
  }
  LiteralList all;
  for (auto& lits : per_value) {
    if (lits.empty()) return std::nullopt;  // this value can match without a literal
    for (auto& l : lits) all.Add(l);
  }
  return all.Take();
}

Cover SelectionCover(const Selection& sel, LogType type) {
  LiteralList all;
  for (const auto& alt : sel.alternatives) {
    Cover best;
    for (const auto& m : alt) {
      Cover c = MatcherCover(m, type);
      if (c && (!best || Better(*c, *best))) best = std::move(c);
    }
    if (!best) return std::nullopt;
    for (auto& l : *best) all.Add(l);
  }
  if (all.empty()) return std::nullopt;
  return all.Take();
}

Cover NodeCover(const ConditionNode& node, const std::vector<Selection>& sels, LogType type) {
  switch (node.kind) {
    case ConditionNode::Kind::kConst:
      return node.value ? Cover() : Cover(std::vector<PrefilterLiteral>{});
    case ConditionNode::Kind::kNot:
      return std::nullopt;
    case ConditionNode::Kind::kSelection:
      return SelectionCover(sels[size_t(node.selection)], type);
    case ConditionNode::Kind::kAnd: {
      Cover best;
      for (const auto& c : node.children) {
        Cover cc = NodeCover(c, sels, type);
        if (cc && (!best || Better(*cc, *best))) best = std::move(cc);
      }
      return best;
    }
    case ConditionNode::Kind::kOr: {
      LiteralList all;
      for (const auto& c : node.children) {
        Cover cc = NodeCover(c, sels, type);
        if (!cc) return std::nullopt;
        for (auto& l : *cc) all.Add(l);
      }
      return all.Take();
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<PrefilterLiteral>> SigmaRule::Cover(LogType type) const {
  return NodeCover(condition_, selections_, type);
}

namespace {

// Adds a cover as one requirement set, its regexes as the literals they
// must contain (none if one has no such literal).
void AddRequirement(const Cover& cover, std::vector<std::vector<PrefilterLiteral>>* out) {
  if (!cover || cover->empty()) return;
  LiteralList set;
  for (const auto& lit : *cover) {
    if (!lit.regex) {
      set.Add(lit);
      continue;
    }
    bool caseless = false;
    std::string required = RegexRequiredLiteral(lit.text, &caseless);
    if (required.empty()) return;  // this branch can match without a known literal
    set.Add({required, false, false});
  }
  out->push_back(set.Take());
}

void CollectRequirements(const ConditionNode& node, const std::vector<Selection>& sels, LogType type,
                         std::vector<std::vector<PrefilterLiteral>>* out) {
  if (node.kind == ConditionNode::Kind::kAnd) {
    for (const auto& c : node.children) CollectRequirements(c, sels, type, out);
    return;
  }
  if (node.kind == ConditionNode::Kind::kSelection && sels[size_t(node.selection)].alternatives.size() == 1) {
    // Every field matcher of the one alternative must match: each gives a
    // set, and each value of a matcher whose values must all match.
    for (const auto& m : sels[size_t(node.selection)].alternatives[0]) {
      std::optional<RawForm> form = CoverableForm(m, type);
      if (!form) continue;
      if (!m.all) {
        AddRequirement(MatcherCover(m, type), out);
        continue;
      }
      for (size_t i = 0; i < m.values.size(); ++i) AddRequirement(ValueLiterals(m, i, *form, type), out);
    }
    return;
  }
  AddRequirement(NodeCover(node, sels, type), out);
}

}  // namespace

std::vector<std::vector<PrefilterLiteral>> SigmaRule::Requirements(LogType type) const {
  std::vector<std::vector<PrefilterLiteral>> out;
  CollectRequirements(condition_, selections_, type, &out);
  return out;
}

}  // namespace exhunt
