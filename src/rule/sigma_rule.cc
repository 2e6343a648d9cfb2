#include "rule/sigma_rule.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "base/text.h"

namespace exhunt {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  if (EqualsIgnoreCase(name, "info") || EqualsIgnoreCase(name, "informational")) return Severity::kInfo;
  if (EqualsIgnoreCase(name, "low")) return Severity::kLow;
  if (EqualsIgnoreCase(name, "medium")) return Severity::kMedium;
  if (EqualsIgnoreCase(name, "high")) return Severity::kHigh;
  if (EqualsIgnoreCase(name, "critical")) return Severity::kCritical;
  return std::nullopt;
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kProbe: return "probe";
    case Outcome::kAttempt: return "attempt";
    case Outcome::kExploit: return "exploit";
    case Outcome::kCompromise: return "compromise";
  }
  return "attempt";
}

namespace {

// An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96), false if not an address.
bool ParseAddress(std::string_view text, std::array<uint8_t, 16>* out) {
  std::string s(Trim(text));
  uint8_t v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
    out->fill(0);
    (*out)[10] = (*out)[11] = 0xff;
    memcpy(out->data() + 12, v4, 4);
    return true;
  }
  size_t pct = s.find('%');  // zone index, as in fe80::1%12
  if (pct != std::string::npos) s.resize(pct);
  return inet_pton(AF_INET6, s.c_str(), out->data()) == 1;
}

// "10.0.0.0/8", "fe80::/10"; prefix bits counted on the 16-byte form.
bool CidrContains(const std::string& cidr, std::string_view value) {
  size_t slash = cidr.find('/');
  std::array<uint8_t, 16> net{}, addr{};
  if (!ParseAddress(std::string_view(cidr).substr(0, slash), &net) || !ParseAddress(value, &addr)) return false;
  bool v4 = cidr.find(':') == std::string::npos;
  int bits = v4 ? 32 : 128;
  if (slash != std::string::npos) bits = atoi(cidr.c_str() + slash + 1);
  if (v4) bits += 96;
  bits = std::clamp(bits, 0, 128);
  for (int i = 0; i < bits; ++i) {
    uint8_t mask = uint8_t(0x80 >> (i % 8));
    if ((net[size_t(i / 8)] & mask) != (addr[size_t(i / 8)] & mask)) return false;
  }
  return true;
}

// ---- detection parsing ------------------------------------------------------

std::vector<std::string> WindashVariants(const std::string& v) {
  // Every dash that starts a word may be written as '/' or a Unicode dash.
  static const char* kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95"};
  std::vector<size_t> positions;
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] == '-' && (i == 0 || v[i - 1] == ' ')) positions.push_back(i);
  if (positions.size() > 4) positions.resize(4);  // 5^4 variants at most
  std::vector<std::string> out;
  size_t combos = 1;
  for (size_t k = 0; k < positions.size(); ++k) combos *= 5;
  for (size_t c = 0; c < combos; ++c) {
    std::string s;
    size_t code = c, last = 0;
    for (size_t p : positions) {
      s.append(v, last, p - last);
      s += kDashes[code % 5];
      code /= 5;
      last = p + 1;
    }
    s.append(v, last, std::string::npos);
    out.push_back(std::move(s));
  }
  return out;
}

