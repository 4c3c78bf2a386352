#include "domain/ingest/event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ingest {
namespace {

namespace json = boost::json;

auto Parse(const char* text) { return ParseEventV2(json::parse(text)); }

bool HasErrorFor(const std::vector<FieldError>& errors, const std::string& field) {
  for (const auto& e : errors) {
    if (e.field == field) return true;
  }
  return false;
}

TEST(EventV2Test, ParsesACompleteTrigger) {
  auto [event, errors] = Parse(R"({"routing_key":"k","event_action":"trigger","dedup_key":"d",
    "payload":{"summary":"db down","source":"db-1","severity":"critical","timestamp":"2024-03-10T13:00:00Z",
               "component":"mysql","group":"prod","class":"ping","custom_details":{"a":1}},
    "links":[{"href":"https://x","text":"runbook"}],"images":[{"src":"https://img"}],"client":"mon"})");

  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(event->action, Action::kTrigger);
  EXPECT_EQ(event->summary, "db down");
  EXPECT_EQ(event->severity, Severity::kCritical);
  EXPECT_EQ(event->event_class, "ping");
  EXPECT_EQ(event->custom_details_json, R"({"a":1})");
  EXPECT_EQ(event->links.size(), 1u);
  EXPECT_EQ(event->images[0].src, "https://img");
  EXPECT_TRUE(event->timestamp.has_value());
}

TEST(EventV2Test, TriggerNeedsSummarySourceAndSeverity) {
  auto [event, errors] = Parse(R"({"routing_key":"k","event_action":"trigger","payload":{}})");

  EXPECT_FALSE(event.has_value());
  EXPECT_TRUE(HasErrorFor(errors, "/payload/summary"));
  EXPECT_TRUE(HasErrorFor(errors, "/payload/source"));
  EXPECT_TRUE(HasErrorFor(errors, "/payload/severity"));
}

TEST(EventV2Test, AcknowledgeAndResolveNeedADedupKeyButNoPayload) {
  auto [ok_event, ok_errors] = Parse(R"({"routing_key":"k","event_action":"resolve","dedup_key":"d"})");
  auto [bad_event, bad_errors] = Parse(R"({"routing_key":"k","event_action":"acknowledge"})");

  EXPECT_TRUE(ok_errors.empty());
  EXPECT_EQ(ok_event->action, Action::kResolve);
  EXPECT_TRUE(HasErrorFor(bad_errors, "/dedup_key"));
}

TEST(EventV2Test, RejectsUnknownActionAndSeverityNamingTheField) {
  auto [e1, errors1] = Parse(R"({"routing_key":"k","event_action":"explode"})");
  auto [e2, errors2] = Parse(
      R"({"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"bad"}})");

  EXPECT_TRUE(HasErrorFor(errors1, "/event_action"));
  EXPECT_TRUE(HasErrorFor(errors2, "/payload/severity"));
}

TEST(EventV2Test, RejectsWrongTypesAndOverlongFields) {
  std::string long_summary(1025, 'x');
  auto [e1, errors1] = Parse(R"({"routing_key":5,"event_action":"trigger"})");
  auto [e2, errors2] = ParseEventV2(json::value{{"routing_key", "k"},
                                                {"event_action", "trigger"},
                                                {"payload", {{"summary", long_summary}, {"source", "s"},
                                                             {"severity", "info"}}}});

  EXPECT_TRUE(HasErrorFor(errors1, "/routing_key"));
  EXPECT_FALSE(HasErrorFor(errors1, "/event_action"));
  EXPECT_TRUE(HasErrorFor(errors2, "/payload/summary"));
}

TEST(EventV2Test, NonObjectBodyIsAnError) {
  auto [event, errors] = Parse("[1,2,3]");

  EXPECT_FALSE(event.has_value());
  EXPECT_EQ(errors.size(), 1u);
}

TEST(EventV2Test, IgnoresUnknownFields) {
  auto [event, errors] = Parse(R"({"routing_key":"k","event_action":"resolve","dedup_key":"d","extra":{"x":1}})");

  EXPECT_TRUE(errors.empty());
}

TEST(EventV2Test, LinksNeedHrefAndImagesNeedSrc) {
  auto [event, errors] = Parse(R"({"routing_key":"k","event_action":"resolve","dedup_key":"d",
    "links":[{"text":"no href"}],"images":[{"alt":"no src"}]})");

  EXPECT_TRUE(HasErrorFor(errors, "/links/0/href"));
  EXPECT_TRUE(HasErrorFor(errors, "/images/0/src"));
}

}  // namespace
}  // namespace ingest
