// IIS configuration files as evidence: what a web.config says about URL
// Rewrite rules, and what applicationHost.config says about global modules,
// Windows authentication per location and application pools. Only reads;
// the exposure plane (exposure/tree_assessment.cc) decides what they mean.
//
// Attribute values are kept as written; defaults are IIS's own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace exhunt {

struct RewriteCondition {
  std::string input, pattern;  // <add input="{HTTP_COOKIE}" pattern="..."/>
};

struct RewriteRule {
  std::string name;
  bool enabled = true;           // enabled="false" switches it off
  std::string action_type;       // <action type="AbortRequest"/>
  bool stop_processing = false;  // stopProcessing="true"
  std::string match_url;         // <match url=".*"/>
  bool wildcard_syntax = false;  // patternSyntax="Wildcard" (else ECMAScript)
  std::vector<RewriteCondition> conditions;
};

struct WebConfig {
  bool valid = false;  // false: not well-formed XML
  // configuration/system.webServer/rewrite/rules
  bool has_rules = false;
  std::vector<RewriteRule> rules;
  bool clears_inherited = false;     // <clear/>
  std::vector<std::string> removed;  // <remove name="..."/>
};
WebConfig ReadWebConfig(std::string_view xml);

struct GlobalModule {
  std::string name, image;
};
struct WindowsAuthentication {
  std::string location;  // <location path="Default Web Site/owa">
  bool enabled = true;
  std::string token_checking;  // extendedProtection tokenChecking ("None" if unset)
};
struct AppPool {
  std::string name;
  bool auto_start = true;
};

struct AppHostConfig {
  bool valid = false;
  std::vector<GlobalModule> global_modules;                   // system.webServer/globalModules
  std::vector<WindowsAuthentication> windows_authentication;  // locations that set it
  std::vector<AppPool> app_pools;                             // system.applicationHost/applicationPools
};
AppHostConfig ReadAppHostConfig(std::string_view xml);

}  // namespace exhunt
