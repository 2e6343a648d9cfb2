#include "reader/iis_config.h"

#include <pugixml.hpp>

#include "base/text.h"

namespace exhunt {

namespace {

bool IsFalse(const pugi::xml_attribute& a, const char* fallback) {
  return EqualsIgnoreCase(a.as_string(fallback), "false");
}
bool IsTrue(const pugi::xml_attribute& a, const char* fallback) {
  return EqualsIgnoreCase(a.as_string(fallback), "true");
}

}  // namespace

WebConfig ReadWebConfig(std::string_view xml) {
  WebConfig out;
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return out;
  out.valid = true;
  pugi::xml_node rules = doc.child("configuration").child("system.webServer").child("rewrite").child("rules");
  if (!rules) return out;
  out.has_rules = true;
  out.clears_inherited = bool(rules.child("clear"));
  for (auto remove : rules.children("remove")) out.removed.emplace_back(remove.attribute("name").as_string());
  for (auto rule : rules.children("rule")) {
    RewriteRule r;
    r.name = rule.attribute("name").as_string();
    r.enabled = !IsFalse(rule.attribute("enabled"), "true");
    r.action_type = rule.child("action").attribute("type").as_string();
    r.stop_processing = IsTrue(rule.attribute("stopProcessing"), "false");
    r.match_url = rule.child("match").attribute("url").as_string();
    r.wildcard_syntax = EqualsIgnoreCase(rule.attribute("patternSyntax").as_string(), "Wildcard");
    for (auto add : rule.child("conditions").children("add"))
      r.conditions.push_back({add.attribute("input").as_string(), add.attribute("pattern").as_string()});
    out.rules.push_back(std::move(r));
  }
  return out;
}

AppHostConfig ReadAppHostConfig(std::string_view xml) {
  AppHostConfig out;
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return out;
  out.valid = true;
  pugi::xml_node config = doc.child("configuration");
  for (auto add : config.child("system.webServer").child("globalModules").children("add"))
    out.global_modules.push_back({add.attribute("name").as_string(), add.attribute("image").as_string()});
  for (auto loc : config.children("location")) {
    pugi::xml_node win =
        loc.child("system.webServer").child("security").child("authentication").child("windowsAuthentication");
    if (!win) continue;
    out.windows_authentication.push_back(
        {loc.attribute("path").as_string(), !IsFalse(win.attribute("enabled"), "true"),
         win.child("extendedProtection").attribute("tokenChecking").as_string("None")});
  }
  for (auto add : config.child("system.applicationHost").child("applicationPools").children("add"))
    out.app_pools.push_back({add.attribute("name").as_string(), !IsFalse(add.attribute("autoStart"), "true")});
  return out;
}

}  // namespace exhunt
