// Sigma rules from YAML: metadata into a RuleInfo, selections with their
// modifiers, and conditions. Unsupported features are refused by name.
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/text.h"
#include "base/yaml_load.h"
#include "rule/sigma_rule.h"

namespace exhunt {

namespace {

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

// The value encodings of Sigma, applied to rule values in the order the
// modifiers name them.
enum class Encoding { kWindash, kBase64, kBase64Offset, kUtf16Le, kUtf16Be, kUtf16 };

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16 | (i + 1 < in.size() ? uint32_t(uint8_t(in[i + 1])) << 8 : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The three forms `value` takes inside a longer base64 text, whatever the
// bytes before it: encoded after 0, 1 and 2 bytes of padding, with the
// characters that depend on the neighbours cut off.
std::vector<std::string> Base64OffsetVariants(const std::string& value) {
  static constexpr size_t kStart[] = {0, 2, 3};
  static constexpr int kEndCut[] = {0, 3, 2};  // by (size + shift) % 3
  std::vector<std::string> out;
  for (size_t shift = 0; shift < 3; ++shift) {
    std::string encoded = Base64(std::string(shift, ' ') + value);
    size_t cut = size_t(kEndCut[(value.size() + shift) % 3]);
    if (encoded.size() < kStart[shift] + cut) continue;
    out.push_back(encoded.substr(kStart[shift], encoded.size() - kStart[shift] - cut));
  }
  return out;
}

// UTF-8 text as UTF-16 bytes (invalid bytes pass as themselves).
std::string Utf16(std::string_view text, bool big_endian) {
  std::string out;
  auto unit = [&](uint32_t u) {
    char lo = char(u & 0xff), hi = char(u >> 8);
    out += big_endian ? hi : lo;
    out += big_endian ? lo : hi;
  };
  for (size_t i = 0; i < text.size();) {
    unsigned char c = uint8_t(text[i]);
    uint32_t cp = c;
    size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (n > 1 && i + n <= text.size()) {
      cp = c & (0x3f >> (n - 1));
      for (size_t k = 1; k < n; ++k) cp = cp << 6 | (uint8_t(text[i + k]) & 0x3f);
    } else {
      n = 1;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xd800 + (cp >> 10));
      unit(0xdc00 + (cp & 0x3ff));
    } else {
      unit(cp);
    }
    i += n;
  }
  return out;
}

std::vector<std::string> Encode(Encoding e, const std::string& v) {
  switch (e) {
    case Encoding::kWindash:
      return WindashVariants(v);
    case Encoding::kBase64:
      return {Base64(v)};
    case Encoding::kBase64Offset:
      return Base64OffsetVariants(v);
    case Encoding::kUtf16Le:
      return {Utf16(v, false)};
    case Encoding::kUtf16Be:
      return {Utf16(v, true)};
    case Encoding::kUtf16:
      return {"\xff\xfe" + Utf16(v, false)};  // with the little-endian byte order mark
  }
  return {v};
}

// Replaces each %name% in every value by each of the placeholder's
// configured values (every combination, when a value holds several).
Status ExpandPlaceholders(FieldMatcher* m, const SigmaPlaceholders* placeholders, const std::string& where) {
  std::vector<std::string> out;
  std::vector<bool> nulls;
  for (size_t i = 0; i < m->values.size(); ++i) {
    std::vector<std::string> pending = {m->values[i]};
    for (size_t round = 0; round < 8; ++round) {
      std::vector<std::string> next;
      bool changed = false;
      for (const auto& v : pending) {
        size_t open = v.find('%');
        size_t close = open == std::string::npos ? open : v.find('%', open + 1);
        if (close == std::string::npos) {
          next.push_back(v);
          continue;
        }
        const std::string name = AsciiLowerCopy(v.substr(open + 1, close - open - 1));
        const std::vector<std::string>* configured = nullptr;
        if (placeholders) {
          auto it = placeholders->values.find(name);
          if (it != placeholders->values.end() && !it->second.empty()) configured = &it->second;
        }
        if (!configured)
          return Status::Unsupported(where + ": placeholder %" + v.substr(open + 1, close - open - 1) +
                                     "% has no configured values (--sigma-placeholders FILE)");
        for (const auto& value : *configured) next.push_back(v.substr(0, open) + value + v.substr(close + 1));
        changed = true;
        if (next.size() > 10000) return Status::InvalidArgument(where + ": placeholders expand to over 10,000 values");
      }
      pending = std::move(next);
      if (!changed) break;
    }
    for (auto& v : pending) {
      out.push_back(std::move(v));
      nulls.push_back(m->is_null[i]);
    }
  }
  m->values = std::move(out);
  m->is_null = std::move(nulls);
  return Status::Ok();
}

Status ParseFieldMatcher(const std::string& key, const YAML::Node& value, FieldMatcher* m, const std::string& where,
                         const SigmaPlaceholders* placeholders) {
  auto parts = Split(key, '|');
  m->field = std::string(parts[0]);
  std::vector<Encoding> encodings;
  std::string re_flags;
  bool expand = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string mod = AsciiLowerCopy(parts[i]);
    if (mod == "contains")
      m->op = FieldMatcher::Op::kContains;
    else if (mod == "startswith")
      m->op = FieldMatcher::Op::kStartsWith;
    else if (mod == "endswith")
      m->op = FieldMatcher::Op::kEndsWith;
    else if (mod == "all")
      m->all = true;
    else if (mod == "cased")
      m->cased = true;
    else if (mod == "re")
      m->op = FieldMatcher::Op::kRegex;
    else if ((mod == "i" || mod == "m" || mod == "s") && m->op == FieldMatcher::Op::kRegex)
      re_flags += mod;
    else if (mod == "exists")
      m->op = FieldMatcher::Op::kExists;
    else if (mod == "windash")
      encodings.push_back(Encoding::kWindash);
    else if (mod == "base64")
      encodings.push_back(Encoding::kBase64);
    else if (mod == "base64offset")
      encodings.push_back(Encoding::kBase64Offset);
    else if (mod == "utf16le" || mod == "wide")
      encodings.push_back(Encoding::kUtf16Le);
    else if (mod == "utf16be")
      encodings.push_back(Encoding::kUtf16Be);
    else if (mod == "utf16")
      encodings.push_back(Encoding::kUtf16);
    else if (mod == "fieldref")
      m->fieldref = true;
    else if (mod == "expand")
      expand = true;
    else if (mod == "cidr")
      m->op = FieldMatcher::Op::kCidr;
    else if (mod == "lt")
      m->op = FieldMatcher::Op::kLt;
    else if (mod == "lte")
      m->op = FieldMatcher::Op::kLte;
    else if (mod == "gt")
      m->op = FieldMatcher::Op::kGt;
    else if (mod == "gte")
      m->op = FieldMatcher::Op::kGte;
    else
      return Status::Unsupported(where + ": modifier '" + mod + "' is not supported yet");
  }
  // A key without a field ('|all', '|re') searches the whole record, as a
  // keyword list does: its values are found anywhere in it, not equal to it.
  if (m->field.empty() && m->op == FieldMatcher::Op::kEquals) m->op = FieldMatcher::Op::kContains;
  Status s = ParseScalarValues(value, m, where);
  if (!s.ok()) return s;
  if (m->values.empty()) return Status::InvalidArgument(where + ": no values");
  if (expand) {
    s = ExpandPlaceholders(m, placeholders, where);
    if (!s.ok()) return s;
  }
  if (m->op == FieldMatcher::Op::kExists) {
    std::string v = AsciiLowerCopy(m->values[0]);
    if (v != "true" && v != "false") return Status::InvalidArgument(where + ": exists takes true or false");
    m->exists = v == "true";
  }
  if (!encodings.empty() && (m->fieldref || m->op == FieldMatcher::Op::kRegex || m->op == FieldMatcher::Op::kCidr ||
                             m->op >= FieldMatcher::Op::kLt))
    return Status::InvalidArgument(where + ": a value encoding cannot combine with re, cidr, fieldref or comparisons");
  for (Encoding e : encodings) {
    std::vector<std::string> encoded;
    for (size_t i = 0; i < m->values.size(); ++i) {
      if (m->is_null[i]) return Status::InvalidArgument(where + ": a null value cannot be encoded");
      std::string v = m->values[i];
      if (e != Encoding::kWindash && !m->encoded) {
        // Bytes from here on: the value's escapes are resolved first, and a
        // wildcard has no encoded form.
        if (HasWildcard(v)) return Status::InvalidArgument(where + ": a value with wildcards cannot be encoded");
        v = GlobUnescape(v);
      }
      for (auto& w : Encode(e, v)) encoded.push_back(std::move(w));
    }
    m->values = std::move(encoded);
    m->is_null.assign(m->values.size(), false);
    m->encoded = m->encoded || e != Encoding::kWindash;
  }
  for (const auto& v : m->values) {
    m->wildcard.push_back(!m->encoded && HasWildcard(v));
    m->unescaped.push_back(m->encoded || v.find('\\') == std::string::npos ? v : GlobUnescape(v));
  }
  if (m->op == FieldMatcher::Op::kCidr)
    for (const auto& v : m->values) m->networks.push_back(ParseCidr(v));
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
      bool inline_caseless = false;
      std::string literal = RegexRequiredLiteral(v, &inline_caseless);
      // Caseless, RE2 folds every script: only the ASCII bytes are certain.
      if (RegexCaseless(*m, m->regexes.size() - 1)) literal = LongestAsciiRun(literal);
      m->regex_literals.push_back(std::move(literal));
    }
  }
  return Status::Ok();
}