Status ParseScalarValues(const YAML::Node& node, FieldMatcher* m, const std::string& where) {
  auto add = [&](const YAML::Node& v) -> Status {
    if (v.IsNull()) {
      m->values.emplace_back();
      m->is_null.push_back(true);
      return Status::Ok();
    }
    if (!v.IsScalar()) return Status::InvalidArgument(where + ": values must be scalars");
    m->values.push_back(v.Scalar());
    m->is_null.push_back(false);
    return Status::Ok();
  };
  if (node.IsSequence()) {
    for (const auto& v : node) {
      Status s = add(v);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  return add(node);
}

Status ParseFieldMatcher(const std::string& key, const YAML::Node& value, FieldMatcher* m,
                         const std::string& where) {
  auto parts = Split(key, '|');
  m->field = std::string(parts[0]);
  bool windash = false;
  std::string re_flags;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string mod = AsciiLowerCopy(parts[i]);
    if (mod == "contains") m->op = FieldMatcher::Op::kContains;
    else if (mod == "startswith") m->op = FieldMatcher::Op::kStartsWith;
    else if (mod == "endswith") m->op = FieldMatcher::Op::kEndsWith;
    else if (mod == "all") m->all = true;
    else if (mod == "cased") m->cased = true;
    else if (mod == "re") m->op = FieldMatcher::Op::kRegex;
    else if ((mod == "i" || mod == "m" || mod == "s") && m->op == FieldMatcher::Op::kRegex) re_flags += mod;
    else if (mod == "exists") m->op = FieldMatcher::Op::kExists;
    else if (mod == "windash") windash = true;
    else if (mod == "cidr") m->op = FieldMatcher::Op::kCidr;
    else if (mod == "lt") m->op = FieldMatcher::Op::kLt;
    else if (mod == "lte") m->op = FieldMatcher::Op::kLte;
    else if (mod == "gt") m->op = FieldMatcher::Op::kGt;
    else if (mod == "gte") m->op = FieldMatcher::Op::kGte;
    else return Status::Unsupported(where + ": modifier '" + mod + "' is not supported yet");
  }
  Status s = ParseScalarValues(value, m, where);
  if (!s.ok()) return s;
  if (m->values.empty()) return Status::InvalidArgument(where + ": no values");
  if (m->op == FieldMatcher::Op::kExists) {
    std::string v = AsciiLowerCopy(m->values[0]);
    if (v != "true" && v != "false") return Status::InvalidArgument(where + ": exists takes true or false");
    m->exists = v == "true";
  }
  if (windash) {
    std::vector<std::string> expanded;
    for (const auto& v : m->values)
      for (auto& w : WindashVariants(v)) expanded.push_back(std::move(w));
    m->values = std::move(expanded);
    m->is_null.assign(m->values.size(), false);
  }
  for (const auto& v : m->values) {
    m->wildcard.push_back(HasWildcard(v));
    m->unescaped.push_back(v.find('\\') == std::string::npos ? v : GlobUnescape(v));
  }
  if (m->op == FieldMatcher::Op::kRegex) {
    for (const auto& v : m->values) {
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_case_sensitive(re_flags.find('i') == std::string::npos);
      opts.set_dot_nl(re_flags.find('s') != std::string::npos);
      std::string pattern = v;
      if (re_flags.find('m') != std::string::npos) pattern = "(?m)" + pattern;
      auto re = std::make_shared<const RE2>(pattern, opts);
      if (!re->ok()) return Status::InvalidArgument(where + ": bad regex '" + v + "': " + re->error());
      m->regexes.push_back(std::move(re));
    }
  }
  return Status::Ok();
}

Status ParseSelection(const std::string& name, const YAML::Node& node, Selection* sel,
                      const std::string& origin) {
  sel->name = name;
  std::string where = origin + ": selection '" + name + "'";
  auto parse_map = [&](const YAML::Node& map, std::vector<FieldMatcher>* out) -> Status {
    for (const auto& kv : map) {
      FieldMatcher m;
      Status s = ParseFieldMatcher(kv.first.Scalar(), kv.second, &m, where);
      if (!s.ok()) return s;
      out->push_back(std::move(m));
    }
    return Status::Ok();
  };
  if (node.IsMap()) {
    std::vector<FieldMatcher> group;
    Status s = parse_map(node, &group);
    if (!s.ok()) return s;
    sel->alternatives.push_back(std::move(group));
    return Status::Ok();
  }
  if (node.IsSequence()) {
    FieldMatcher keywords;
    keywords.op = FieldMatcher::Op::kContains;
    for (const auto& item : node) {
      if (item.IsMap()) {
        std::vector<FieldMatcher> group;
        Status s = parse_map(item, &group);
        if (!s.ok()) return s;
        sel->alternatives.push_back(std::move(group));
      } else if (item.IsScalar()) {
        keywords.values.push_back(item.Scalar());
        keywords.is_null.push_back(false);
      } else {
        return Status::InvalidArgument(where + ": list items must be maps or strings");
      }
    }
    if (!keywords.values.empty()) {
      for (const auto& v : keywords.values) sel->alternatives.push_back({[&] {
        FieldMatcher one = keywords;
        one.values = {v};
        one.is_null = {false};
        one.wildcard = {HasWildcard(v)};
        one.unescaped = {v.find('\\') == std::string::npos ? v : GlobUnescape(v)};
        return one;
      }()});
    }
    return Status::Ok();
  }
  if (node.IsScalar()) {
    FieldMatcher kw;
    kw.op = FieldMatcher::Op::kContains;
    kw.values = {node.Scalar()};
    kw.is_null = {false};
    kw.wildcard = {HasWildcard(node.Scalar())};
    kw.unescaped = {GlobUnescape(node.Scalar())};
    sel->alternatives.push_back({kw});
    return Status::Ok();
  }
  return Status::InvalidArgument(where + ": unsupported selection shape");
}

// ---- condition parsing ------------------------------------------------------

class ConditionParser {
 public:
  ConditionParser(std::string_view text, const std::vector<Selection>& sels, std::string where)
      : sels_(sels), where_(std::move(where)) {
    Tokenize(text);
  }

  Result<ConditionNode> Parse() {
    if (!error_.empty()) return Status::InvalidArgument(where_ + ": " + error_);
    auto node = ParseOr();
    if (!error_.empty()) return Status::InvalidArgument(where_ + ": " + error_);
    if (pos_ != tokens_.size())
      return Status::InvalidArgument(where_ + ": unexpected '" + tokens_[pos_] + "' in condition");
    return node;
  }

 private:
  void Tokenize(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (c == '(' || c == ')') {
        tokens_.emplace_back(1, c);
        ++i;
      } else if (c == '|') {
        error_ = "aggregations ('|') are not supported";
        return;
      } else {
        size_t j = i;
        while (j < s.size() && !strchr(" \t\r\n()|", s[j])) ++j;
        tokens_.emplace_back(s.substr(i, j - i));
        i = j;
      }
    }
  }

  bool Peek(std::string_view word) const {
    return pos_ < tokens_.size() && EqualsIgnoreCase(tokens_[pos_], word);
  }

  ConditionNode ParseOr() {
    ConditionNode left = ParseAnd();
    if (!Peek("or")) return left;
    ConditionNode node;
    node.kind = ConditionNode::Kind::kOr;
    node.children.push_back(std::move(left));
    while (Peek("or")) {
      ++pos_;
      node.children.push_back(ParseAnd());
    }
    return node;
  }

  ConditionNode ParseAnd() {
    ConditionNode left = ParseNot();
    if (!Peek("and")) return left;
    ConditionNode node;
    node.kind = ConditionNode::Kind::kAnd;
    node.children.push_back(std::move(left));
    while (Peek("and")) {
      ++pos_;
      node.children.push_back(ParseNot());
    }
    return node;
  }

  ConditionNode ParseNot() {
    if (Peek("not")) {
      ++pos_;
      ConditionNode node;
      node.kind = ConditionNode::Kind::kNot;
      node.children.push_back(ParseNot());
      return node;
    }
    return ParsePrimary();
  }

  ConditionNode ParsePrimary() {
    ConditionNode node;
    if (pos_ >= tokens_.size()) {
      if (error_.empty()) error_ = "condition ends too early";
      return node;
    }
    const std::string tok = tokens_[pos_];
    if (tok == "(") {
      ++pos_;
      node = ParseOr();
      if (!Peek(")")) {
        if (error_.empty()) error_ = "missing ')'";
      } else {
        ++pos_;
      }
      return node;
    }
    if ((tok == "1" || EqualsIgnoreCase(tok, "any") || EqualsIgnoreCase(tok, "all")) && pos_ + 2 < tokens_.size() + 1 &&
        pos_ + 1 < tokens_.size() && EqualsIgnoreCase(tokens_[pos_ + 1], "of")) {
      if (pos_ + 2 >= tokens_.size()) {
        error_ = "'of' needs a pattern";
        return node;
      }
      bool all = EqualsIgnoreCase(tok, "all");
      std::string pattern = tokens_[pos_ + 2];
      pos_ += 3;
      node.kind = all ? ConditionNode::Kind::kAnd : ConditionNode::Kind::kOr;
      for (size_t i = 0; i < sels_.size(); ++i) {
        bool match = EqualsIgnoreCase(pattern, "them") ? sels_[i].name.rfind('_', 0) != 0
                                                        : GlobMatch(pattern, sels_[i].name, true);
        if (!match) continue;
        ConditionNode leaf;
        leaf.kind = ConditionNode::Kind::kSelection;
        leaf.selection = int(i);
        node.children.push_back(std::move(leaf));
      }
      if (node.children.empty()) {
        if (error_.empty()) error_ = "'" + pattern + "' names no selection";
      }
      return node;
    }
    for (size_t i = 0; i < sels_.size(); ++i) {
      if (sels_[i].name == tok) {
        ++pos_;
        node.kind = ConditionNode::Kind::kSelection;
        node.selection = int(i);
        return node;
      }
    }
    if (error_.empty()) error_ = "unknown selection '" + tok + "'";
    ++pos_;
    return node;
  }

  const std::vector<Selection>& sels_;
  std::string where_;
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  std::string error_;
};

