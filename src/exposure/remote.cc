#include "exposure/remote.h"

#include <curl/curl.h>
#include <re2/re2.h>

#include <memory>

#include "base/text.h"

namespace exhunt {

namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // of every response in a redirect chain
  std::string final_url;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  if (r->body.size() < (size_t(4) << 20)) r->body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  std::string_view line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string_view::npos)
    r->headers.emplace_back(std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  return size * n;
}

Result<Response> Get(const std::string& url, const RemoteOptions& o, bool follow) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Status::IoError("cannot initialise libcurl");
  Response r;
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, o.timeout_seconds);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.timeout_seconds);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "exhunt/" EXHUNT_VERSION " (exposure check)");
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (o.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    std::string msg = error[0] ? error : curl_easy_strerror(rc);
    bool tls = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CERTPROBLEM ||
               rc == CURLE_SSL_CACERT_BADFILE;
    if (tls)
      return Status::IoError("TLS: " + msg +
                             (o.insecure ? "" : " (for a self-signed or internal certificate use --insecure)"));
    return Status::IoError(msg);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  char* eff = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
  if (eff) r.final_url = eff;
  return r;
}

std::string BaseUrl(std::string url) {
  size_t scheme = url.find("://");
  size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path != std::string::npos) url.resize(path);
  return url;
}

}  // namespace

std::optional<Build> OwaPathBuild(std::string_view body) {
  static const RE2 re(R"(/owa/(?:auth/)?(1[45]\.\d+\.\d+)/)");
  std::string v;
  if (!RE2::PartialMatch(re2::StringPiece(body.data(), body.size()), re, &v)) return std::nullopt;
  return ParseBuild(v);
}

std::optional<Build> ExportToolManifestBuild(std::string_view body) {
  static const RE2 re(R"re(<assemblyIdentity[^>]*\bversion="(\d+\.\d+\.\d+\.\d+)")re");
  std::string v;
  if (!RE2::PartialMatch(re2::StringPiece(body.data(), body.size()), re, &v)) return std::nullopt;
  return ParseBuild(v);
}

Result<ExposureAssessment> AssessRemote(const RemoteOptions& o, const ExposureTable& table) {
  if (o.url.rfind("https://", 0) != 0 && o.url.rfind("http://", 0) != 0)
    return Status::InvalidArgument("--url takes http:// or https://");
  static const bool init = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!init) return Status::IoError("cannot initialise libcurl");
  const std::string base = BaseUrl(o.url);
  ExposureAssessment a;
  auto owa = Get(base + "/owa/", o, true);
  if (!owa.ok()) return owa.status();
  for (const auto& [k, v] : owa->headers) {
    if (!EqualsIgnoreCase(k, "X-OWA-Version")) continue;
    auto b = ParseBuild(v);
    if (b) {
      a.evidence.push_back({"X-OWA-Version header",
                            base + "/owa/",
                            *b,
                            false,
                            "CU and usually the security update (OWA's version can lag ExSetup's)",
                            {},
                            {}});
      break;
    }
  }
  if (auto b = OwaPathBuild(owa->body))
    a.evidence.push_back({"OWA logon page path",
                          owa->final_url.empty() ? base + "/owa/" : owa->final_url,
                          *b,
                          true,
                          "CU only: the security update level is not visible",
                          {},
                          {}});
  auto manifest = Get(base + "/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application", o, false);
  if (manifest.ok() && manifest->status == 200) {
    if (auto b = ExportToolManifestBuild(manifest->body))
      a.evidence.push_back({"ECP export tool manifest",
                            base + "/ecp/Current/exporttool/...",
                            *b,
                            false,
                            "CU and security update of the ECP files",
                            {},
                            {}});
  } else if (!manifest.ok()) {
    a.notes.push_back("export tool manifest: " + manifest.status().message());
  }
  if (a.evidence.empty())
    a.notes.push_back("the server shows no version (header removed, OWA and ECP hidden or not Exchange; HTTP " +
                      std::to_string(owa->status) + ")");
  a.notes.push_back(
      "a remote check cannot see mitigations (URL Rewrite rules, Extended Protection) or installed "
      "updates; run exhunt exposure on the server's files for those");
  Decide(table, &a);
  return a;
}

}  // namespace exhunt
