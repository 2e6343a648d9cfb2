#include "base/status.h"

namespace exhunt {

std::string Status::ToString() const {
  const char* name = "ok";
  switch (code_) {
    case Code::kOk:
      return "ok";
    case Code::kNotFound:
      name = "not found";
      break;
    case Code::kCorrupt:
      name = "corrupt";
      break;
    case Code::kIoError:
      name = "I/O error";
      break;
    case Code::kInvalidArgument:
      name = "invalid argument";
      break;
    case Code::kUnsupported:
      name = "unsupported";
      break;
    case Code::kEngine:
      name = "engine error";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace exhunt