std::string Scalar(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

}  // namespace

Result<std::shared_ptr<const SigmaRule>> SigmaRule::Parse(std::string_view yaml, const std::string& origin) {
  std::shared_ptr<SigmaRule> rule(new SigmaRule());
  rule->origin_ = origin;
  try {
    YAML::Node doc = YAML::Load(std::string(yaml));
    if (!doc.IsMap()) return Status::InvalidArgument(origin + ": not a YAML map");
    if (doc["action"]) return Status::Unsupported(origin + ": rule collections ('action:') are not supported yet");
    if (doc["correlation"]) return Status::Unsupported(origin + ": correlation rules are not supported yet");
    rule->id_ = Scalar(doc["id"]);
    rule->title_ = Scalar(doc["title"]);
    rule->description_ = Scalar(doc["description"]);
    if (rule->title_.empty()) return Status::InvalidArgument(origin + ": rule has no title");
    if (rule->id_.empty()) return Status::InvalidArgument(origin + ": rule has no id");
    if (auto level = Scalar(doc["level"]); !level.empty()) {
      auto sev = ParseSeverity(level);
      if (!sev) return Status::InvalidArgument(origin + ": unknown level '" + level + "'");
      rule->severity_ = *sev;
    }
    if (auto outcome = Scalar(doc["outcome"]); !outcome.empty()) {
      if (outcome == "probe") rule->outcome_ = Outcome::kProbe;
      else if (outcome == "attempt") rule->outcome_ = Outcome::kAttempt;
      else if (outcome == "exploit") rule->outcome_ = Outcome::kExploit;
      else if (outcome == "compromise") rule->outcome_ = Outcome::kCompromise;
      else return Status::InvalidArgument(origin + ": unknown outcome '" + outcome + "'");
    }
    if (const auto& tags = doc["tags"]; tags && tags.IsSequence()) {
      for (const auto& t : tags) {
        std::string tag = AsciiLowerCopy(Scalar(t));
        if (tag.rfind("cve.", 0) == 0) {
          std::string cve = "CVE-" + tag.substr(4);
          for (char& c : cve) c = char(toupper(static_cast<unsigned char>(c)));
          rule->cves_.push_back(cve);
        } else if (tag.rfind("attack.t", 0) == 0 && tag.size() > 8 && isdigit(static_cast<unsigned char>(tag[8]))) {
          std::string id = tag.substr(7);
          for (char& c : id) c = char(toupper(static_cast<unsigned char>(c)));
          rule->attack_.push_back(id);
        }
      }
    }
    if (const auto& ls = doc["logsource"]; ls && ls.IsMap()) {
      rule->logsource_.product = AsciiLowerCopy(Scalar(ls["product"]));
      rule->logsource_.service = AsciiLowerCopy(Scalar(ls["service"]));
      rule->logsource_.category = AsciiLowerCopy(Scalar(ls["category"]));
    }
    const YAML::Node det = doc["detection"];
    if (!det || !det.IsMap()) return Status::InvalidArgument(origin + ": rule has no detection");
    std::vector<std::string> conditions;
    for (const auto& kv : det) {
      std::string key = kv.first.Scalar();
      if (key == "condition") {
        if (kv.second.IsSequence()) {
          for (const auto& c : kv.second) conditions.push_back(Scalar(c));
        } else {
          conditions.push_back(Scalar(kv.second));
        }
        continue;
      }
      if (key == "timeframe") return Status::Unsupported(origin + ": timeframe is not supported yet");
      Selection sel;
      Status s = ParseSelection(key, kv.second, &sel, origin);
      if (!s.ok()) return s;
      rule->selections_.push_back(std::move(sel));
    }
    if (conditions.empty()) return Status::InvalidArgument(origin + ": detection has no condition");
    ConditionNode root;
    root.kind = ConditionNode::Kind::kOr;
    for (const auto& c : conditions) {
      ConditionParser parser(c, rule->selections_, origin + ": condition");
      auto node = parser.Parse();
      if (!node.ok()) return node.status();
      root.children.push_back(std::move(node.value()));
    }
    rule->condition_ = root.children.size() == 1 ? std::move(root.children[0]) : std::move(root);
    if (const auto& fields = doc["fields"]; fields && fields.IsSequence()) {
      for (const auto& f : fields) rule->evidence_fields_.push_back(Scalar(f));
    } else {
      for (const auto& sel : rule->selections_)
        for (const auto& alt : sel.alternatives)
          for (const auto& m : alt)
            if (!m.field.empty() &&
                std::find(rule->evidence_fields_.begin(), rule->evidence_fields_.end(), m.field) ==
                    rule->evidence_fields_.end())
              rule->evidence_fields_.push_back(m.field);
    }
  } catch (const YAML::Exception& e) {
    return Status::Corrupt(origin + ": YAML: " + e.what());
  }
  return std::shared_ptr<const SigmaRule>(std::move(rule));
}

