// Windows events exported as JSON, turned into the EventXml the EVTX decoder
// fills (record/event_record.h), so that every Windows rule reads them alike.
//
// Shapes, told apart per object:
//   evtx_dump / Chainsaw: {"Event": {"System": {...}, "EventData": {...}}},
//     "#attributes" and "#text" as XML attributes and text;
//   Winlogbeat / Elastic: {"winlog": {"event_id", "channel", "provider_name",
//     "computer_name", "record_id", "event_data": {...}, "user_data"}, "@timestamp"};
//   OTRF / Mordor flat: {"EventID", "SourceName", "Channel", "Hostname",
//     "Message", ...every EventData field at the top...}.
// A file holds JSON Lines, concatenated objects or one array of them;
// JsonValueSplitter finds each top-level value without parsing it, so a file
// of any size is read one event at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "record/event_record.h"

namespace exhunt {

// Finds the top-level JSON values of a buffer one after another: objects of
// a stream (JSON Lines or concatenated) or the elements of one top-level
// array. It only tracks strings and nesting; the values are parsed later.
class JsonValueSplitter {
 public:
  explicit JsonValueSplitter(std::string_view bytes) : bytes_(bytes) {}
  enum class Step { kValue, kEnd, kDamaged };
  // The next value [*begin, *end). kDamaged: bytes that are no value up to
  // the next line that starts one (`*begin`, `*end` span them); in a stream
  // (not an array) a line that starts with '{' always starts a new value, so
  // a broken object never swallows the ones after it.
  Step Next(size_t* begin, size_t* end);
  // Whether `bytes` are a stream of objects (JSON Lines, concatenated), not
  // one array: in a stream a line that starts with '{' starts a value.
  static bool IsStream(std::string_view bytes);
  size_t position() const { return pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  bool in_array_ = false, started_ = false;
};

// Parses one JSON value and fills `xml` with the event it holds. Reuses its
// buffers; not thread-safe (one per worker).
class EventJsonParser {
 public:
  EventJsonParser();
  ~EventJsonParser();
  EventJsonParser(const EventJsonParser&) = delete;
  EventJsonParser& operator=(const EventJsonParser&) = delete;
  // False with a reason when the value is no JSON or no Windows event.
  bool Parse(std::string_view json, EventXml* xml, std::string* why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace exhunt
