#include "core/matcher.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(MatcherTest, EqualityAndInequality) {
  LabelSet s{{"job", "api"}};

  EXPECT_TRUE(Matcher::Create("job", MatchType::kEqual, "api")->Matches(s));
  EXPECT_FALSE(Matcher::Create("job", MatchType::kNotEqual, "api")->Matches(s));
  EXPECT_TRUE(Matcher::Create("env", MatchType::kEqual, "")->Matches(s));  // missing label matches ""
}

TEST(MatcherTest, RegexIsAnchoredAtBothEnds) {
  auto m = Matcher::Create("job", MatchType::kRegex, "api").value();

  EXPECT_TRUE(m.MatchesValue("api"));
  EXPECT_FALSE(m.MatchesValue("api-gateway"));
  EXPECT_FALSE(m.MatchesValue("my-api"));
  EXPECT_TRUE(Matcher::Create("job", MatchType::kRegex, "api.*").value().MatchesValue("api-gateway"));
}

TEST(MatcherTest, AlternationStaysInsideTheAnchors) {
  auto m = Matcher::Create("job", MatchType::kRegex, "a|b").value();

  EXPECT_TRUE(m.MatchesValue("a"));
  EXPECT_FALSE(m.MatchesValue("ab"));
}

TEST(MatcherTest, NegativeRegex) {
  auto m = Matcher::Create("env", MatchType::kNotRegex, "prod|staging").value();

  EXPECT_FALSE(m.MatchesValue("prod"));
  EXPECT_TRUE(m.MatchesValue("dev"));
}

TEST(MatcherTest, InvalidRegexIsAnErrorNamingTheField) {
  auto m = Matcher::Create("job", MatchType::kRegex, "(unclosed");

  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(m.error().field, "matchers");
}

TEST(MatcherTest, ParsesTheFourOperators) {
  EXPECT_EQ(Matcher::Parse("job=\"api\"")->type(), MatchType::kEqual);
  EXPECT_EQ(Matcher::Parse("job!=api")->type(), MatchType::kNotEqual);
  EXPECT_EQ(Matcher::Parse("job=~\"a.*\"")->type(), MatchType::kRegex);
  EXPECT_EQ(Matcher::Parse("job !~ b.*")->value(), "b.*");
  EXPECT_FALSE(Matcher::Parse("job").ok());
  EXPECT_FALSE(Matcher::Parse("=api").ok());
}

TEST(MatcherTest, UnbalancedOrUnescapedQuotesAreRejected) {
  for (const char* text : {"alertname=\"x", "alertname=x\"", "alertname=\"a\"b\"", "alertname=a\"b", "a=\"x\\\""}) {
    auto m = Matcher::Parse(text);

    EXPECT_FALSE(m.ok()) << text;
  }
}

TEST(MatcherTest, EscapedQuotesAndBackslashesInAQuotedValueAreKept) {
  auto m = Matcher::Parse(R"(msg="say \"hi\" \\ bye")");

  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->value(), R"(say "hi" \ bye)");
}

}  // namespace
}  // namespace core
