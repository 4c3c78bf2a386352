#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <string>

#include "channels/channel.h"

namespace channels {
namespace {

namespace json = boost::json;

// The string at `key` of the object `text` parses to; fails the test when `text` is not such JSON.
std::string ParsedString(const std::string& text, const char* key) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << text;
  if (ec || !v.is_object() || !v.as_object().contains(key) || !v.as_object().at(key).is_string()) return "<none>";
  return std::string(v.as_object().at(key).as_string());
}

TEST(RenderTemplateTest, ReplacesPlaceholdersWithValues) {
  const std::map<std::string, std::string> fields = {{"incident.id", "42"}, {"service", "checkout"}};

  const std::string out = RenderTemplate(R"({"id":"{{incident.id}}","svc":"{{ service }}"})", fields);

  EXPECT_EQ(out, R"({"id":"42","svc":"checkout"})");
}

TEST(RenderTemplateTest, EscapesQuotesBackslashesAndNewlines) {
  const std::string title = "say \"hi\"\\ now\nsecond line\r\tend";

  const std::string out = RenderTemplate(R"({"t":"{{incident.title}}"})", {{"incident.title", title}});

  EXPECT_EQ(out, R"({"t":"say \"hi\"\\ now\nsecond line\r\tend"})");
  EXPECT_EQ(ParsedString(out, "t"), title);
}

TEST(RenderTemplateTest, EscapesOtherControlCharactersAsUnicodeEscapes) {
  const std::string value = std::string("a\x01" "b\x1f" "c\b\f", 7) + std::string(1, '\0') + "d";

  const std::string out = RenderTemplate(R"({"v":"{{v}}"})", {{"v", value}});

  EXPECT_EQ(out, R"({"v":"a\u0001b\u001fc\b\f\u0000d"})");
  EXPECT_EQ(ParsedString(out, "v"), value);
}

TEST(RenderTemplateTest, KeepsUnicodeAsIs) {
  const std::string value = "Störung — データベース 🔥";

  const std::string out = RenderTemplate(R"({"v":"{{v}}"})", {{"v", value}});

  EXPECT_EQ(out, R"({"v":")" + value + R"("})");
  EXPECT_EQ(ParsedString(out, "v"), value);
}

TEST(RenderTemplateTest, ReplacesInvalidUtf8SoTheResultStillParses) {
  const std::string value = "ok \xC3 \xFF \xED\xA0\x80 end";  // truncated, impossible byte, surrogate

  const std::string out = RenderTemplate(R"({"v":"{{v}}"})", {{"v", value}});

  EXPECT_EQ(ParsedString(out, "v"), "ok \uFFFD \uFFFD \uFFFD\uFFFD\uFFFD end");
}

TEST(RenderTemplateTest, UnknownPlaceholdersBecomeEmpty) {
  const std::string out = RenderTemplate(R"({"a":"[{{missing}}]","b":"{{known}}"})", {{"known", "k"}});

  EXPECT_EQ(out, R"({"a":"[]","b":"k"})");
}

TEST(RenderTemplateTest, LeavesBracesThatAreNotPlaceholdersAlone) {
  const std::map<std::string, std::string> fields = {{"x", "X"}};

  EXPECT_EQ(RenderTemplate(R"({"a":{"b":"{{x}}"}})", fields), R"({"a":{"b":"X"}})");
  EXPECT_EQ(RenderTemplate("{{{x}}}", fields), "{X}");
  EXPECT_EQ(RenderTemplate("open {{ never closed", fields), "open {{ never closed");
  EXPECT_EQ(RenderTemplate("{{not a name}} {{}}", fields), "{{not a name}} {{}}");
  EXPECT_EQ(RenderTemplate("", fields), "");
}

TEST(RenderTemplateTest, ValuesAreNotRenderedAgain) {
  const std::string out = RenderTemplate(R"({"a":"{{a}}"})", {{"a", "{{b}}"}, {"b", "B"}});

  EXPECT_EQ(ParsedString(out, "a"), "{{b}}");
}

TEST(RenderTemplateTest, HostileValuesCannotBreakOutOfTheirString) {
  const std::string hostile = R"(", "admin": true, "x": ")";

  const std::string out = RenderTemplate(R"({"title":"{{t}}"})", {{"t", hostile}});

  boost::system::error_code ec;
  json::value v = json::parse(out, ec);
  ASSERT_FALSE(ec) << out;
  EXPECT_EQ(v.as_object().size(), 1u);
  EXPECT_EQ(v.as_object().at("title").as_string(), hostile);
}

}  // namespace
}  // namespace channels
