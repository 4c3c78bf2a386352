#include "domain/incident/records.h"

#include <gtest/gtest.h>

namespace incident {
namespace {

template <typename T>
T RoundTrip(const T& payload) {
  Payload p = payload;
  std::string bytes = EncodePayload(p);
  auto decoded = DecodePayload(static_cast<uint16_t>(TypeOf(p)), kPayloadVersion, bytes);
  EXPECT_TRUE(decoded.ok());
  return std::get<T>(decoded.value());
}

TEST(RecordsTest, EveryPayloadRoundTrips) {
  auto opened = RoundTrip(IncidentOpened{7, "checkout", "db-1", "db down", ingest::Severity::kCritical});
  auto triggered = RoundTrip(AlertTriggered{7, "checkout", "k", "sum", "src", ingest::Severity::kWarning, "{}"});
  auto resolved = RoundTrip(IncidentResolved{7, "rolled back", 123456});
  auto dropped = RoundTrip(EventDropped{"checkout", "k", ingest::Action::kResolve, "why"});

  EXPECT_EQ(opened.group_key, "db-1");
  EXPECT_EQ(opened.severity, ingest::Severity::kCritical);
  EXPECT_EQ(triggered.details_json, "{}");
  EXPECT_EQ(resolved.close_at_ms, 123456);
  EXPECT_EQ(dropped.action, ingest::Action::kResolve);
}

TEST(RecordsTest, TypeTagsAreStableAndNamed) {
  EXPECT_EQ(static_cast<int>(TypeOf(NoteAdded{})), 10);
  EXPECT_STREQ(TypeName(1), "incident.opened");
  EXPECT_STREQ(TypeName(12), "event.dropped");
  EXPECT_STREQ(TypeName(999), "unknown");
}

TEST(RecordsTest, UnknownTypeVersionOrTruncationIsCorruption) {
  std::string bytes = EncodePayload(NoteAdded{1, "text"});

  EXPECT_EQ(DecodePayload(999, 1, bytes).error().code, core::ErrorCode::kCorrupt);
  EXPECT_EQ(DecodePayload(10, 2, bytes).error().code, core::ErrorCode::kCorrupt);
  EXPECT_EQ(DecodePayload(10, 1, bytes.substr(0, 3)).error().code, core::ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace incident
