#include "reader/event_json.h"

#include <simdjson.h>

#include <charconv>
#include <optional>

namespace exhunt {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Where the first value (or the array holding them) starts: after a UTF-8
// BOM and white space.
size_t FirstByte(std::string_view bytes) {
  size_t p = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (p < bytes.size() && IsSpace(bytes[p])) ++p;
  return p;
}

}  // namespace

bool JsonValueSplitter::IsStream(std::string_view bytes) {
  size_t p = FirstByte(bytes);
  return p < bytes.size() && bytes[p] == '{';
}

JsonValueSplitter::Step JsonValueSplitter::Next(size_t* begin, size_t* end) {
  const size_t n = bytes_.size();
  if (!started_) {
    started_ = true;
    pos_ = FirstByte(bytes_);
    if (pos_ < n && bytes_[pos_] == '[') {
      in_array_ = true;
      ++pos_;
    }
  }
  while (pos_ < n && (IsSpace(bytes_[pos_]) || bytes_[pos_] == ',')) ++pos_;
  if (pos_ >= n || (in_array_ && bytes_[pos_] == ']')) return Step::kEnd;
  *begin = pos_;
  if (bytes_[pos_] != '{' && bytes_[pos_] != '[') {
    // No value starts here: skip to the next line that starts one.
    while (pos_ < n) {
      size_t nl = bytes_.find('\n', pos_);
      pos_ = nl == std::string_view::npos ? n : nl + 1;
      size_t p = pos_;
      while (p < n && (bytes_[p] == ' ' || bytes_[p] == '\t')) ++p;
      if (p < n && bytes_[p] == '{') break;
    }
    *end = pos_;
    return Step::kDamaged;
  }
  size_t depth = 0;
  bool in_string = false;
  for (size_t p = pos_; p < n; ++p) {
    char c = bytes_[p];
    if (c == '\n' && !in_array_ && p + 1 < n && bytes_[p + 1] == '{') {
      // A stream's next object starts a line: this one is broken (no JSON
      // string holds a raw line end). It costs itself alone.
      pos_ = p + 1;
      *end = pos_;
      return Step::kDamaged;
    }
    if (in_string) {
      if (c == '\\') {
        ++p;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        pos_ = p + 1;
        *end = pos_;
        return Step::kValue;
      }
    }
  }
  pos_ = n;  // cut short: the rest is one damaged value
  *end = n;
  return Step::kDamaged;
}

struct EventJsonParser::Impl {
  simdjson::dom::parser parser;
  std::string buffer;  // the value, with simdjson's padding after it
  EventXml* xml = nullptr;

  int Open(std::string_view name, int parent) {
    EventXml::Element e;
    e.name = name;
    e.parent = parent;
    e.attr_begin = e.attr_end = uint32_t(xml->attrs.size());
    e.text = xml->NewValue();
    if (parent >= 0) xml->elements[size_t(parent)].has_children = true;
    xml->elements.push_back(e);
    return int(xml->elements.size() - 1);
  }
  // Attributes go right after their element's opening, before any child.
  void Attribute(int element, std::string_view name, std::string_view value) {
    uint32_t v = xml->NewValue();
    xml->value(v) = value;
    xml->attrs.push_back({name, v});
    xml->elements[size_t(element)].attr_end = uint32_t(xml->attrs.size());
  }

  static void AppendScalar(std::string& out, simdjson::dom::element v) {
    char buf[32];
    switch (v.type()) {
      case simdjson::dom::element_type::STRING:
        out += std::string_view(v);
        break;
      case simdjson::dom::element_type::INT64: {
        auto r = std::to_chars(buf, buf + sizeof buf, int64_t(v));
        out.append(buf, r.ptr);
        break;
      }
      case simdjson::dom::element_type::UINT64: {
        auto r = std::to_chars(buf, buf + sizeof buf, uint64_t(v));
        out.append(buf, r.ptr);
        break;
      }
      case simdjson::dom::element_type::DOUBLE: {
        auto r = std::to_chars(buf, buf + sizeof buf, double(v));
        out.append(buf, r.ptr);
        break;
      }
      case simdjson::dom::element_type::BOOL:
        out += bool(v) ? "true" : "false";
        break;
      default:  // null: empty; objects and arrays are no scalar
        break;
    }
  }
  static bool IsScalar(simdjson::dom::element v) {
    auto t = v.type();
    return t != simdjson::dom::element_type::OBJECT && t != simdjson::dom::element_type::ARRAY;
  }

