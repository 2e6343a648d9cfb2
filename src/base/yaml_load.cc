#include "base/yaml_load.h"

#include <yaml.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace exhunt {

namespace {

struct ParserDeleter {
  void operator()(yaml_parser_t* p) const {
    yaml_parser_delete(p);
    delete p;
  }
};

YAML::Mark MarkOf(const yaml_mark_t& m) {
  YAML::Mark mark;
  mark.pos = int(m.index);
  mark.line = int(m.line);
  mark.column = int(m.column);
  return mark;
}

bool IsPlainNull(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

// A node being built: a map waiting for its value knows its pending key.
struct Open {
  YAML::Node node;
  bool has_key = false;
  YAML::Node key;
};

}  // namespace

YAML::Node LoadYaml(std::string_view text) {
  std::unique_ptr<yaml_parser_t, ParserDeleter> parser(new yaml_parser_t);
  if (!yaml_parser_initialize(parser.get())) {
    delete parser.release();
    throw YAML::ParserException(YAML::Mark(), "libyaml: cannot start a parser");
  }
  yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::vector<Open> stack;
  std::map<std::string, YAML::Node> anchors;
  YAML::Node root;  // null until the first document's node
  bool have_root = false, done = false;
  // Puts a finished node where it belongs: the root, a sequence's next
  // element, a map's key or the value of its pending key.
  auto place = [&](YAML::Node node) {
    if (stack.empty()) {
      if (!have_root) root.reset(node), have_root = true;
      return;
    }
    Open& top = stack.back();
    if (top.node.IsSequence()) {
      top.node.push_back(node);
    } else if (!top.has_key) {
      top.key.reset(node);  // rebind: `=` on a node writes through to what it refers to
      top.has_key = true;
    } else {
      top.node.force_insert(top.key, node);
      top.has_key = false;
    }
  };
  auto remember = [&](const yaml_char_t* anchor, const YAML::Node& node) {
    if (anchor) anchors[reinterpret_cast<const char*>(anchor)].reset(node);
  };
  while (!done) {
    yaml_event_t event;
    if (!yaml_parser_parse(parser.get(), &event)) {
      std::string why = parser->problem ? parser->problem : "bad YAML";
      if (parser->context) why = std::string(parser->context) + ": " + why;
      throw YAML::ParserException(MarkOf(parser->problem_mark), why);
    }
    std::unique_ptr<yaml_event_t, void (*)(yaml_event_t*)> hold(&event, yaml_event_delete);
    switch (event.type) {
      case YAML_SCALAR_EVENT: {
        std::string value(reinterpret_cast<const char*>(event.data.scalar.value), event.data.scalar.length);
        const bool null = event.data.scalar.plain_implicit && event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                          IsPlainNull(value);
        YAML::Node node = null ? YAML::Node(YAML::NodeType::Null) : YAML::Node(value);
        remember(event.data.scalar.anchor, node);
        place(node);
        break;
      }
      case YAML_SEQUENCE_START_EVENT: {
        YAML::Node node(YAML::NodeType::Sequence);
        remember(event.data.sequence_start.anchor, node);
        stack.push_back({node});
        break;
      }
      case YAML_MAPPING_START_EVENT: {
        YAML::Node node(YAML::NodeType::Map);
        remember(event.data.mapping_start.anchor, node);
        stack.push_back({node});
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        YAML::Node node = stack.back().node;
        stack.pop_back();
        place(node);
        break;
      }
      case YAML_ALIAS_EVENT: {
        auto it = anchors.find(reinterpret_cast<const char*>(event.data.alias.anchor));
        if (it == anchors.end()) throw YAML::ParserException(MarkOf(event.start_mark), "alias to an unknown anchor");
        place(it->second);
        break;
      }
      case YAML_DOCUMENT_END_EVENT:
        done = have_root;  // the first document is all
        break;
      case YAML_STREAM_END_EVENT:
        done = true;
        break;
      default:
        break;
    }
  }
  return root;
}

}  // namespace exhunt
