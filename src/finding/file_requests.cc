#include "finding/file_requests.h"

#include <map>

#include "finding/verdict.h"

#include "base/text.h"

namespace exhunt {

namespace {

constexpr std::string_view kRequestMark = "webshell.request";

std::string_view KeyOf(const Finding& f, std::string_view key) {
  for (const auto& [k, v] : f.keys)
    if (k == key) return v;
  return {};
}

}  // namespace

std::string UrlPathAsWindowsPath(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  std::string out;
  for (size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    if (c == '%' && i + 2 < url.size() && HexDigit(url[i + 1]) >= 0 && HexDigit(url[i + 2]) >= 0) {
      c = char(HexDigit(url[i + 1]) * 16 + HexDigit(url[i + 2]));
      i += 2;
    }
    out += c == '/' ? '\\' : c;
  }
  return AsciiLowerCopy(out);
}

void JoinRequestsToFiles(std::vector<Finding>* findings) {
  // The files the file plane found something about, by lowercase Windows path.
  std::map<std::string, std::vector<size_t>> files;
  for (size_t i = 0; i < findings->size(); ++i) {
    const Finding& f = (*findings)[i];
    if (f.source.kind != SourceRef::Kind::kFile) continue;
    std::string_view path = KeyOf(f, "file");
    if (!path.empty()) files[AsciiLowerCopy(path)].push_back(i);
  }
  if (files.empty()) return;
  std::map<const RuleInfo*, std::shared_ptr<const RuleInfo>> raised;
  std::vector<std::pair<size_t, std::string>> file_urls;  // file finding index -> url
  for (auto& f : *findings) {
    if (f.source.kind == SourceRef::Kind::kFile || !f.rule->HasMark(kRequestMark)) continue;
    std::string_view url = KeyOf(f, "url");
    if (url.empty()) continue;
    std::string suffix = UrlPathAsWindowsPath(url);
    if (suffix.size() < 2) continue;
    const std::vector<size_t>* on_disk = nullptr;
    for (const auto& [path, indexes] : files)
      if (path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
        on_disk = &indexes;
        break;
      }
    if (!on_disk) continue;
    f.keys.emplace_back("file", std::string(KeyOf((*findings)[on_disk->front()], "file")));
    for (size_t index : *on_disk) file_urls.emplace_back(index, std::string(url));
    if (f.rule->outcome >= Outcome::kCompromise) continue;
    auto& up = raised[f.rule.get()];
    if (!up) {
      auto info = std::make_shared<RuleInfo>(*f.rule);
      info->id += ".page_on_disk";
      info->title += " (the page is on disk)";
      info->description = "A request for a page that the file plane found on disk: the shell is there, and "
                          "whoever asked for it knew where. " + info->description;
      info->severity = std::max(info->severity, Severity::kHigh);
      info->outcome = Outcome::kCompromise;
      up = std::move(info);
    }
    f.rule = up;
  }
  for (auto& [index, url] : file_urls) {
    Finding& file = (*findings)[index];
    bool have = false;
    for (const auto& [k, v] : file.keys) have = have || (k == "url" && v == url);
    if (!have) file.keys.emplace_back("url", url);
  }
}

void WeighFilesModifiedInCampaigns(std::vector<Finding>* findings, const std::vector<Campaign>& campaigns) {
  std::map<std::pair<const RuleInfo*, size_t>, std::shared_ptr<const RuleInfo>> raised;
  for (Finding& f : *findings) {
    // A finding that already proves compromise (a shell by its content, a
    // page where none belongs) needs no more weight, and keeps its rule.
    if (f.log_type != LogType::kFile || !f.time || f.rule->outcome >= Outcome::kCompromise) continue;
    for (size_t c = 0; c < campaigns.size(); ++c) {
      const Campaign& campaign = campaigns[c];
      if (*f.time < campaign.start || *f.time > campaign.end) continue;
      std::string when = campaign.name + " window (" + FormatIsoTime(campaign.start).substr(0, 10) + " .. " +
                         FormatIsoTime(campaign.end).substr(0, 10) + ")";
      for (const auto& phase : campaign.phases)
        if (*f.time >= phase.start && *f.time <= phase.end) when = campaign.name + " " + phase.name + " (" +
                                                                   FormatIsoTime(phase.start).substr(0, 10) + " .. " +
                                                                   FormatIsoTime(phase.end).substr(0, 10) + ")";
      auto& up = raised[{f.rule.get(), c}];
      if (!up) {
        auto info = std::make_shared<RuleInfo>(*f.rule);
        info->id += ".modified_in_" + campaign.id;
        info->title += " (modified during " + campaign.name + ")";
        info->description = "The file was last modified while " + campaign.name +
                            " was exploited at large: it weighs more. " + info->description;
        info->severity = Severity(std::min(int(Severity::kCritical), int(info->severity) + 1));
        up = std::move(info);
      }
      f.rule = up;
      f.evidence.emplace_back("modified during", when);
      break;
    }
  }
}

}  // namespace exhunt