bool SigmaRule::AppliesTo(LogType type) const {
  const auto& ls = logsource_;
  if (type == LogType::kIisW3c) {
    if (ls.service == "iis") return true;
    if (ls.category == "webserver" && (ls.product.empty() || ls.product == "windows" || ls.product == "iis"))
      return true;
  }
  if (ls.product == "exchange" && ls.service == LogTypeName(type)) return true;
  return false;
}

// ---- matching ---------------------------------------------------------------

namespace {

bool CompareNumber(FieldMatcher::Op op, std::string_view field, const std::string& value) {
  char* end = nullptr;
  std::string f(Trim(field));
  double a = strtod(f.c_str(), &end);
  if (f.empty() || *end) return false;
  double b = strtod(value.c_str(), &end);
  if (*end) return false;
  switch (op) {
    case FieldMatcher::Op::kLt: return a < b;
    case FieldMatcher::Op::kLte: return a <= b;
    case FieldMatcher::Op::kGt: return a > b;
    case FieldMatcher::Op::kGte: return a >= b;
    default: return false;
  }
}

bool MatchOne(const FieldMatcher& m, size_t i, std::string_view field) {
  const std::string& v = m.values[i];
  using Op = FieldMatcher::Op;
  switch (m.op) {
    case Op::kRegex:
      return RE2::PartialMatch(re2::StringPiece(field.data(), field.size()), *m.regexes[i]);
    case Op::kLt:
    case Op::kLte:
    case Op::kGt:
    case Op::kGte:
      return CompareNumber(m.op, field, v);
    case Op::kExists:
      return true;
    case Op::kCidr:
      return CidrContains(v, field);
    default:
      break;
  }
  if (m.wildcard[i]) {
    std::string pattern;
    if (m.op == Op::kContains || m.op == Op::kEndsWith) pattern += '*';
    pattern += v;
    if (m.op == Op::kContains || m.op == Op::kStartsWith) pattern += '*';
    return GlobMatch(pattern, field, m.cased);
  }
  std::string_view lit = m.unescaped[i];
  switch (m.op) {
    case Op::kContains:
      return m.cased ? field.find(lit) != std::string_view::npos : ContainsIgnoreCase(field, lit);
    case Op::kStartsWith:
      return m.cased ? field.substr(0, lit.size()) == lit : StartsWithIgnoreCase(field, lit);
    case Op::kEndsWith:
      return m.cased ? (field.size() >= lit.size() && field.substr(field.size() - lit.size()) == lit)
                     : EndsWithIgnoreCase(field, lit);
    default:
      return m.cased ? field == lit : EqualsIgnoreCase(field, lit);
  }
}

}  // namespace

