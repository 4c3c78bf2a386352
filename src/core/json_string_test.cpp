#include "core/json_string.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace core {
namespace {

std::string Serialized(std::string_view text) { return boost::json::serialize(boost::json::string_view(text)); }

TEST(JsonStringTest, EveryAsciiCharacterIsEscapedAsBoostJsonSerializesIt) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string one(1, static_cast<char>(c));
    EXPECT_EQ(JsonString(one), Serialized(one)) << "character " << c;
  }
}

TEST(JsonStringTest, TextKeepsItsUtf8AndEscapesOnlyWhatItMust) {
  const std::string text = "Grüße, 日本 😀 \"quoted\" C:\\path\tend\x01\x1f";
  EXPECT_EQ(JsonString(text), Serialized(text));
  EXPECT_EQ(boost::json::parse(JsonString(text)).as_string(), text);
  std::string out = "x=";
  AppendJsonEscaped(out, "a\"b");
  EXPECT_EQ(out, "x=a\\\"b");
  EXPECT_EQ(JsonString(""), "\"\"");
}

}  // namespace
}  // namespace core
