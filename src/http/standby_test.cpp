#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "http/standby.h"

namespace http {
namespace {

namespace json = boost::json;

TEST(StandbyTest, HealthzIsOkAndSaysStandby) {
  StandbyAnswer a = AnswerAsStandby("/healthz", "http://10.0.0.1:9797");

  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "standby");
}

TEST(StandbyTest, ReadyzIsUnavailable) {
  StandbyAnswer a = AnswerAsStandby("/readyz", "http://10.0.0.1:9797");

  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(json::parse(a.body).at("type"), "urn:incidentd:problem:unavailable");
}

TEST(StandbyTest, EveryOtherRequestIsAProblemNamingTheWriterInDetailAndMember) {
  StandbyAnswer a = AnswerAsStandby("/api/v1/incidents?state=open", "http://10.0.0.1:9797");

  json::value doc = json::parse(a.body);
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(a.content_type, "application/problem+json");
  EXPECT_EQ(doc.at("status"), 503);
  EXPECT_EQ(doc.at("writer"), "http://10.0.0.1:9797");
  EXPECT_NE(std::string(doc.at("detail").as_string()).find("http://10.0.0.1:9797"), std::string::npos);
}

TEST(StandbyTest, AnUnknownWriterIsNull) {
  StandbyAnswer a = AnswerAsStandby("/v2/enqueue", "");

  EXPECT_EQ(a.status, 503);
  EXPECT_TRUE(json::parse(a.body).at("writer").is_null());
}

}  // namespace
}  // namespace http
