// Fuzz target: arbitrary bytes as a collection archive (zip, 7z, tar and
// compressed tar through libarchive). Unpacking may refuse entries or the
// whole input, never crash, never write outside its own temporary folder
// and never more than its limits; the folder is removed afterwards.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "source/archive.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string parent = [] {
    std::string p = TempParent() + "/exhunt-fuzz-collection-" + std::to_string(getpid());
    std::filesystem::create_directories(p);
    return p;
  }();
  UnpackLimits limits;
  limits.max_total_bytes = uint64_t(8) << 20;
  limits.bomb_floor = uint64_t(1) << 20;
  auto r = UnpackCollection(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.zip", parent, limits);
  if (!r.ok()) return 0;
  uint64_t on_disk = 0;
  const std::string root = std::filesystem::weakly_canonical(r->dir).string();
  for (const auto& e : std::filesystem::recursive_directory_iterator(r->dir)) {
    if (std::filesystem::weakly_canonical(e.path()).string().rfind(root, 0) != 0) __builtin_trap();
    if (e.is_symlink()) __builtin_trap();
    if (e.is_regular_file()) on_disk += e.file_size();
  }
  if (on_disk > limits.max_total_bytes || on_disk != r->bytes) __builtin_trap();
  RemoveUnpacked(*r);
  if (std::filesystem::exists(r->dir)) __builtin_trap();
  return 0;
}