  // evtx_dump: an XML element as JSON ("#attributes", "#text", children).
  void XmlElement(std::string_view name, simdjson::dom::element v, int parent, int depth) {
    if (depth > 32) return;
    if (v.type() == simdjson::dom::element_type::ARRAY) {  // the element repeated
      for (auto item : simdjson::dom::array(v)) XmlElement(name, item, parent, depth + 1);
      return;
    }
    int self = Open(name, parent);
    if (IsScalar(v)) {
      AppendScalar(xml->value(xml->elements[size_t(self)].text), v);
      return;
    }
    simdjson::dom::object o(v);
    if (auto attrs = o["#attributes"]; !attrs.error() && attrs.value().type() == simdjson::dom::element_type::OBJECT) {
      for (auto [k, a] : simdjson::dom::object(attrs.value())) {
        std::string text;
        AppendScalar(text, a);
        Attribute(self, k, text);
      }
    }
    for (auto [k, child] : o) {
      if (k == "#attributes") continue;
      if (k == "#text") {
        AppendScalar(xml->value(xml->elements[size_t(self)].text), child);
        continue;
      }
      XmlElement(k, child, self, depth + 1);
    }
  }

  // A leaf child holding a scalar.
  void Leaf(int parent, std::string_view name, simdjson::dom::element v) {
    int e = Open(name, parent);
    AppendScalar(xml->value(xml->elements[size_t(e)].text), v);
  }
  void Leaf(int parent, std::string_view name, std::string_view text) {
    int e = Open(name, parent);
    xml->value(xml->elements[size_t(e)].text) = text;
  }
  // <Data Name="name">value</Data>
  void Data(int event_data, std::string_view name, simdjson::dom::element v) {
    int d = Open("Data", event_data);
    Attribute(d, "Name", name);
    AppendScalar(xml->value(xml->elements[size_t(d)].text), v);
  }

  // The System element from the values a flat export names.
  using Maybe = std::optional<simdjson::dom::element>;
  struct SystemValues {
    Maybe provider, event_id, channel, computer, record_id, level, time, user;
  };
  void System(int event, const SystemValues& s) {
    int system = Open("System", event);
    auto attribute_of = [&](std::string_view element, std::string_view name, const Maybe& v) {
      if (!v || !IsScalar(*v)) return;
      int e = Open(element, system);
      std::string text;
      AppendScalar(text, *v);
      Attribute(e, name, text);
    };
    auto leaf = [&](std::string_view name, const Maybe& v) {
      if (v && IsScalar(*v)) Leaf(system, name, *v);
    };
    attribute_of("Provider", "Name", s.provider);
    leaf("EventID", s.event_id);
    leaf("Level", s.level);
    attribute_of("TimeCreated", "SystemTime", s.time);
    leaf("EventRecordID", s.record_id);
    leaf("Channel", s.channel);
    leaf("Computer", s.computer);
    attribute_of("Security", "UserID", s.user);
  }

  static Maybe Get(simdjson::dom::object o, std::string_view key) {
    auto r = o[key];
    if (r.error()) return std::nullopt;
    return r.value();
  }
  static Maybe Get(const Maybe& o, std::string_view key) {
    if (!o || o->type() != simdjson::dom::element_type::OBJECT) return std::nullopt;
    return Get(simdjson::dom::object(*o), key);
  }
  static bool IsObject(const Maybe& v) { return v && v->type() == simdjson::dom::element_type::OBJECT; }
  static bool IsString(const Maybe& v) { return v && v->type() == simdjson::dom::element_type::STRING; }
  static Maybe First(simdjson::dom::object o, std::initializer_list<std::string_view> keys) {
    for (auto k : keys)
      if (auto v = Get(o, k); v && !v->is_null()) return v;
    return std::nullopt;
  }

