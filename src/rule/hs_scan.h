// Every vectorscan scan whose matches exhunt uses goes through ScanBlock.
//
// vectorscan 5.4.9 (the Debian package exhunt links) can miss a match that
// ends in the last 32 bytes of the block it scans, on processors with
// AVX-512 (whatever CPU the database was compiled for): a literal set of a
// few patterns missed "pp-token" 200 bytes into a 217-byte block at 35 of 64
// buffer alignments; hs_scan_test.cc keeps the case and records how often
// plain hs_scan misses in its random blocks. A prefilter or gate that misses a literal rules out a record or a
// file that holds evidence, so no block ends where vectorscan reads it:
// ScanBlock scans the block in place for the matches that end before its
// last kTailZone bytes, then a copy of the block's end followed by newlines
// for the matches that end in them.
#pragma once

#include <hs/hs.h>

#include <string>
#include <string_view>

namespace exhunt {

// Bytes at the end of a scanned block where a match may be missed (the
// width of an AVX-512 vector; the misses seen are in the last 32).
inline constexpr size_t kTailZone = 64;

// hs_scan of `bytes`, reporting each match that ends in `bytes` once, in
// order of its end, with offsets from bytes.data(): those ending in the
// last kTailZone bytes come from a copy (in `*copy`, reused) of the last
// kTailZone bytes and the `context` bytes before them, followed by
// kTailZone newlines; a match there that starts further back than
// `context` is not seen, so `context` is the longest match the database may
// make (the longest literal) or, for regexes, what the caller knows they
// can span. A block no longer than kTailZone + context is scanned only as a
// copy. Stops, like hs_scan, when `on_match` returns non-zero.
hs_error_t ScanBlock(const hs_database_t* db, std::string_view bytes, size_t context, hs_scratch_t* scratch,
                     match_event_handler on_match, void* ctx, std::string* copy);

}  // namespace exhunt
