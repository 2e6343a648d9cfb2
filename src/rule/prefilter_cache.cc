#include "rule/prefilter_cache.h"

#include <cstdio>

namespace exhunt {

std::string PrefilterCacheKey(const std::vector<std::string>& patterns, const std::vector<unsigned>& flags) {
  // FNV-1a, 64 bits: stable across builds and machines.
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    h ^= 0xff;
    h *= 0x100000001b3ULL;
  };
  mix(hs_version());
  for (size_t i = 0; i < patterns.size(); ++i) {
    mix(patterns[i]);
    mix(std::to_string(i < flags.size() ? flags[i] : 0));
  }
  char out[17];
  snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

hs_database_t* PrefilterCache::Find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key != key) continue;
    hs_database_t* db = nullptr;
    if (hs_deserialize_database(e.serialized.data(), e.serialized.size(), &db) != HS_SUCCESS) return nullptr;
    // A database built for other CPU features fails here; compile instead.
    hs_scratch_t* scratch = nullptr;
    bool runs =
        hs_alloc_scratch(db, &scratch) == HS_SUCCESS &&
        hs_scan(
            db, "probe\n", 6, 0, scratch,
            [](unsigned, unsigned long long, unsigned long long, unsigned, void*) { return 0; }, nullptr) == HS_SUCCESS;
    hs_free_scratch(scratch);
    if (runs) return db;
    hs_free_database(db);
    return nullptr;
  }
  return nullptr;
}

}  // namespace exhunt
