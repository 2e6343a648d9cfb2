#include "reader/file_reader.h"

#include <openssl/evp.h>
#include <pwd.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "base/text.h"
#include "record/file_record.h"
#include "rule/yara_rule.h"

namespace exhunt {

namespace {

std::string Hex(const unsigned char* d, unsigned n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size_t(n) * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * i] = kDigits[d[i] >> 4];
    out[2 * i + 1] = kDigits[d[i] & 15];
  }
  return out;
}

class FileContentReading final : public FileReading {
 public:
  FileContentReading(const EvidenceFile& file, MappedFile& map, const ReadContext& context)
      : file_(file), map_(map), context_(context) {}

  size_t chunk_count() const override { return 1; }

  void ReadChunk(size_t, WorkerScratch& scratch, RecordSink& sink) override {
    std::string_view bytes = map_.bytes();
    FileFields f;
    f.rel_path = file_.rel_path;
    f.path = WindowsPath(file_.rel_path);
    f.extension = LowerExtension(file_.rel_path);
    if (context_.install_roots) f.install_path = InstallRelativePath(f.path, *context_.install_roots);
    f.size = bytes.size();
    f.modified = file_.modified;
    f.owner = OwnerName(file_.uid);
    f.filetype = FileTypeOf(bytes.substr(0, 512));
    std::vector<unsigned> offered;
    const bool read_content = bytes.size() <= context_.max_content_bytes;
    if (!read_content) {
      facts_.content_not_read = "content not read: larger than the file plane's cap of " +
                                std::to_string(context_.max_content_bytes >> 20) +
                                " MiB (--max-content-size); judged by name and place";
    } else {
      FileDigests d = DigestBytes(bytes, context_.md5, context_.sha1);
      f.md5 = std::move(d.md5);
      f.sha1 = std::move(d.sha1);
      f.sha256 = std::move(d.sha256);
      // What no rule reads up front, a finding may still show.
      if (!context_.md5 || !context_.sha1)
        f.fill_digests = [bytes](FileFields& fields) {
          FileDigests all = DigestBytes(bytes, fields.md5.empty(), fields.sha1.empty());
          if (fields.md5.empty()) fields.md5 = std::move(all.md5);
          if (fields.sha1.empty()) fields.sha1 = std::move(all.sha1);
        };
      for (size_t e = 0; e < context_.yara.size() && e < scratch.yara.size(); ++e) {
        if (!scratch.yara[e]) continue;
        std::vector<YaraMatch> matches;
        Status s = context_.yara[e]->Scan(*scratch.yara[e], bytes, f, &matches);
        if (!s.ok()) facts_.problems.push_back(s.message());
        for (auto& m : matches) {
          auto index = context_.rules->YaraRuleIndex(e, m.source, m.identifier);
          if (!index) continue;  // refused at load (a duplicate id)
          f.yara.emplace_back(context_.rules->rules()[*index]->id(), std::move(m.strings));
          offered.push_back(*index);
        }
      }
    }
    map_.DoneWith(0, bytes.size());
    // Every other rule of the file kind sees every file; YARA rules only
    // the files their engine matched.
    for (unsigned r : context_.prefilter->applicable_rules())
      if (context_.rules->rules()[r]->info()->kind != RuleKind::kYara) offered.push_back(r);
    std::sort(offered.begin(), offered.end());
    offered.erase(std::unique(offered.begin(), offered.end()), offered.end());
    FileRecord record(&f);
    facts_.records = 1;
    if (!offered.empty()) sink.OnRecord(record, RecordPlace{0, 0}, offered);
  }

  FileFacts Finish() override { return std::move(facts_); }
  uint64_t SourcePosition(const RecordPlace&) const override { return 0; }

 private:
  const EvidenceFile& file_;
  MappedFile& map_;
  const ReadContext& context_;
  FileFacts facts_;
};

}  // namespace

std::string InstallRelativePath(std::string_view windows_path, const std::vector<std::string>& install_roots) {
  std::string lower = AsciiLowerCopy(windows_path);
  for (const auto& root : install_roots)
    if (root.size() > 1 && lower.size() > root.size() && lower.compare(0, root.size(), root) == 0)
      return std::string(windows_path.substr(root.size() - 1));  // keep the root's last backslash
  return "";
}

FileDigests DigestBytes(std::string_view bytes, bool md5, bool sha1) {
  FileDigests out;
  const bool want[3] = {md5, sha1, true};
  EVP_MD_CTX* ctx[3] = {nullptr, nullptr, nullptr};
  const EVP_MD* md[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
  bool ok = true;
  for (int i = 0; i < 3; ++i)
    if (want[i]) ok = ok && (ctx[i] = EVP_MD_CTX_new()) && EVP_DigestInit_ex(ctx[i], md[i], nullptr) == 1;
  // Block by block, so that each block is hashed by each digest while it is in cache.
  constexpr size_t kBlock = 256 << 10;
  for (size_t at = 0; ok && at < bytes.size(); at += kBlock) {
    size_t n = std::min(kBlock, bytes.size() - at);
    for (int i = 0; i < 3; ++i)
      if (want[i]) ok = ok && EVP_DigestUpdate(ctx[i], bytes.data() + at, n) == 1;
  }
  std::string* dest[3] = {&out.md5, &out.sha1, &out.sha256};
  for (int i = 0; i < 3; ++i) {
    if (!want[i]) continue;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (ok && EVP_DigestFinal_ex(ctx[i], d, &n) == 1) *dest[i] = Hex(d, n);
    EVP_MD_CTX_free(ctx[i]);
  }
  return out;
}

std::string OwnerName(uint32_t uid) {
  static std::mutex mu;
  static std::map<uint32_t, std::string> names;
  std::lock_guard<std::mutex> lock(mu);
  auto it = names.find(uid);
  if (it != names.end()) return it->second;
  struct passwd pw, *result = nullptr;
  char buf[4096];
  std::string name;
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &result) == 0 && result) name = result->pw_name;
  names.emplace(uid, name);
  return name;
}

std::unique_ptr<FileReading> FileReader::Open(const EvidenceFile& file, MappedFile& map,
                                              const ReadContext& context) const {
  return std::make_unique<FileContentReading>(file, map, context);
}

}  // namespace exhunt