bool MatchFieldMatcher(const FieldMatcher& m, const Record& record) {
  std::optional<std::string_view> field;
  if (m.field.empty()) {
    field = record.Raw();
  } else {
    field = record.Field(m.field);
  }
  if (m.op == FieldMatcher::Op::kExists) return field.has_value() == m.exists;
  bool any = false;
  for (size_t i = 0; i < m.values.size(); ++i) {
    bool hit;
    if (m.is_null[i]) {
      hit = !field || field->empty();
    } else {
      hit = field.has_value() && MatchOne(m, i, *field);
    }
    if (m.all && !hit) return false;
    if (!m.all && hit) return true;
    any = any || hit;
  }
  return m.all ? true : any;
}

bool SigmaRule::EvalSelection(int index, const Record& record) const {
  for (const auto& alt : selections_[size_t(index)].alternatives) {
    bool all = true;
    for (const auto& m : alt) {
      if (!MatchFieldMatcher(m, record)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool SigmaRule::EvalNode(const ConditionNode& node, const Record& record,
                         std::vector<signed char>& memo) const {
  switch (node.kind) {
    case ConditionNode::Kind::kConst: return node.value;
    case ConditionNode::Kind::kSelection: {
      signed char& cached = memo[size_t(node.selection)];
      if (cached < 0) cached = EvalSelection(node.selection, record) ? 1 : 0;
      return cached == 1;
    }
    case ConditionNode::Kind::kNot: return !EvalNode(node.children[0], record, memo);
    case ConditionNode::Kind::kAnd:
      for (const auto& c : node.children)
        if (!EvalNode(c, record, memo)) return false;
      return true;
    case ConditionNode::Kind::kOr:
      for (const auto& c : node.children)
        if (EvalNode(c, record, memo)) return true;
      return false;
  }
  return false;
}

bool SigmaRule::Matches(const Record& record) const {
  std::vector<signed char> memo(selections_.size(), -1);
  return EvalNode(condition_, record, memo);
}

// ---- prefilter cover --------------------------------------------------------

namespace {

using Cover = std::optional<std::vector<PrefilterLiteral>>;

// How selective a literal is likely to be in Exchange and IIS logs. Length
// alone misleads: "POST" or "/autodiscover" are longer than "@x" but occur
// on most lines. Scores: 1 = on most lines, 2 = on many lines, else length.
size_t LiteralScore(const std::string& text) {
  static const char* kVeryCommon[] = {"get", "post", "head", "options", "200", "302", "401", "404", "500",
                                      "443", "444", "80", "mozilla", "mozilla/5.0", "/owa/", "/owa", "http/1.1",
                                      "true", "false", "-", "0", "@", "%40", "/", "?", "=", "&"};
  static const char* kCommon[] = {".js", ".css", ".aspx", ".gif", "/ecp/", "/ecp", "/ews", "/ews/", "/mapi/",
                                  "/mapi", "/autodiscover", "/autodiscover/", "/autodiscover.json",
                                  "autodiscover.json", "/powershell", "powershell", "server~", "/oab/", "/rpc/",
                                  "/microsoft-server-activesync", "/owa/auth/", "sid~", "smtp~"};
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

void AddUnique(std::vector<PrefilterLiteral>* out, PrefilterLiteral lit) {
  if (lit.text.empty()) return;
  if (std::find(out->begin(), out->end(), lit) == out->end()) out->push_back(std::move(lit));
}

}  // namespace

// Conservative: any top-level alternation gives up;
// groups and classes end a run; a char made optional by ?, * or {0 is dropped.
std::string RegexRequiredLiteral(std::string_view re, bool* caseless) {
  *caseless = false;
  size_t i = 0;
  if (re.substr(0, 2) == "(?") {
    size_t close = re.find(')');
    std::string_view flags = close == std::string_view::npos ? "-" : re.substr(2, close - 2);
    if (flags.find_first_not_of("imsU") == std::string_view::npos) {  // "(?i)" flags, not a group
      *caseless = flags.find('i') != std::string_view::npos;
      i = close + 1;
    }
  }
  // Give up on a top-level '|'.
  int depth = 0;
  for (size_t k = i; k < re.size(); ++k) {
    char c = re[k];
    if (c == '\\') {
      ++k;
    } else if (c == '[') {
      while (k < re.size() && re[k] != ']') k += re[k] == '\\' ? 2 : 1;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return "";
    }
  }
  std::string best, cur;
  auto flush = [&] {
    if (cur.size() > best.size()) best = cur;
    cur.clear();
  };
  while (i < re.size()) {
    char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      char e = re[i + 1];
      if (isalnum(static_cast<unsigned char>(e))) {  // \w \d \s \b ...: a class or an assertion
        flush();
        i += 2;
        continue;
      }
      cur += e;
      i += 2;
    } else if (c == '(') {
      flush();
      int d = 0;
      for (; i < re.size(); ++i) {
        if (re[i] == '\\') { ++i; continue; }
        if (re[i] == '(') ++d;
        if (re[i] == ')' && --d == 0) break;
      }
      ++i;
      continue;
    } else if (c == '[') {
      flush();
      while (i < re.size() && re[i] != ']') i += re[i] == '\\' ? 2 : 1;
      ++i;
      continue;
    } else if (c == '?' || c == '*' || (c == '{' && i + 1 < re.size() && re[i + 1] == '0')) {
      if (!cur.empty()) cur.pop_back();
      flush();
      ++i;
      if (c == '{') while (i < re.size() && re[i - 1] != '}') ++i;
      continue;
    } else if (c == '+' ) {
      flush();
      ++i;
      continue;
    } else if (c == '{') {
      flush();
      while (i < re.size() && re[i] != '}') ++i;
      ++i;
      continue;
    } else if (c == '.' || c == '^' || c == '$' || c == '|' || c == ')') {
      flush();
      ++i;
      continue;
    } else {
      cur += c;
      ++i;
    }
    // A quantifier right after the char just added may make it optional.
  }
  flush();
  return best;
}

namespace {

// A Sigma field regex as a raw-line prefilter pattern: inline flags dropped
// (the prefilter is caseless anyway), ^ and $ outside classes widened to
// field boundaries (for values that are whole columns) or dropped (for
// values cut out of a column, such as an ECP "S:CMD=" value). Empty if the
// pattern cannot be rewritten safely.
std::string RawLineRegex(std::string_view re, bool column) {
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
    if (c == '^') out += column ? "(?:^|[ ,\\t\"])" : "";
    else if (c == '$') out += column ? "(?:$|[ ,\\t\"\\r\\n])" : "";
    else out += c;
  }
  return out;
}

}  // namespace

namespace {

// The raw-byte literals that any field value satisfying (op, value) must
// leave in the record; empty if none is guaranteed.
std::vector<std::string> RawLiteralsForValue(const FieldMatcher& m, const std::string& value,
                                             RawForm form, LogType type) {
  using Op = FieldMatcher::Op;
  if (m.op == Op::kExists || m.op == Op::kCidr || m.op >= Op::kLt) return {};
  std::string lit;
  if (m.op == Op::kRegex) {
    bool caseless = false;
    lit = RegexRequiredLiteral(value, &caseless);
    // A case-sensitive regex still matches a caseless literal search.
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

Cover MatcherCover(const FieldMatcher& m, LogType type) {
  if (m.op == FieldMatcher::Op::kExists) return std::nullopt;
  FieldBinding binding = m.field.empty() ? FieldBinding{FieldBinding::Kind::kLine, "", false, RawForm::kVerbatim}
                                         : BindField(type, m.field);
  RawForm form = binding.raw_form;
  std::vector<std::vector<PrefilterLiteral>> per_value;
  for (size_t i = 0; i < m.values.size(); ++i) {
    if (m.is_null[i]) {
      per_value.emplace_back();
      continue;
    }
    if (m.op == FieldMatcher::Op::kRegex && form == RawForm::kVerbatim &&
        !(RecordFormatOf(type) == RecordFormat::kCsv && m.values[i].find('"') != std::string::npos)) {
      std::string raw = RawLineRegex(m.values[i], binding.kind == FieldBinding::Kind::kColumn);
      if (!raw.empty()) {
        per_value.push_back({PrefilterLiteral{raw, false, true}});
        continue;
      }
    }
    std::vector<PrefilterLiteral> lits;
    for (auto& t : RawLiteralsForValue(m, m.values[i], form, type)) AddUnique(&lits, {t, m.cased});
    per_value.push_back(std::move(lits));
  }
  if (m.all) {
    // Every value must be present: any one value's literals suffice.
    Cover best;
    for (auto& lits : per_value)
      if (!lits.empty() && (!best || Better(lits, *best))) best = lits;
    return best;
  }
  std::vector<PrefilterLiteral> all;
  for (auto& lits : per_value) {
    if (lits.empty()) return std::nullopt;  // this value can match without a literal
    for (auto& l : lits) AddUnique(&all, l);
  }
  return all;
}

Cover SelectionCover(const Selection& sel, LogType type) {
  std::vector<PrefilterLiteral> all;
  for (const auto& alt : sel.alternatives) {
    Cover best;
    for (const auto& m : alt) {
      Cover c = MatcherCover(m, type);
      if (c && (!best || Better(*c, *best))) best = std::move(c);
    }
    if (!best) return std::nullopt;
    for (auto& l : *best) AddUnique(&all, l);
  }
  if (all.empty()) return std::nullopt;
  return all;
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
      std::vector<PrefilterLiteral> all;
      for (const auto& c : node.children) {
        Cover cc = NodeCover(c, sels, type);
        if (!cc) return std::nullopt;
        for (auto& l : *cc) AddUnique(&all, l);
      }
      return all;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<PrefilterLiteral>> SigmaRule::Cover(LogType type) const {
  return NodeCover(condition_, selections_, type);
}

}  // namespace exhunt
