// Fuzz target: arbitrary bytes as a collection archive (zip, 7z, tar and
// compressed tar through libarchive) and as a compressed log inside a tree
// (a gzip/bzip2/xz/zstd stream or an archive of logs). Unpacking may refuse
// entries or the whole input, never crash, never write outside its own
// temporary folder and never more than its limits; the folder is removed
// afterwards, and a compressed log's unpacked files leave nothing behind.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "source/archive.h"
#include "source/packed_log.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string parent = [] {
    std::string p = TempParent() + "/exhunt-fuzz-collection-" + std::to_string(getpid());
    std::filesystem::create_directories(p);
    return p;
  }();
  // Registered once `parent` is made: it runs before `parent` is destroyed.
  static const bool removed_at_exit = std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(parent, ignored);
  }) == 0;
  (void)removed_at_exit;
  UnpackLimits limits;
  limits.max_total_bytes = uint64_t(8) << 20;
  limits.bomb_floor = uint64_t(1) << 20;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<PackedMember> members;
  auto listing = ListPacked(bytes, 4096, [&](const PackedEntry& e, std::string_view head) {
    if (head.size() > 4096) __builtin_trap();
    if (e.regular && !e.encrypted) members.push_back(e.member);
  });
  if (listing.ok()) {
    if (listing->entries > kMaxPackedEntries) __builtin_trap();
    const uint64_t per_log = uint64_t(1) << 20;
    auto logs = UnpackLogs(bytes, members, parent, limits, per_log);
    if (logs.size() != members.size()) __builtin_trap();
    uint64_t total = 0;
    for (const auto& l : logs)
      if (l.ok()) {
        if (l->map->bytes().size() > per_log) __builtin_trap();
        total += l->map->bytes().size();
      }
    if (total > limits.max_total_bytes) __builtin_trap();
    if (!std::filesystem::is_empty(parent)) __builtin_trap();  // unlinked at once
  }
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
