// YAML text to yaml-cpp nodes, parsed by libyaml.
//
// yaml-cpp's own parser costs ~2 million instructions for a rule file of a
// few kilobytes, most of a large Sigma folder's start-up; libyaml reads the
// same text in a fraction of that. The nodes are yaml-cpp's, so the code that
// reads rules does not change: plain scalars `~`, `null`, `Null`, `NULL` and
// empty ones are null nodes as yaml-cpp makes them, every other scalar keeps
// its text, anchors and aliases share nodes.
//
// Thread-safe: no state outside the call.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>

namespace exhunt {

// The first document of `text` (a null node if there is none). Throws
// YAML::ParserException with libyaml's reason and position on bad YAML.
YAML::Node LoadYaml(std::string_view text);

}  // namespace exhunt
