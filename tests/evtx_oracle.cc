#include "evtx_oracle.h"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "base/text.h"
#include "reader/evtx_format.h"
#include "record/event_record.h"
#include "test_util.h"

namespace exhunt::testing {

namespace {

// A hex number without its leading zeros: evtxexport pads HexInt32/64
// values to their width ("0x001fffff"), Windows and exhunt do not
// ("0x1fffff"); the number must be the same.
std::string Unpadded(std::string_view v) {
  if (v.size() < 3 || v.substr(0, 2) != "0x" || v.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string_view::npos)
    return std::string(v);
  size_t first = v.find_first_not_of('0', 2);
  return "0x" + std::string(first == std::string_view::npos ? "0" : v.substr(first));
}

// One line per element: depth, name, attributes in order, text.
std::string Serialize(const EventXml& xml) {
  std::string out;
  for (const auto& e : xml.elements) {
    int depth = 0;
    for (int p = e.parent; p >= 0; p = xml.elements[size_t(p)].parent) ++depth;
    out.append(size_t(depth) * 2, ' ').append(e.name);
    for (uint32_t a = e.attr_begin; a < e.attr_end; ++a)
      out.append(" ").append(xml.attrs[a].name).append("=\"").append(Unpadded(xml.value(xml.attrs[a].value))).append("\"");
    // evtxexport prints a text that is only a line end as empty: line ends
    // at the end of a text are not compared.
    std::string_view text = xml.value(e.text);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    out.append(" |").append(Unpadded(text)).append("|\n");
  }
  return out;
}

void FromPugi(const pugi::xml_node& node, int parent, EventXml* xml) {
  EventXml::Element e;
  e.name = node.name();
  e.parent = parent;
  e.attr_begin = uint32_t(xml->attrs.size());
  for (auto a : node.attributes()) {
    uint32_t v = xml->NewValue();
    xml->value(v) = a.value();
    xml->attrs.push_back({a.name(), v});
  }
  e.attr_end = uint32_t(xml->attrs.size());
  e.text = xml->NewValue();
  for (auto c : node.children())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) xml->value(e.text) += c.value();
  int self = int(xml->elements.size());
  xml->elements.push_back(e);
  for (auto c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    xml->elements[size_t(self)].has_children = true;
    FromPugi(c, self, xml);
  }
}

struct Decoded {
  std::vector<std::string> events;    // serialized, in file order
  std::vector<std::string> problems;  // damage met
  std::vector<uint64_t> record_ids;
  size_t in_whole_chunks = 0;  // events of chunks the file holds in full
};

Decoded DecodeWithExhunt(const std::string& bytes) {
  Decoded out;
  EvtxChunkDecoder decoder;
  EventXml xml;
  DecodeEvtxChunks(
      bytes, 0, SIZE_MAX, decoder, xml,
      [&](const EventXml& event, const EvtxRecordInfo& info, size_t chunk) {
        out.events.push_back(Serialize(event));
        out.record_ids.push_back(info.id);
        if (kEvtxFileHeaderSize + (chunk + 1) * kEvtxChunkSize <= bytes.size()) ++out.in_whole_chunks;
      },
      [&](std::string problem, bool) { out.problems.push_back(std::move(problem)); });
  return out;
}

// evtxexport's XML of every event, serialized the same way.
std::vector<std::string> DecodeWithEvtxexport(const std::string& path, int* status) {
  std::string text = CommandOutput({"evtxexport", "-f", "xml", path}, status);
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = text.find("<Event ", pos)) != std::string::npos) {
    size_t end = text.find("</Event>", pos);
    if (end == std::string::npos) break;
    end += 8;
    pugi::xml_document doc;
    std::string block = text.substr(pos, end - pos);
    EventXml xml;
    if (doc.load_buffer(block.data(), block.size(), (pugi::parse_default & ~pugi::parse_eol) | pugi::parse_ws_pcdata_single)) {
      FromPugi(doc.document_element(), -1, &xml);
      out.push_back(Serialize(xml));
    } else {
      out.push_back("(evtxexport XML does not parse)\n" + block);
    }
    pos = end;
  }
  return out;
}

}  // namespace

void CompareWithEvtxexport(const std::string& dir) {
  auto files = EvtxFilesUnder(dir);
  ASSERT_FALSE(files.empty()) << dir;
  size_t events = 0, files_compared = 0;
  std::vector<std::string> refused;
  for (const auto& path : files) {
    SCOPED_TRACE(path);
    int status = 0;
    auto theirs = DecodeWithEvtxexport(path, &status);
    ASSERT_NE(status, -1) << "evtxexport could not run (make deps installs libevtx-utils)";
    Decoded ours = DecodeWithExhunt(ReadAll(path));
    if (status != 0) {
      // evtxexport gave up on this file (libfwevt refuses some valid
      // binary XML, such as a value token in an attribute): the events it
      // printed before that must still agree, and exhunt must read the
      // whole file without damage.
      refused.push_back(path);
      EXPECT_GT(ours.events.size(), theirs.size());
      EXPECT_TRUE(ours.problems.empty()) << ours.problems.front();
    } else {
      // evtxexport passes over a chunk the file holds in part; exhunt reads
      // the records it holds whole and says that the chunk was cut short.
      ASSERT_EQ(ours.in_whole_chunks, theirs.size());
      if (ours.events.size() != theirs.size()) {
        bool said = false;
        for (const auto& p : ours.problems) said = said || p.find("chunk cut short") != std::string::npos;
        EXPECT_TRUE(said);
      }
    }
    for (size_t i = 0; i < theirs.size(); ++i) {
      if (ours.events[i] == theirs[i]) continue;
      auto a = Split(ours.events[i], '\n'), b = Split(theirs[i], '\n');
      size_t k = 0;
      while (k < a.size() && k < b.size() && a[k] == b[k]) ++k;
      FAIL() << "event " << i << " (record " << ours.record_ids[i] << "), first difference:\n  exhunt:     "
             << (k < a.size() ? a[k] : "(end)") << "\n  evtxexport: " << (k < b.size() ? b[k] : "(end)");
    }
    events += theirs.size();
    ++files_compared;
  }
  std::cout << files_compared << " files, " << events << " events equal to evtxexport's; evtxexport refused "
            << refused.size() << " files:\n";
  for (const auto& r : refused) std::cout << "  " << r << "\n";
  // The oracle must speak for nearly every file.
  EXPECT_LE(refused.size() * 20, files.size());
}

}  // namespace exhunt::testing
