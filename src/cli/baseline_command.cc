// exhunt baseline make PATH -o FILE [--build B]
#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "cli/commands.h"
#include "exposure/build.h"
#include "reader/file_reader.h"
#include "reader/pe_version.h"
#include "record/file_record.h"
#include "rule/baseline.h"
#include "source/discovery.h"

namespace exhunt {

int RunBaselineMake(const BaselineCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto fs = NewPosixFileSystem();
  if (!fs->Stat(o.path).ok()) {
    err << "exhunt: " << o.path << ": no such file or directory\n";
    return 2;
  }
  DiscoveredTree tree = Discover(fs.get(), o.path);
  if (tree.install_roots.empty()) {
    err << "exhunt: no Exchange install folder (Logging next to Bin, ClientAccess or FrontEnd) under " << o.path
        << "\n";
    return 2;
  }
  std::string build = o.build;
  if (!build.empty()) {
    auto b = ParseBuild(build);
    if (!b) {
      err << "exhunt: --build takes a build like 15.1.2176.9\n";
      return 2;
    }
    build = b->ToString();
  } else {
    for (const auto& c : tree.exsetup) {
      auto file = fs->Open(c.path);
      if (!file.ok()) continue;
      auto v = ReadPeVersion(file.value()->bytes());
      if (!v.ok()) continue;
      Build b;
      b.part = v.value().file_version;
      build = b.ToString();
      break;
    }
    if (build.empty()) {
      err << "exhunt: the build is not known (no readable Bin/ExSetup.exe): name it with --build\n";
      return 2;
    }
  }
  std::vector<std::string> rows;
  size_t unreadable = 0;
  for (const auto& f : tree.files) {
    std::string install_path = InstallRelativePath(WindowsPath(f.rel_path), tree.install_roots);
    bool page = false;
    if (install_path.empty() || !InBaselineScope(install_path, &page)) continue;
    auto file = fs->Open(f.path);
    if (!file.ok()) {
      err << "exhunt: " << f.rel_path << ": " << file.status().message() << "\n";
      ++unreadable;
      continue;
    }
    std::string hash = DigestBytes(file.value()->bytes()).sha256;
    std::transform(hash.begin(), hash.end(), hash.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    rows.push_back(hash + "," + build + "," + install_path);
  }
  if (rows.empty()) {
    err << "exhunt: no web file (.aspx, .ashx, .asmx, .asax, .js, .css, .htm, .html) under ClientAccess or "
           "FrontEnd\\HttpProxy of "
        << o.path << "\n";
    return 2;
  }
  std::sort(rows.begin(), rows.end(), [](const std::string& a, const std::string& b) {
    return a.substr(a.find(',', 65)) < b.substr(b.find(',', 65));
  });
  std::ofstream file(o.output, std::ios::binary | std::ios::trunc);
  for (const auto& r : rows) file << r << "\r\n";
  file.close();
  if (!file) {
    err << "exhunt: cannot write " << o.output << "\n";
    return 2;
  }
  out << fmt::format("{} files of build {} recorded in {}{}\n", rows.size(), build, o.output,
                     unreadable ? fmt::format(" ({} could not be read)", unreadable) : "");
  return unreadable ? 2 : 0;
}

}  // namespace exhunt