  bool Winlogbeat(simdjson::dom::object top, simdjson::dom::object w) {
    int event = Open("Event", -1);
    SystemValues s;
    s.provider = Get(w, "provider_name");
    s.event_id = First(w, {"event_id"});
    if (!s.event_id) s.event_id = Get(Get(top, "event"), "code");
    s.channel = Get(w, "channel");
    s.computer = Get(w, "computer_name");
    s.record_id = Get(w, "record_id");
    s.time = Get(top, "@timestamp");
    s.user = Get(Get(w, "user"), "identifier");
    System(event, s);
    if (auto data = Get(w, "event_data"); IsObject(data)) {
      int ed = Open("EventData", event);
      for (auto [k, v] : simdjson::dom::object(*data))
        if (IsScalar(v)) Data(ed, k, v);
    }
    if (auto user_data = Get(w, "user_data"); IsObject(user_data)) XmlElement("UserData", *user_data, event, 0);
    if (auto message = Get(top, "message"); IsString(message)) Leaf(Open("RenderingInfo", event), "Message", *message);
    return true;
  }

  bool Flat(simdjson::dom::object o) {
    int event = Open("Event", -1);
    SystemValues s;
    s.provider = First(o, {"SourceName", "ProviderName", "Provider_Name", "Provider"});
    s.event_id = Get(o, "EventID");
    s.channel = Get(o, "Channel");
    s.computer = First(o, {"Hostname", "Computer", "ComputerName"});
    s.record_id = First(o, {"EventRecordID", "RecordNumber"});
    s.level = First(o, {"Level", "SeverityValue"});
    s.time = First(o, {"TimeCreated", "@timestamp", "EventTime", "TimeGenerated"});
    s.user = First(o, {"UserID", "Security_UserID"});
    System(event, s);
    static constexpr std::string_view kSystemKeys[] = {
        "SourceName", "ProviderName", "Provider_Name", "Provider", "EventID", "Channel", "Hostname", "Computer",
        "ComputerName", "EventRecordID", "RecordNumber", "Level", "SeverityValue", "TimeCreated", "@timestamp",
        "EventTime", "TimeGenerated", "UserID", "Security_UserID", "Message"};
    int ed = Open("EventData", event);
    for (auto [k, v] : o) {
      bool system = false;
      for (auto key : kSystemKeys) system = system || k == key;
      if (!system && IsScalar(v)) Data(ed, k, v);
    }
    if (auto message = Get(o, "Message"); IsString(message)) Leaf(Open("RenderingInfo", event), "Message", *message);
    return true;
  }
};

EventJsonParser::EventJsonParser() : impl_(std::make_unique<Impl>()) {}
EventJsonParser::~EventJsonParser() = default;

bool EventJsonParser::Parse(std::string_view json, EventXml* xml, std::string* why) {
  Impl& m = *impl_;
  m.buffer.assign(json);
  m.buffer.resize(json.size() + simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element doc;
  if (auto err = m.parser.parse(m.buffer.data(), json.size(), false).get(doc); err) {
    *why = std::string("not JSON: ") + simdjson::error_message(err);
    return false;
  }
  if (doc.type() != simdjson::dom::element_type::OBJECT) {
    *why = "a JSON value that is no object";
    return false;
  }
  xml->Clear();
  m.xml = xml;
  simdjson::dom::object o(doc);
  if (auto event = Impl::Get(o, "Event"); Impl::IsObject(event)) {
    m.XmlElement("Event", *event, -1, 0);
    return true;
  }
  if (auto w = Impl::Get(o, "winlog"); Impl::IsObject(w)) return m.Winlogbeat(o, simdjson::dom::object(*w));
  if (Impl::Get(o, "EventID")) return m.Flat(o);
  *why = "a JSON object that is no Windows event (no Event, winlog or EventID)";
  return false;
}

}  // namespace exhunt
