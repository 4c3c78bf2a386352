#include "domain/incident/records.h"

#include <gtest/gtest.h>

#include "journal/codec.h"

namespace incident {
namespace {

AlertTriggered Triggered() {
  AlertTriggered t;
  t.incident_id = 7;
  t.service = "checkout";
  t.dedup_key = "k";
  t.summary = "sum";
  t.source = "src";
  t.severity = ingest::Severity::kWarning;
  t.details_json = "{}";
  return t;
}

template <typename T>
T RoundTrip(const T& payload) {
  Payload p = payload;
  std::string bytes = EncodePayload(p);
  auto decoded = DecodePayload(static_cast<uint16_t>(TypeOf(p)), PayloadVersion(TypeOf(p)), bytes);
  EXPECT_TRUE(decoded.ok());
  return std::get<T>(decoded.value());
}

TEST(RecordsTest, EveryPayloadRoundTrips) {
  auto opened = RoundTrip(IncidentOpened{7, "checkout", "db-1", "db down", ingest::Severity::kCritical});
  auto triggered = RoundTrip(Triggered());
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

TEST(RecordsTest, CorrelationFieldsAndNewRecordsRoundTrip) {
  AlertTriggered t = Triggered();
  t.placement = Placement{Placement::Kind::kSymptom, 3, "host-dependency", "host db-1", 14000, "", ""};
  t.subject = 99;
  t.failure = true;
  t.member = 1234;
  t.notify_at_ms = 5555;
  EXPECT_EQ(RoundTrip(t).placement, t.placement);
  EXPECT_EQ(RoundTrip(t).member, 1234u);
  EXPECT_TRUE(RoundTrip(t).failure);
  auto merged = RoundTrip(IncidentMerged{4, 3, "host-dependency", "host db-1", 10000, 99, 77});
  EXPECT_EQ(merged.into, 3u);
  EXPECT_EQ(merged.notify_at_ms, 77);
  auto note = RoundTrip(NotificationRequested{3, NotificationRequested::Kind::kResolved, "resolved", "alice"});
  EXPECT_EQ(note.kind, NotificationRequested::Kind::kResolved);
  EXPECT_EQ(note.to, "alice");
  EXPECT_EQ(RoundTrip(AlertLinked{5, 3, 9, "window ended"}).reason, "window ended");
}

TEST(RecordsTest, Version1RecordsStillDecodeWithDefaults) {
  // incident.opened and alert.triggered as version 1 wrote them: the fields up to details_json only.
  journal::Writer w;
  w.U64(7);
  w.Str("checkout");
  w.Str("k");
  w.Str("sum");
  w.Str("src");
  w.U8(2);
  w.Str("{}");
  auto decoded = DecodePayload(2, 1, w.bytes());
  ASSERT_TRUE(decoded.ok());
  const auto& t = std::get<AlertTriggered>(decoded.value());
  EXPECT_EQ(t.placement.kind, Placement::Kind::kOpened);
  EXPECT_EQ(t.subject, 0u);
  EXPECT_EQ(DecodePayload(2, 3, w.bytes()).error().code, core::ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace incident
