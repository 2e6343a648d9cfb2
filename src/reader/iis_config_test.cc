#include "reader/iis_config.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

TEST(IisConfig, RewriteRulesWithIisDefaults) {
  WebConfig c = ReadWebConfig(R"xml(<?xml version="1.0"?>
<configuration><system.webServer><rewrite><rules>
  <clear/>
  <remove name="Old rule"/>
  <rule name="A" stopProcessing="true" patternSyntax="Wildcard">
    <match url="*"/>
    <conditions><add input="{HTTP_COOKIE}" pattern="(.*)X-BEResource=(.+)/(.+)~(.+)"/></conditions>
    <action type="AbortRequest"/>
  </rule>
  <rule name="B" enabled="FALSE"><match url=".*"/><action type="CustomResponse"/></rule>
</rules></rewrite></system.webServer></configuration>)xml");
  ASSERT_TRUE(c.valid);
  ASSERT_TRUE(c.has_rules);
  EXPECT_TRUE(c.clears_inherited);
  EXPECT_EQ(c.removed, std::vector<std::string>{"Old rule"});
  ASSERT_EQ(c.rules.size(), 2u);
  EXPECT_EQ(c.rules[0].name, "A");
  EXPECT_TRUE(c.rules[0].enabled);  // default
  EXPECT_TRUE(c.rules[0].stop_processing);
  EXPECT_TRUE(c.rules[0].wildcard_syntax);
  EXPECT_EQ(c.rules[0].action_type, "AbortRequest");
  ASSERT_EQ(c.rules[0].conditions.size(), 1u);
  EXPECT_EQ(c.rules[0].conditions[0].input, "{HTTP_COOKIE}");
  EXPECT_FALSE(c.rules[1].enabled);          // "FALSE", any case
  EXPECT_FALSE(c.rules[1].stop_processing);  // default
  EXPECT_EQ(c.rules[1].match_url, ".*");
}

TEST(IisConfig, NoRulesSectionAndBrokenXml) {
  WebConfig none = ReadWebConfig("<configuration><system.webServer/></configuration>");
  EXPECT_TRUE(none.valid);
  EXPECT_FALSE(none.has_rules);
  EXPECT_FALSE(ReadWebConfig("<configuration><rewrite>").valid);
  EXPECT_FALSE(ReadAppHostConfig("not xml at all <").valid);
}

TEST(IisConfig, ApplicationHostModulesAuthenticationAndPools) {
  AppHostConfig c = ReadAppHostConfig(R"(<configuration>
  <system.applicationHost><applicationPools>
    <add name="MSExchangeECPAppPool" autoStart="false"/><add name="MSExchangeOWAAppPool"/>
  </applicationPools></system.applicationHost>
  <system.webServer><globalModules><add name="RewriteModule" image="%SystemRoot%\system32\inetsrv\rewrite.dll"/></globalModules></system.webServer>
  <location path="Default Web Site/owa"><system.webServer><security><authentication>
    <windowsAuthentication enabled="true"><extendedProtection tokenChecking="Require"/></windowsAuthentication>
  </authentication></security></system.webServer></location>
  <location path="Default Web Site/ecp"><system.webServer><security><authentication>
    <windowsAuthentication enabled="false"/>
  </authentication></security></system.webServer></location>
  <location path="Default Web Site/rpc"><system.webServer/></location>
</configuration>)");
  ASSERT_TRUE(c.valid);
  ASSERT_EQ(c.global_modules.size(), 1u);
  EXPECT_EQ(c.global_modules[0].name, "RewriteModule");
  ASSERT_EQ(c.windows_authentication.size(), 2u);  // rpc sets none
  EXPECT_EQ(c.windows_authentication[0].token_checking, "Require");
  EXPECT_FALSE(c.windows_authentication[1].enabled);
  EXPECT_EQ(c.windows_authentication[1].token_checking, "None");  // IIS default
  ASSERT_EQ(c.app_pools.size(), 2u);
  EXPECT_FALSE(c.app_pools[0].auto_start);
  EXPECT_TRUE(c.app_pools[1].auto_start);
}

}  // namespace
}  // namespace exhunt
