#include "rule/hs_scan.h"

#include <climits>

namespace exhunt {

namespace {

// Hands the caller the matches of one scan that end in [from, to) of the
// block, shifted by `shift` to be offsets from the block's start.
struct Window {
  match_event_handler on_match;
  void* ctx;
  unsigned long long from, to, shift;
};

int InWindow(unsigned id, unsigned long long start, unsigned long long end, unsigned flags, void* w_ptr) {
  auto* w = static_cast<Window*>(w_ptr);
  unsigned long long at = end + w->shift;
  if (at <= w->from || at > w->to) return 0;
  return w->on_match(id, start + w->shift, at, flags, w->ctx);
}

}  // namespace

hs_error_t ScanBlock(const hs_database_t* db, std::string_view bytes, size_t context, hs_scratch_t* scratch,
                     match_event_handler on_match, void* ctx, std::string* copy) {
  if (bytes.size() > UINT_MAX - kTailZone) return HS_INVALID;
  const size_t zone = bytes.size() > kTailZone ? bytes.size() - kTailZone : 0;
  const size_t tail = zone > context ? zone - context : 0;
  if (tail > 0) {
    // In place: the matches that end before the zone (a match is reported
    // at its end, so those are all there).
    Window w{on_match, ctx, 0, zone, 0};
    hs_error_t err = hs_scan(db, bytes.data(), unsigned(bytes.size()), 0, scratch, InWindow, &w);
    if (err != HS_SUCCESS) return err;
  }
  // The end of the block, where the scan no longer ends.
  copy->assign(bytes.substr(tail));
  copy->append(kTailZone, '\n');
  Window w{on_match, ctx, tail > 0 ? zone : 0, bytes.size(), tail};
  return hs_scan(db, copy->data(), unsigned(copy->size()), 0, scratch, InWindow, &w);
}

}  // namespace exhunt
