// Facts about this process that reports and memory tests want.
#pragma once

#include <cstdint>

namespace exhunt {

// The largest resident set this process has had so far, in bytes (0 where
// the system does not tell).
uint64_t PeakResidentBytes();

}  // namespace exhunt
