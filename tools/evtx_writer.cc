#include "evtx_writer.h"

#include <cstring>

#include "reader/evtx_format.h"

namespace exhunt::gen {

namespace {

constexpr size_t kChunkHeader = 512;

void Put16(std::string& out, uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); }
void Put32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void Put64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void Set32(std::string& out, size_t at, uint32_t v) { memcpy(&out[at], &v, 4); }
void Set64(std::string& out, size_t at, uint64_t v) { memcpy(&out[at], &v, 8); }

// UTF-8 (ASCII and two-byte sequences are all the generator writes) as UTF-16LE.
std::string Utf16(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    uint32_t c = uint8_t(s[i]);
    if (c >= 0xc0 && c < 0xe0 && i + 1 < s.size()) c = (c & 0x1f) << 6 | (uint8_t(s[++i]) & 0x3f);
    Put16(out, uint16_t(c));
  }
  return out;
}

uint64_t FileTime(TimeMs t) { return uint64_t(t) * 10000 + 116444736000000000ULL; }

// Substitution value types.
constexpr uint8_t kString = 0x01, kUInt8 = 0x04, kUInt16 = 0x06, kUInt64 = 0x0a, kFileTime = 0x11;

}  // namespace

uint32_t EvtxWriter::NameRef(std::string& out, const std::string& name, size_t base) {
  for (const auto& [n, off] : names_)
    if (n == name) {
      Put32(out, off);
      return off;
    }
  // Defined here: the offset points just past itself.
  uint32_t off = uint32_t(base + out.size() + 4);
  Put32(out, off);
  Put32(out, 0);  // next name in the hash chain
  uint16_t hash = 0;
  for (char c : name) hash = uint16_t(hash * 65599 + uint8_t(c));
  Put16(out, hash);
  Put16(out, uint16_t(name.size()));
  out += Utf16(name);
  Put16(out, 0);
  names_.emplace_back(name, off);
  return off;
}

void EvtxWriter::StartChunk() {
  chunk_.assign(kChunkHeader, '\0');
  memcpy(&chunk_[0], "ElfChnk\0", 8);
  names_.clear();
  templates_.clear();
  chunk_first_id_ = next_id_;
  last_record_ = 0;
}

void EvtxWriter::CloseChunk() {
  if (chunk_.empty()) return;
  uint64_t first = chunk_first_id_, last = next_id_ - 1;
  Set64(chunk_, 8, first);  // record numbers and identifiers
  Set64(chunk_, 16, last);
  Set64(chunk_, 24, first);
  Set64(chunk_, 32, last);
  Set32(chunk_, 40, 128);
  Set32(chunk_, 44, last_record_);
  Set32(chunk_, 48, uint32_t(chunk_.size()));
  Set32(chunk_, 52, Crc32(std::string_view(chunk_).substr(kChunkHeader)));
  chunk_.resize(kEvtxChunkSize, '\0');
  Set32(chunk_, 124, Crc32(std::string_view(chunk_).substr(128, kChunkHeader - 128),
                           Crc32(std::string_view(chunk_).substr(0, 120))));
  chunks_.push_back(std::move(chunk_));
  chunk_.clear();
}

