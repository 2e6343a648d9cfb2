#include <sys/resource.h>

#include "base/process.h"

namespace exhunt {

uint64_t PeakResidentBytes() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return uint64_t(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace exhunt
