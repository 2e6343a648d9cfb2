// Sigma rules against records: field matchers, selections, conditions.
#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/text.h"
#include "rule/sigma_rule.h"

namespace exhunt {

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

bool InNetwork(const CidrNetwork& net, const std::array<uint8_t, 16>& addr) {
  if (!net.valid) return false;
  const size_t whole = size_t(net.bits / 8);
  if (memcmp(net.address.data(), addr.data(), whole) != 0) return false;
  if (net.bits % 8 == 0) return true;
  const uint8_t mask = uint8_t(0xff00 >> (net.bits % 8));
  return (net.address[whole] & mask) == (addr[whole] & mask);
}

}  // namespace

// "10.0.0.0/8", "fe80::/10"; prefix bits counted on the 16-byte form.
CidrNetwork ParseCidr(std::string_view cidr) {
  CidrNetwork net;
  size_t slash = cidr.find('/');
  if (!ParseAddress(cidr.substr(0, slash), &net.address)) return net;
  bool v4 = cidr.find(':') == std::string_view::npos;
  int bits = v4 ? 32 : 128;
  if (slash != std::string_view::npos) bits = atoi(std::string(cidr.substr(slash + 1)).c_str());
  if (v4) bits += 96;
  net.bits = std::clamp(bits, 0, 128);
  net.valid = true;
  return net;
}

bool RegexCaseless(const FieldMatcher& m, size_t i) {
  return (i < m.regexes.size() && !m.regexes[i]->options().case_sensitive()) ||
         m.values[i].find("(?i") != std::string::npos;
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
    case FieldMatcher::Op::kLt:
      return a < b;
    case FieldMatcher::Op::kLte:
      return a <= b;
    case FieldMatcher::Op::kGt:
      return a > b;
    case FieldMatcher::Op::kGte:
      return a >= b;
    default:
      return false;
  }
}

// A field against a literal by the string operators (equals by default).
bool MatchText(FieldMatcher::Op op, bool cased, std::string_view field, std::string_view lit) {
  using Op = FieldMatcher::Op;
  switch (op) {
    case Op::kContains:
      return cased ? field.find(lit) != std::string_view::npos : ContainsIgnoreCase(field, lit);
    case Op::kStartsWith:
      return cased ? field.substr(0, lit.size()) == lit : StartsWithIgnoreCase(field, lit);
    case Op::kEndsWith:
      return cased ? (field.size() >= lit.size() && field.substr(field.size() - lit.size()) == lit)
                   : EndsWithIgnoreCase(field, lit);
    default:
      return cased ? field == lit : EqualsIgnoreCase(field, lit);
  }
}

// A field's address, parsed at the first cidr value that asks for it.
struct FieldAddress {
  std::array<uint8_t, 16> bytes{};
  signed char parsed = -1;  // -1 not yet, 0 no address, 1 bytes hold it
};

bool MatchOne(const FieldMatcher& m, size_t i, std::string_view field, FieldAddress* address) {
  const std::string& v = m.values[i];
  using Op = FieldMatcher::Op;
  switch (m.op) {
    case Op::kRegex:
      // Most fields lack the literal: a search, not the regex, tells.
      if (!m.regex_literals[i].empty() && !ContainsIgnoreCase(field, m.regex_literals[i])) return false;
      return RE2::PartialMatch(re2::StringPiece(field.data(), field.size()), *m.regexes[i]);
    case Op::kLt:
    case Op::kLte:
    case Op::kGt:
    case Op::kGte:
      return CompareNumber(m.op, field, v);
    case Op::kExists:
      return true;
    case Op::kCidr:
      if (address->parsed < 0) address->parsed = ParseAddress(field, &address->bytes) ? 1 : 0;
      return address->parsed == 1 && InNetwork(m.networks[i], address->bytes);
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
  return MatchText(m.op, m.cased, field, m.unescaped[i]);
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
  FieldAddress address;
  for (size_t i = 0; i < m.values.size(); ++i) {
    bool hit;
    if (m.is_null[i]) {
      hit = !field || field->empty();
    } else if (m.fieldref) {
      // The other field's value, compared as the modifiers say.
      std::optional<std::string_view> other = record.Field(m.values[i]);
      hit = field.has_value() && other.has_value() && MatchText(m.op, m.cased, *field, *other);
    } else {
      hit = field.has_value() && MatchOne(m, i, *field, &address);
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

bool SigmaRule::EvalNode(const ConditionNode& node, const Record& record, std::span<signed char> memo) const {
  switch (node.kind) {
    case ConditionNode::Kind::kConst:
      return node.value;
    case ConditionNode::Kind::kSelection: {
      signed char& cached = memo[size_t(node.selection)];
      if (cached < 0) cached = EvalSelection(node.selection, record) ? 1 : 0;
      return cached == 1;
    }
    case ConditionNode::Kind::kNot:
      return !EvalNode(node.children[0], record, memo);
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
  // Which selections were evaluated, and their results: on the stack for
  // the rules almost all are (few selections).
  signed char small[16];
  std::vector<signed char> large;
  std::span<signed char> memo(small, selections_.size());
  if (selections_.size() > std::size(small)) {
    large.resize(selections_.size());
    memo = large;
  }
  std::fill(memo.begin(), memo.end(), -1);
  if (!windows_sources_.empty()) {
    const WindowsEventSource* source = FindEventSource(windows_sources_, record);
    if (!source) return false;
    if (!source->aliases.empty()) return EvalNode(condition_, AliasedRecord(record, source->aliases), memo);
  }
  return EvalNode(condition_, record, memo);
}

}  // namespace exhunt