std::string EvtxWriter::Record(const GenEvent& e, uint64_t id) {
  const size_t at = chunk_.size();
  std::string r(24, '\0');  // the record header, filled at the end
  r += std::string("\x0f\x01\x01\x00", 4);
  // The template of this shape: defined here the first time in the chunk.
  std::string shape = e.provider + '\n' + e.channel;
  for (const auto& d : e.data) shape += '\n' + d.first;
  uint32_t def = 0;
  for (const auto& [s, off] : templates_)
    if (s == shape) def = off;
  r += '\x0c';
  r += '\x01';
  Put32(r, uint32_t(templates_.size() + 1));
  if (def == 0) {
    def = uint32_t(at + r.size() + 4);
    Put32(r, def);
    Put32(r, 0);                   // next template
    r.append(16, '\x5a');          // GUID
    size_t size_at = r.size();
    Put32(r, 0);                   // data size, set below
    const size_t body = r.size();
    std::string& b = r;
    auto base = [&] { return at; };
    // Elements: token, dependency id, data size (of what follows it up to
    // and including the end tag), name, [attribute list size, attributes],
    // then the close token, content and end tag.
    struct Open {
      size_t start, attr_size;  // attr_size: 0 without attributes
    };
    std::vector<Open> stack;
    auto open = [&](const std::string& name, bool attrs) {
      Open o{b.size(), 0};
      b += attrs ? '\x41' : '\x01';
      Put16(b, 0xffff);
      Put32(b, 0);
      NameRef(b, name, base());
      if (attrs) {
        o.attr_size = b.size();
        Put32(b, 0);
      }
      stack.push_back(o);
    };
    auto attributes_done = [&] {
      const Open& o = stack.back();
      if (o.attr_size) Set32(b, o.attr_size, uint32_t(b.size() - o.attr_size - 4));
    };
    auto finish = [&] {  // after the end tag: the element's data size
      Set32(b, stack.back().start + 3, uint32_t(b.size() - stack.back().start - 7));
      stack.pop_back();
    };
    auto close_start = [&] {
      attributes_done();
      b += '\x02';
    };
    auto close_empty = [&] {
      attributes_done();
      b += '\x03';
      finish();
    };
    auto end = [&] {
      b += '\x04';
      finish();
    };
    auto attribute = [&](const std::string& name, bool last) {
      b += last ? '\x06' : '\x46';
      NameRef(b, name, base());
    };
    auto text = [&](const std::string& value) {
      b += '\x05';
      b += '\x01';
      Put16(b, uint16_t(value.size()));
      b += Utf16(value);
    };
    auto subst = [&](uint16_t index, uint8_t type) {
      b += '\x0e';
      Put16(b, index);
      b += char(type);
    };
    // A child holding one substitution value.
    auto leaf = [&](const std::string& name, uint16_t index, uint8_t type) {
      open(name, false);
      close_start();
      subst(index, type);
      end();
    };
    b += std::string("\x0f\x01\x01\x00", 4);
    open("Event", true);
    attribute("xmlns", true);
    text("http://schemas.microsoft.com/win/2004/08/events/event");
    close_start();
    open("System", false);
    close_start();
    open("Provider", true);
    attribute("Name", true);
    subst(0, kString);
    close_empty();
    leaf("EventID", 1, kUInt16);
    leaf("Level", 2, kUInt8);
    open("TimeCreated", true);
    attribute("SystemTime", true);
    subst(3, kFileTime);
    close_empty();
    leaf("EventRecordID", 4, kUInt64);
    leaf("Channel", 5, kString);
    leaf("Computer", 6, kString);
    end();  // </System>
    open("EventData", false);
    close_start();
    for (size_t i = 0; i < e.data.size(); ++i) {
      const bool named = !e.data[i].first.empty();
      open("Data", named);
      if (named) {
        attribute("Name", true);
        text(e.data[i].first);
      }
      close_start();
      subst(uint16_t(7 + i), kString);
      end();
    }
    end();  // </EventData>
    end();  // </Event>
    b += '\x00';
    Set32(r, size_at, uint32_t(r.size() - body));
    templates_.emplace_back(shape, def);
  } else {
    Put32(r, def);
  }
  // The values: descriptors, then data.
  std::vector<std::pair<uint8_t, std::string>> values;
  values.emplace_back(kString, Utf16(e.provider));
  std::string v;
  Put16(v, e.event_id);
  values.emplace_back(kUInt16, v);
  values.emplace_back(kUInt8, std::string(1, char(e.level)));
  v.clear();
  Put64(v, FileTime(e.time));
  values.emplace_back(kFileTime, v);
  v.clear();
  Put64(v, id);
  values.emplace_back(kUInt64, v);
  values.emplace_back(kString, Utf16(e.channel));
  values.emplace_back(kString, Utf16(e.computer));
  for (const auto& d : e.data) values.emplace_back(kString, Utf16(d.second));
  Put32(r, uint32_t(values.size()));
  for (const auto& [type, bytes] : values) {
    Put16(r, uint16_t(bytes.size()));
    r += char(type);
    r += '\0';
  }
  for (const auto& [type, bytes] : values) r += bytes;
  r += '\x00';  // end of the record's fragment
  // Header and the size's copy at the end.
  uint32_t size = uint32_t(r.size() + 4);
  memcpy(&r[0], "\x2a\x2a\x00\x00", 4);
  Set32(r, 4, size);
  Set64(r, 8, id);
  Set64(r, 16, FileTime(e.time));
  Put32(r, size);
  return r;
}

uint64_t EvtxWriter::Add(const GenEvent& event) {
  if (chunk_.empty()) StartChunk();
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string r = Record(event, next_id_);
    if (chunk_.size() + r.size() <= kEvtxChunkSize) {
      last_record_ = uint32_t(chunk_.size());
      chunk_ += r;
      return next_id_++;
    }
    // Does not fit: the next chunk defines its names and templates anew.
    CloseChunk();
    StartChunk();
  }
  return 0;  // larger than a chunk: not written
}

std::string EvtxWriter::Finish() {
  CloseChunk();
  std::string out(kEvtxFileHeaderSize, '\0');
  memcpy(&out[0], "ElfFile\0", 8);
  Set64(out, 8, 0);
  Set64(out, 16, chunks_.empty() ? 0 : chunks_.size() - 1);
  Set64(out, 24, next_id_);
  Set32(out, 32, 128);
  uint16_t minor = 1, major = 3, block = 4096, count = uint16_t(chunks_.size());
  memcpy(&out[36], &minor, 2);
  memcpy(&out[38], &major, 2);
  memcpy(&out[40], &block, 2);
  memcpy(&out[42], &count, 2);
  Set32(out, 124, Crc32(std::string_view(out).substr(0, 120)));
  for (auto& c : chunks_) out += c;
  chunks_.clear();
  return out;
}

}  // namespace exhunt::gen
