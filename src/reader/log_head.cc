#include "reader/log_head.h"

#include <deque>
#include <vector>

#include "base/text.h"
#include "record/log_format.h"
#include "source/directive.h"

namespace exhunt {

LogHead ReadLogHead(std::string_view head) {
  head = head.substr(0, kLogHeadBytes);
  LogHead out;
  static const FieldHeader kNone;
  std::shared_ptr<const FieldHeader> shared;
  const FieldHeader* header = &kNone;
  size_t pos = 0;
  while (pos < head.size()) {
    LineSpan line = LineAt(head, pos);
    std::string_view text = head.substr(line.start, line.end - line.start);
    if (text.empty() || text[0] != '#') {
      // The first record: its version columns tell the build when no
      // "#Version:" line does. A row cut by the end of the head is not read
      // (its last column would be a prefix of the real build number).
      bool whole = line.next > line.end || head.size() < kLogHeadBytes;
      const FieldHeader& fields = *header;
      if (!text.empty() && fields.Find("MajorVersion") >= 0 && whole) {
        std::vector<std::string_view> values;
        StringArena storage;
        size_t consumed = 0;
        ParseCsvRecord(text, &consumed, &values, &storage);
        std::string v;
        for (const char* col : {"MajorVersion", "MinorVersion", "BuildVersion", "RevisionVersion"}) {
          int i = fields.Find(col);
          if (i < 0 || size_t(i) >= values.size()) {
            v.clear();
            break;
          }
          v += (v.empty() ? "" : ".") + std::string(values[size_t(i)]);
        }
        out.row_version = v;
        int i = fields.Find("DateTime");
        if (i >= 0 && size_t(i) < values.size()) out.row_time = ParseIsoTime(values[size_t(i)]);
      }
      break;
    }
    Directive d = ParseDirective(text);
    switch (d.name) {
      case DirectiveName::kVersion:
        out.version = std::string(d.value);
        break;
      case DirectiveName::kDate:
        out.date = ParseIsoTime(d.value);
        break;
      case DirectiveName::kSoftware:
        out.software = std::string(d.value);
        break;
      case DirectiveName::kFields:
        shared = SharedFieldHeader(d.value, true);
        header = shared.get();
        break;
      default:
        break;
    }
    pos = line.next;
  }
  return out;
}

bool HeadShowsBuild(LogType type) { return KindOf(type).head_shows_build; }

std::vector<LoggedHead> ReadBuildHeads(FileSystem* fs, const DiscoveredTree& tree) {
  std::vector<const EvidenceFile*> logs;
  for (const auto& log : tree.logs)
    if (HeadShowsBuild(log.type)) logs.push_back(&log);
  auto heads = ReadEvidenceHeads(fs, logs, kLogHeadBytes);
  std::vector<LoggedHead> out;
  for (size_t i = 0; i < logs.size(); ++i)
    if (heads[i].ok()) out.push_back({logs[i]->rel_path, logs[i]->type, ReadLogHead(heads[i].value())});
  return out;
}

}  // namespace exhunt
