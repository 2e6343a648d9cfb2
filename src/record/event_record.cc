#include "record/event_record.h"

namespace exhunt {

namespace {

std::string_view Composed(StringArena& names, std::string_view a, std::string_view b) {
  std::string& s = names.Next();
  s.append(a).append("_").append(b);
  return s;
}

// The text of an attribute `name` of element `e`, or nullptr.
const std::string* AttributeOf(const EventXml& xml, const EventXml::Element& e, std::string_view name) {
  for (uint32_t a = e.attr_begin; a < e.attr_end; ++a)
    if (xml.attrs[a].name == name) return &xml.value(xml.attrs[a].value);
  return nullptr;
}

void AddAttributes(const EventXml& xml, const EventXml::Element& e, StringArena& names,
                   std::vector<EventField>* out) {
  for (uint32_t a = e.attr_begin; a < e.attr_end; ++a)
    out->push_back({Composed(names, e.name, xml.attrs[a].name), xml.value(xml.attrs[a].value)});
}

}  // namespace

void CanonicalEventFields(const EventXml& xml, StringArena& names, std::vector<EventField>* out) {
  if (xml.elements.empty()) return;
  const int root = 0;
  const size_t n = xml.elements.size();
  for (size_t i = 1; i < n; ++i) {
    const auto& e = xml.elements[i];
    if (e.parent != root) continue;
    if (e.name == "System") {
      for (size_t j = i + 1; j < n && xml.elements[j].parent >= int(i); ++j) {
        const auto& c = xml.elements[j];
        if (c.parent != int(i)) continue;
        const std::string& text = xml.value(c.text);
        if (!text.empty() || c.attr_begin == c.attr_end) out->push_back({c.name, text});
        AddAttributes(xml, c, names, out);
        if (c.name == "TimeCreated") {
          if (const std::string* t = AttributeOf(xml, c, "SystemTime")) out->push_back({c.name, *t});
        }
      }
    } else if (e.name == "EventData") {
      for (size_t j = i + 1; j < n && xml.elements[j].parent >= int(i); ++j) {
        const auto& c = xml.elements[j];
        if (c.parent != int(i)) continue;
        const std::string& text = xml.value(c.text);
        const std::string* data_name = c.name == "Data" ? AttributeOf(xml, c, "Name") : nullptr;
        if (data_name) {
          out->push_back({*data_name, text});
        } else {
          out->push_back({c.name, text});
          AddAttributes(xml, c, names, out);
        }
      }
    } else {
      // UserData and anything else an event carries (ProcessingErrorData,
      // RenderingInfo): every leaf under its own name.
      for (size_t j = i + 1; j < n; ++j) {
        const auto& c = xml.elements[j];
        int p = c.parent;
        while (p > int(i)) p = xml.elements[size_t(p)].parent;
        if (p != int(i)) break;
        if (!c.has_children) out->push_back({c.name, xml.value(c.text)});
        AddAttributes(xml, c, names, out);
      }
    }
  }
}

void EventRecord::Reset(const EventXml& xml) {
  fields_.clear();
  names_.Reset();
  raw_.clear();
  time_.reset();
  event_id_.reset();
  channel_ = {};
  event_id_text_.reset();
  channel_field_.reset();
  CanonicalEventFields(xml, names_, &fields_);
  for (const auto& f : fields_) {
    raw_.append(f.value);
    raw_.push_back('\n');
    if (f.name.size() == 7) {  // what Field("EventID") and Field("Channel") find
      if (!event_id_text_ && EqualsIgnoreCase(f.name, "EventID")) event_id_text_ = f.value;
      if (!channel_field_ && EqualsIgnoreCase(f.name, "Channel")) channel_field_ = f.value;
    }
    if (f.name == "EventID") {
      uint64_t id = 0;
      if (!event_id_ && ParseUint(f.value, &id) && id <= 0xffffffffu) event_id_ = uint32_t(id);
    } else if (f.name == "Channel" && channel_.empty()) {  // System's, not a UserData field of that name
      channel_ = f.value;
    } else if (f.name == "TimeCreated" && !time_) {
      time_ = ParseIsoTime(f.value);  // FILETIME as EVTX renders it: 7 or 9 fraction digits
    }
  }
}

std::optional<std::string_view> EventRecord::Field(std::string_view name) const {
  // "Data[2]": the second unnamed Data element (1-based, as Hayabusa writes it).
  if (name.size() > 6 && name.back() == ']' && StartsWithIgnoreCase(name, "Data[")) {
    uint64_t n = 0;
    if (!ParseUint(name.substr(5, name.size() - 6), &n) || n == 0) return std::nullopt;
    for (const auto& f : fields_)
      if (f.name == "Data" && --n == 0) return f.value;
    return std::nullopt;
  }
  // The two every Windows rule asks for first (its logsource), read at Reset.
  if (name.size() == 7 && EqualsIgnoreCase(name, "EventID")) return event_id_text_;
  if (name.size() == 7 && EqualsIgnoreCase(name, "Channel")) return channel_field_;
  for (const auto& f : fields_)
    if (EqualsIgnoreCase(f.name, name)) return f.value;
  return std::nullopt;
}

}  // namespace exhunt
