// exhunt report DB and exhunt import FILE... --db DB: the store's two doors
// besides scan --db.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "cli/report_output.h"
#include "report/jsonl_replay.h"
#include "report/reporter.h"
#include "store/store.h"

namespace exhunt {

namespace {

// Lines of a file descriptor, each at most kMaxJsonlLine bytes: a longer
// line is passed on as cut (`too_long`) and the rest of it skipped, so
// that memory never follows what the file holds.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // False at the end of the input (or on a read error: see error()).
  bool Next(std::string* line, bool* too_long) {
    line->clear();
    *too_long = false;
    for (;;) {
      if (pos_ == len_) {
        if (eof_) return !line->empty() || *too_long;
        ssize_t n = read(fd_, buf_, sizeof buf_);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          if (n < 0) error_ = errno;
          eof_ = true;
          continue;
        }
        pos_ = 0;
        len_ = size_t(n);
      }
      const char* start = buf_ + pos_;
      const void* nl = memchr(start, '\n', len_ - pos_);
      size_t take = nl ? size_t(static_cast<const char*>(nl) - start) : len_ - pos_;
      if (line->size() + take > kMaxJsonlLine) {
        *too_long = true;
        take = line->size() < kMaxJsonlLine ? kMaxJsonlLine - line->size() : 0;
        line->append(start, take);
        pos_ += nl ? size_t(static_cast<const char*>(nl) - start) : len_ - pos_;
      } else {
        line->append(start, take);
        pos_ += take;
      }
      if (nl && pos_ < len_ && buf_[pos_] == '\n') {
        ++pos_;
        return true;
      }
    }
  }
  int error() const { return error_; }

 private:
  int fd_;
  char buf_[1 << 16];
  size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
  int error_ = 0;
};

}  // namespace

int RunReport(const ReportCommandOptions& o, std::ostream& out, std::ostream& err) {
  ReportOptions report;
  if (auto f = ChooseReportFormat(o.format, o.output, err))
    report.format = *f;
  else
    return 2;
  if (!IsPostgresTarget(o.db) && access(o.db.c_str(), R_OK) != 0) {
    err << "exhunt: " << o.db << ": " << strerror(errno) << "\n";
    return 2;
  }
  auto store = Store::Open(o.db);
  if (!store.ok()) {
    err << "exhunt: " << o.db << ": " << store.status().message() << "\n";
    return 2;
  }
  ReportOutput output;
  if (!output.Open(o.output, out, err)) return 2;
  if (o.list_scans) {
    auto scans = store.value()->Scans();
    if (!scans.ok()) {
      err << "exhunt: " << o.db << ": " << scans.status().message() << "\n";
      return 2;
    }
    for (const auto& s : scans.value()) {
      std::string state = s.status == "complete" ? "complete" : "not finished (running, or interrupted)";
      output.stream() << "scan " << s.id << "  " << s.started << "  " << s.source << "  " << state << "  " << s.roots
                      << "\n";
      for (const auto& [host, verdict] : s.verdicts) output.stream() << "    " << host << ": " << verdict << "\n";
    }
    return output.Finish(err) ? 0 : 2;
  }
  auto reporter = NewReporter(report, output.stream());
  Status s = store.value()->Replay(ReplayQuery{o.host, o.scan}, *reporter);
  if (!output.Finish(err)) return 2;
  if (!s.ok()) {
    err << "exhunt: " << o.db << ": " << s.message() << "\n";
    return 2;
  }
  return 0;
}

int RunImport(const ImportCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto store = Store::Open(o.db);
  if (!store.ok()) {
    err << "exhunt: --db " << o.db << ": " << store.status().message() << "\n";
    return 2;
  }
  size_t imported = 0;
  for (const auto& file : o.files) {
    int fd = file == "-" ? STDIN_FILENO : open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      err << "exhunt: " << file << ": " << strerror(errno) << "\n";
      continue;
    }
    auto writer = store.value()->NewScan("import", {file});
    if (!writer.ok()) {
      err << "exhunt: --db " << o.db << ": " << writer.status().message() << "\n";
      if (fd != STDIN_FILENO) close(fd);
      return 2;
    }
    StoreWriter& sink = *writer.value();
    sink.Begin(ScanInfo{{file}});
    JsonlReplay replay(sink);
    LineReader lines(fd);
    std::string line;
    bool too_long = false;
    uint64_t n = 0, bad = 0, records = 0;
    while (lines.Next(&line, &too_long)) {
      ++n;
      Status s = too_long ? Status::Corrupt("longer than " + std::to_string(kMaxJsonlLine >> 20) + " MiB")
                          : replay.Line(line);
      if (!s.ok()) {
        // Reported and skipped; the import goes on.
        ++bad;
        if (bad <= 20) err << "exhunt: " << file << ":" << n << ": skipped: " << s.message() << "\n";
        sink.OnError({file, "line " + std::to_string(n) + " not imported: " + s.message()});
      } else {
        ++records;
      }
    }
    if (lines.error())
      sink.OnError({file, std::string("read stopped: ") + strerror(lines.error())});
    ScanStats stats = replay.Finish();
    sink.End(stats);
    if (fd != STDIN_FILENO) close(fd);
    if (!sink.status().ok()) {
      err << "exhunt: --db " << o.db << ": " << sink.status().message() << "\n";
      return 2;
    }
    if (bad > 20) err << "exhunt: " << file << ": " << bad << " line(s) skipped in all\n";
    out << file << ": " << records << " record(s) imported as scan " << sink.scan_id()
        << (bad ? ", " + std::to_string(bad) + " line(s) skipped" : "") << "\n";
    if (records) ++imported;
  }
  return imported ? 0 : 2;
}

}  // namespace exhunt
