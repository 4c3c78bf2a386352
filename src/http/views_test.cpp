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

  EXPECT_EQ(o.size(), 14u);
  EXPECT_EQ(o.at("opened_at"), "2026-11-29T12:00:00Z");
  EXPECT_EQ(o.at("acknowledged_at"), "2026-11-29T12:01:00.500Z");
  EXPECT_TRUE(o.at("resolved_at").is_null());
  EXPECT_TRUE(o.at("closed_at").is_null());
}

TEST(ViewsTest, AlertDetailsAreEmbeddedJson) {
  engine::AlertRow row;
  row.details_json = R"({"component":"db","links":[{"href":"http://x"}]})";

  json::object o = AlertView(row);

  EXPECT_EQ(o.at("details").at("component"), "db");
  EXPECT_EQ(o.size(), 12u);
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