Status ParseSelection(const std::string& name, const YAML::Node& node, Selection* sel, const std::string& origin,
                      const SigmaPlaceholders* placeholders) {
  sel->name = name;
  std::string where = origin + ": selection '" + name + "'";
  auto parse_map = [&](const YAML::Node& map, std::vector<FieldMatcher>* out) -> Status {
    for (const auto& kv : map) {
      FieldMatcher m;
      Status s = ParseFieldMatcher(kv.first.Scalar(), kv.second, &m, where, placeholders);
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
      for (const auto& v : keywords.values)
        sel->alternatives.push_back({[&] {
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

  bool Peek(std::string_view word) const { return pos_ < tokens_.size() && EqualsIgnoreCase(tokens_[pos_], word); }

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


}  // namespace

std::string YamlScalar(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

Status ParseRuleMetadata(const YAML::Node& doc, const std::string& origin, RuleInfo* info) {
  info->id = YamlScalar(doc["id"]);
  info->title = YamlScalar(doc["title"]);
  info->description = YamlScalar(doc["description"]);
  if (info->title.empty()) return Status::InvalidArgument(origin + ": rule has no title");
  if (info->id.empty()) return Status::InvalidArgument(origin + ": rule has no id");
  if (auto level = YamlScalar(doc["level"]); !level.empty()) {
    auto sev = ParseSeverity(level);
    if (!sev) return Status::InvalidArgument(origin + ": unknown level '" + level + "'");
    info->severity = *sev;
  }
  if (auto outcome = YamlScalar(doc["outcome"]); !outcome.empty()) {
    auto o = ParseOutcome(outcome);
    if (!o) return Status::InvalidArgument(origin + ": unknown outcome '" + outcome + "'");
    info->outcome = *o;
  }
  // exhunt extension: what a hit means in a chain (finding/verdict.h).
  if (const auto& marks = doc["marks"]; marks) {
    if (!marks.IsSequence()) return Status::InvalidArgument(origin + ": marks must be a list");
    for (const auto& m : marks) info->marks.push_back(YamlScalar(m));
  }
  if (const auto& tags = doc["tags"]; tags && tags.IsSequence()) {
    for (const auto& t : tags) {
      std::string tag = AsciiLowerCopy(YamlScalar(t));
      if (tag.rfind("cve.", 0) == 0) {
        std::string cve = "CVE-" + tag.substr(4);
        for (char& c : cve) c = char(toupper(static_cast<unsigned char>(c)));
        info->cves.push_back(cve);
      } else if (tag.rfind("attack.t", 0) == 0 && tag.size() > 8 && isdigit(static_cast<unsigned char>(tag[8]))) {
        std::string id = tag.substr(7);
        for (char& c : id) c = char(toupper(static_cast<unsigned char>(c)));
        info->attack.push_back(id);
      }
    }
  }
  info->name = YamlScalar(doc["name"]);
  return Status::Ok();
}

Result<SigmaPlaceholders> ParseSigmaPlaceholders(std::string_view yaml, const std::string& origin) {
  SigmaPlaceholders out;
  try {
    YAML::Node doc = LoadYaml(yaml);
    if (!doc.IsMap()) return Status::InvalidArgument(origin + ": placeholders must be a map of names to values");
    for (const auto& kv : doc) {
      std::string name = kv.first.Scalar();
      if (name.size() > 2 && name.front() == '%' && name.back() == '%') name = name.substr(1, name.size() - 2);
      auto& values = out.values[AsciiLowerCopy(name)];
      if (kv.second.IsScalar()) {
        values.push_back(kv.second.Scalar());
      } else if (kv.second.IsSequence()) {
        for (const auto& v : kv.second) values.push_back(YamlScalar(v));
      } else {
        return Status::InvalidArgument(origin + ": placeholder " + name + " needs a value or a list of values");
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(origin + ": " + e.what());
  }
  return out;
}

Result<std::shared_ptr<const SigmaRule>> SigmaRule::Parse(std::string_view yaml, const std::string& origin,
                                                          const SigmaPlaceholders* placeholders) {
  std::shared_ptr<SigmaRule> rule(new SigmaRule());
  auto info = std::make_shared<RuleInfo>();
  info->kind = RuleKind::kSigma;
  info->origin = origin;
  try {
    YAML::Node doc = LoadYaml(yaml);
    if (!doc.IsMap()) return Status::InvalidArgument(origin + ": not a YAML map");
    if (doc["action"]) return Status::Unsupported(origin + ": rule collections ('action:') are not supported yet");
    if (doc["correlation"]) return Status::InvalidArgument(origin + ": a correlation rule, not a detection (RuleSet loads it)");
    if (Status meta = ParseRuleMetadata(doc, origin, info.get()); !meta.ok()) return meta;
    if (const auto& ls = doc["logsource"]; ls && ls.IsMap()) {
      rule->logsource_.product = AsciiLowerCopy(YamlScalar(ls["product"]));
      rule->logsource_.service = AsciiLowerCopy(YamlScalar(ls["service"]));
      rule->logsource_.category = AsciiLowerCopy(YamlScalar(ls["category"]));
    }
    if (rule->logsource_.product == "windows") {
      auto sources = MapWindowsLogSource(rule->logsource_.service, rule->logsource_.category);
      if (!sources.ok()) return Status::Unsupported(origin + ": " + sources.status().message());
      rule->windows_sources_ = std::move(sources.value());
    }
    const YAML::Node det = doc["detection"];
    if (!det || !det.IsMap()) return Status::InvalidArgument(origin + ": rule has no detection");
    std::vector<std::string> conditions;
    for (const auto& kv : det) {
      std::string key = kv.first.Scalar();
      if (key == "condition") {
        if (kv.second.IsSequence()) {
          for (const auto& c : kv.second) conditions.push_back(YamlScalar(c));
        } else {
          conditions.push_back(YamlScalar(kv.second));
        }
        continue;
      }
      if (key == "timeframe") return Status::Unsupported(origin + ": timeframe is not supported yet");
      Selection sel;
      Status s = ParseSelection(key, kv.second, &sel, origin, placeholders);
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
    rule->NarrowSourcesByEventId();
    if (const auto& fields = doc["fields"]; fields && fields.IsSequence()) {
      for (const auto& f : fields) rule->evidence_fields_.push_back(YamlScalar(f));
    } else {
      for (const auto& sel : rule->selections_)
        for (const auto& alt : sel.alternatives)
          for (const auto& m : alt)
            if (!m.field.empty() && std::find(rule->evidence_fields_.begin(), rule->evidence_fields_.end(), m.field) ==
                                        rule->evidence_fields_.end())
              rule->evidence_fields_.push_back(m.field);
    }
  } catch (const YAML::Exception& e) {
    return Status::Corrupt(origin + ": YAML: " + e.what());
  }
  rule->info_ = std::move(info);
  return std::shared_ptr<const SigmaRule>(std::move(rule));
}

namespace {

// The event IDs a node can only be true for; nullopt when it can be true for
// any (or the demand is not a plain list of numbers).
using IdSet = std::optional<std::vector<uint32_t>>;

IdSet Intersect(IdSet a, const IdSet& b) {
  if (!a) return b;
  if (!b) return a;
  std::vector<uint32_t> out;
  std::set_intersection(a->begin(), a->end(), b->begin(), b->end(), std::back_inserter(out));
  return out;
}

IdSet Union(const IdSet& a, const IdSet& b) {
  if (!a || !b) return std::nullopt;
  std::vector<uint32_t> out;
  std::set_union(a->begin(), a->end(), b->begin(), b->end(), std::back_inserter(out));
  return out;
}

// A matcher's demand on EventID: `EventID: 4624` or a list of such numbers.
IdSet MatcherIds(const FieldMatcher& m) {
  if (!EqualsIgnoreCase(m.field, "EventID") || m.op != FieldMatcher::Op::kEquals || m.fieldref || m.encoded ||
      (m.all && m.values.size() > 1) || m.values.empty())
    return std::nullopt;
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < m.values.size(); ++i) {
    uint64_t id = 0;
    if (m.is_null[i] || m.wildcard[i] || !ParseUint(m.values[i], &id) || id > UINT32_MAX) return std::nullopt;
    ids.push_back(uint32_t(id));
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

IdSet SelectionIds(const Selection& sel) {
  IdSet out = std::vector<uint32_t>{};  // no alternative: never true
  for (const auto& alt : sel.alternatives) {
    IdSet alt_ids;
    for (const auto& m : alt) alt_ids = Intersect(std::move(alt_ids), MatcherIds(m));
    out = Union(out, alt_ids);
    if (!out) return out;
  }
  return out;
}

IdSet NodeIds(const ConditionNode& node, const std::vector<Selection>& sels) {
  switch (node.kind) {
    case ConditionNode::Kind::kConst:
      return node.value ? IdSet() : IdSet(std::vector<uint32_t>{});
    case ConditionNode::Kind::kNot:
      return std::nullopt;
    case ConditionNode::Kind::kSelection:
      return SelectionIds(sels[size_t(node.selection)]);
    case ConditionNode::Kind::kAnd: {
      IdSet out;
      for (const auto& c : node.children) out = Intersect(std::move(out), NodeIds(c, sels));
      return out;
    }
    case ConditionNode::Kind::kOr: {
      IdSet out = std::vector<uint32_t>{};
      for (const auto& c : node.children) {
        out = Union(out, NodeIds(c, sels));
        if (!out) return out;
      }
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace

void SigmaRule::NarrowSourcesByEventId() {
  if (windows_sources_.empty()) return;
  IdSet demanded = NodeIds(condition_, selections_);
  if (!demanded) return;
  std::vector<WindowsEventSource> narrowed;
  std::vector<std::vector<uint32_t>> ids;
  for (const auto& source : windows_sources_) {
    IdSet mapped;
    if (!source.event_ids.empty()) {
      mapped.emplace(source.event_ids.begin(), source.event_ids.end());
      std::sort(mapped->begin(), mapped->end());
    }
    IdSet keep = Intersect(demanded, mapped);
    if (keep->empty()) continue;  // no event of this source can match
    narrowed.push_back(source);
    ids.push_back(std::move(*keep));
  }
  // A detection no event can satisfy keeps its sources as mapped: it then
  // simply never matches, and an empty source list would mean "not events".
  if (narrowed.empty()) return;
  narrowed_ids_ = std::move(ids);
  for (size_t i = 0; i < narrowed.size(); ++i) narrowed[i].event_ids = narrowed_ids_[i];
  windows_sources_ = std::move(narrowed);
}

bool SigmaRule::MatchesOnField(std::string_view name) const {
  for (const auto& sel : selections_)
    for (const auto& alt : sel.alternatives)
      for (const auto& m : alt)
        if (EqualsIgnoreCase(m.field, name) || (m.fieldref && std::any_of(m.values.begin(), m.values.end(), [&](const auto& v) {
                                                  return EqualsIgnoreCase(v, name);
                                                })))
          return true;
  return false;
}

bool SigmaRule::AppliesTo(LogType type) const {
  const EvidenceKind& kind = KindOf(type);
  if (HoldsWindowsEvents(type) && windows_sources_.empty()) return false;  // windows/webserver is IIS
  return MatchesLogSource(kind, logsource_.product, logsource_.service, logsource_.category);
}

}  // namespace exhunt
