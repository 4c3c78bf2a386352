#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "http/problem.h"

namespace http {
namespace {

namespace json = boost::json;

TEST(ProblemTest, EveryErrorCodeMapsToTheDocumentedStatus) {
  EXPECT_EQ(ProblemFor(core::ErrorCode::kInvalid).status, 400);
  EXPECT_EQ(ProblemFor(core::ErrorCode::kUnauthenticated).status, 401);
  EXPECT_EQ(ProblemFor(core::ErrorCode::kDenied).status, 403);
  EXPECT_EQ(ProblemFor(core::ErrorCode::kNotFound).status, 404);
  EXPECT_EQ(ProblemFor(core::ErrorCode::kConflict).status, 409);
  EXPECT_EQ(ProblemFor(core::ErrorCode::kOverloaded).status, 429);
  EXPECT_EQ(ProblemFor(core::ErrorCode::kUnavailable).status, 503);
  EXPECT_EQ(ProblemFor(core::ErrorCode::kInternal).status, 500);
  EXPECT_EQ(ProblemFor(core::ErrorCode::kCorrupt).status, 500);
  EXPECT_STREQ(ProblemFor(core::ErrorCode::kConflict).code, "conflict");
}

TEST(ProblemTest, DocumentCarriesTypeTitleStatusDetailAndField) {
  std::string body = ProblemJson(core::Invalid("payload.severity must be one of ...", "/payload/severity"));

  json::value doc = json::parse(body);
  EXPECT_EQ(doc.at("type"), "urn:incidentd:problem:invalid");
  EXPECT_EQ(doc.at("title"), "Invalid request");
  EXPECT_EQ(doc.at("status"), 400);
  EXPECT_EQ(doc.at("detail"), "payload.severity must be one of ...");
  EXPECT_EQ(doc.at("field"), "/payload/severity");
}

TEST(ProblemTest, FieldIsOmittedWhenUnknown) {
  json::value doc = json::parse(ProblemJson(core::NotFound("no incident 7")));

  EXPECT_FALSE(doc.as_object().contains("field"));
  EXPECT_EQ(doc.at("type"), "urn:incidentd:problem:not_found");
}

TEST(ProblemTest, InternalDetailsStayOutOfTheBody) {
  std::string body = ProblemJson(core::Internal("sqlite: disk I/O error at /var/lib/incidentd/db"));

  EXPECT_EQ(body.find("sqlite"), std::string::npos);
  EXPECT_EQ(json::parse(body).at("status"), 500);
}

TEST(ProblemTest, ExtrasAddMessageAndErrors) {
  ProblemExtras extras{"Event object is invalid", {"payload.summary is required", "routing_key is required"}};

  json::value doc =
      json::parse(ProblemJson(kInvalidRequest, "payload.summary is required", "/payload/summary", &extras));

  EXPECT_EQ(doc.at("message"), "Event object is invalid");
  EXPECT_EQ(doc.at("errors").as_array().size(), 2u);
}

}  // namespace
TEST(ProblemMediaTypeTest, IsProblemJsonUnlessTheClientOnlyTakesApplicationJson) {
  EXPECT_EQ(ProblemMediaType(""), "application/problem+json");
  EXPECT_EQ(ProblemMediaType("*/*"), "application/problem+json");
  EXPECT_EQ(ProblemMediaType("application/problem+json, application/json"), "application/problem+json");
  EXPECT_EQ(ProblemMediaType("text/html"), "application/problem+json");
  EXPECT_EQ(ProblemMediaType("application/json"), "application/json");
  EXPECT_EQ(ProblemMediaType("Application/JSON; charset=utf-8"), "application/json");
}

}  // namespace http
