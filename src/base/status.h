// Status and Result<T>: the one error model of exhunt.
//
// Every fallible operation returns a Status (or a Result<T> carrying either a
// value or a non-ok Status). Exceptions never cross module boundaries; code
// that calls a throwing library (yaml-cpp) catches at the edge and converts.
// A Status is a small value type; copying it is cheap.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace exhunt {

class Status {
 public:
  enum class Code { kOk, kNotFound, kCorrupt, kIoError, kInvalidArgument, kUnsupported, kEngine };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corrupt(std::string msg) { return Status(Code::kCorrupt, std::move(msg)); }
  static Status IoError(std::string msg) { return Status(Code::kIoError, std::move(msg)); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status Unsupported(std::string msg) { return Status(Code::kUnsupported, std::move(msg)); }
  // A matching engine (vectorscan, libyara) failed or gave up.
  static Status Engine(std::string msg) { return Status(Code::kEngine, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corrupt: line 3: ..." style, for logs and error records.
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Either a T or a non-ok Status.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

// A problem with one piece of evidence (a file that could not be read, a
// damaged record): reported as an "error" record, never a reason to stop.
struct ScanError {
  std::string path;  // relative to the scan root, '/'-separated
  std::string message;
  std::string host = {};  // the host it belongs to; "" for the scan as a whole (a rule not loaded)
};

}  // namespace exhunt
