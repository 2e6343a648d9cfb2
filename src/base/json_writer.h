// Writes one JSON value (an object, usually) into a string, with commas
// and escaping handled in one place. Every JSON exhunt prints goes through
// it, so every output line is valid JSON whatever the evidence holds
// (invalid UTF-8 becomes U+FFFD, control bytes are escaped).
//
//   JsonWriter w;
//   w.BeginObject().Key("type").String("stats").Key("files").Number(3).EndObject();
//   w.str()  // {"type":"stats","files":3}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exhunt {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  // A string, or null when absent.
  JsonWriter& OptString(const std::optional<std::string>& value);
  JsonWriter& Number(uint64_t value);
  JsonWriter& Number(int64_t value);
  JsonWriter& Number(int value) { return Number(int64_t(value)); }
  // Fixed-point with `decimals` digits after the point.
  JsonWriter& Fixed(double value, int decimals);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  JsonWriter& StringArray(const std::vector<std::string>& values);
  // A value already written as JSON (from another writer).
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace exhunt
