// Windows events as records: the XML of one event (as the EVTX reader
// decodes it, or as a test builds it from another tool's export) and the
// canonical field map rules read.
//
// The canonical fields, in document order:
//   System:    each child's text under its own name (EventID, Version, Level,
//              Task, Opcode, Keywords, EventRecordID, Channel, Computer) and
//              each attribute as Element_Attribute (Provider_Name,
//              Provider_Guid, TimeCreated_SystemTime, Execution_ProcessID,
//              Security_UserID, EventID_Qualifiers, ...); TimeCreated is
//              also the SystemTime itself.
//   EventData: <Data Name="X">v</Data> as X; unnamed <Data> as "Data" (one
//              field each, in order; Field("Data[2]") reads the second);
//              <Binary> as Binary.
//   UserData:  every leaf element under its own name, its attributes as
//              Element_Attribute.
// Field names compare ASCII case-insensitively, as Sigma field names do.
//
// Lifetime: an EventXml and an EventRecord hold views into the decoder
// that filled them (names) and into their own storage (values); both are
// valid until they are filled again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"
#include "base/time.h"
#include "record/log_record.h"

namespace exhunt {

// The XML tree of one event: elements in document order, each with its
// attributes and its text (the concatenated character data directly in it).
struct EventXml {
  struct Element {
    std::string_view name;
    int parent = -1;
    uint32_t attr_begin = 0, attr_end = 0;  // into attrs
    uint32_t text = 0;                      // into values
    bool has_children = false;
  };
  struct Attribute {
    std::string_view name;
    uint32_t value = 0;  // into values
  };
  std::vector<Element> elements;
  std::vector<Attribute> attrs;

  void Clear() {
    elements.clear();
    attrs.clear();
    used_values_ = 0;
  }
  // A new empty value string (reused storage) and its index.
  uint32_t NewValue() {
    if (used_values_ == values_.size()) values_.emplace_back();
    values_[used_values_].clear();
    return uint32_t(used_values_++);
  }
  std::string& value(uint32_t i) { return values_[i]; }
  const std::string& value(uint32_t i) const { return values_[i]; }
  size_t value_count() const { return used_values_; }

 private:
  std::vector<std::string> values_;
  size_t used_values_ = 0;
};

struct EventField {
  std::string_view name;
  std::string_view value;
};

// Appends the canonical fields of `xml` to `out`; composed names
// ("Provider_Name") are kept in `names`, which must live as long as `out`.
void CanonicalEventFields(const EventXml& xml, StringArena& names, std::vector<EventField>* out);

// One Windows event as rules see it.
class EventRecord final : public Record {
 public:
  // Fills the record from an event's XML. `xml` must outlive the record's use.
  void Reset(const EventXml& xml);

  std::optional<std::string_view> Field(std::string_view name) const override;
  // Every field value, one a line: what keyword rules search.
  std::string_view Raw() const override { return raw_; }
  std::optional<TimeMs> Time() const override { return time_; }

  const std::vector<EventField>& fields() const { return fields_; }
  // EventID as a number (the EventID element's text), if it is one.
  std::optional<uint32_t> event_id() const { return event_id_; }
  std::string_view channel() const { return channel_; }

 private:
  std::vector<EventField> fields_;
  StringArena names_;
  std::string raw_;
  std::optional<TimeMs> time_;
  std::optional<uint32_t> event_id_;
  std::string_view channel_;
  // The first EventID and Channel fields, as Field() finds them.
  std::optional<std::string_view> event_id_text_, channel_field_;
};

}  // namespace exhunt
