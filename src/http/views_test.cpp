#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "http/views.h"

namespace http {
namespace {

namespace json = boost::json;

TEST(ViewsTest, IncidentHasEveryDocumentedFieldWithNullForAbsentTimes) {
  engine::IncidentRow row;
  row.id = 1;
  row.service = "checkout";
  row.state = "acknowledged";
  row.opened_at = core::FromUnixMillis(1795953600000);
  row.acknowledged_at = core::FromUnixMillis(1795953660500);

  json::object o = IncidentView(row);

  EXPECT_EQ(o.size(), 18u);
  EXPECT_EQ(o.at("opened_at"), "2026-11-29T12:00:00Z");
  EXPECT_TRUE(o.at("merged_into").is_null());
  EXPECT_TRUE(o.at("next_notification_at").is_null());
  EXPECT_TRUE(o.at("classification").at("category").is_null());
  EXPECT_EQ(o.at("acknowledged_at"), "2026-11-29T12:01:00.500Z");
  EXPECT_TRUE(o.at("resolved_at").is_null());
  EXPECT_TRUE(o.at("closed_at").is_null());
}

TEST(ViewsTest, AlertDetailsAreEmbeddedJson) {
  engine::AlertRow row;
  row.details_json = R"({"component":"db","links":[{"href":"http://x"}]})";

  json::object o = AlertView(row);

  EXPECT_EQ(o.at("details").at("component"), "db");
  EXPECT_EQ(o.size(), 14u);
}

TEST(ViewsTest, ASuppressedAlertShowsItsWindowAndNoIncident) {
  engine::AlertRow row;
  row.status = "triggered";
  row.explanation = "suppressed by maintenance window 'db upgrade' (w1): in scope and expected";
  row.suppressed_by = "w1";

  json::object o = AlertView(row);

  EXPECT_TRUE(o.at("incident_id").is_null());
  EXPECT_EQ(o.at("status"), "suppressed");
  EXPECT_EQ(o.at("suppressed_by"), "w1");
  EXPECT_EQ(o.at("correlation").as_string(), row.explanation);
}

TEST(ViewsTest, EmptyDetailsAreAnEmptyObject) {
  engine::AlertRow row;

  EXPECT_EQ(AlertView(row).at("details"), json::object());
}

TEST(ViewsTest, PageHasNullNextBeforeOnTheLastPage) {
  engine::IncidentPage page;

  json::value doc = json::parse(IncidentPageJson(page));

  EXPECT_TRUE(doc.at("next_before").is_null());
  EXPECT_TRUE(doc.at("incidents").as_array().empty());
}

TEST(ViewsTest, SseFrameKeepsNewlinesInsideTheDataEscaped) {
  engine::Published p;
  p.seq = 9;
  p.type = "note.added";
  p.summary = "line one\n\ndata: forged";

  std::string frame = SseFrame(p);

  EXPECT_EQ(frame.rfind("id: 9\nevent: note.added\ndata: {", 0), 0u);
  EXPECT_EQ(frame.find("\n\n"), frame.size() - 2);
  EXPECT_NE(frame.find("\"incident_id\":null"), std::string::npos);
}

}  // namespace
}  // namespace http
