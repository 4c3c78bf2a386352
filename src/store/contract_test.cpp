#include "store/contract_test.h"

#include <limits>
#include <optional>
#include <utility>

namespace store {
namespace contract {

using engine::AlertRow;
using engine::IncidentQuery;
using engine::IncidentRow;
using engine::Projection;
using engine::StoredRecord;
using engine::TimelineRow;

constexpr int64_t kEpochMs = 1'700'000'000'000;

StoredRecord MakeRecord(uint64_t seq) {
  StoredRecord r;
  r.seq = seq;
  r.type = static_cast<uint16_t>(seq % 7 + 1);
  r.time = core::FromUnixMillis(kEpochMs + static_cast<int64_t>(seq) * 1000);
  r.bytes = std::string("\x01\x00rec-", 6) + std::to_string(seq) + std::string("\xff\x00", 2);
  for (size_t i = 0; i < r.hash.size(); ++i) r.hash[i] = static_cast<uint8_t>(seq * 31 + i * 7);
  return r;
}

std::vector<StoredRecord> MakeRecords(uint64_t first_seq, size_t count) {
  std::vector<StoredRecord> records;
  for (size_t i = 0; i < count; ++i) records.push_back(MakeRecord(first_seq + i));
  return records;
}

IncidentRow MakeIncident(uint64_t id, std::string state, std::string service, std::string severity) {
  IncidentRow row;
  row.id = id;
  row.service = std::move(service);
  row.group_key = "group-" + std::to_string(id);
  row.title = "Incident " + std::to_string(id);
  row.severity = std::move(severity);
  row.state = std::move(state);
  row.opened_at = core::FromUnixMillis(kEpochMs + static_cast<int64_t>(id));
  row.alert_count = 2;
  row.open_alert_count = 1;
  row.last_seq = id;
  row.last_actor = "system";
  row.category = id % 2 == 0 ? "outage" : "security";
  row.subcategory = id % 2 == 0 ? "partial" : "";
  row.category_rule = "rule-" + std::to_string(id);
  row.major_reason = id % 3 == 0 ? "3 services affected" : "";
  return row;
}

AlertRow MakeAlert(uint64_t id, uint64_t incident_id) {
  AlertRow row;
  row.service = "api";
  row.dedup_key = "key-" + std::to_string(id);
  row.id = id;
  row.incident_id = incident_id;
  row.status = "triggered";
  row.summary = "disk full on db-" + std::to_string(id);
  row.source = "prometheus";
  row.severity = "error";
  row.created_at = core::FromUnixMillis(kEpochMs + static_cast<int64_t>(id));
  row.updated_at = row.created_at + core::Duration(500);
  row.event_count = 1;
  row.details_json = R"({"component":"db"})";
  return row;
}

TimelineRow MakeEntry(uint64_t incident_id, uint64_t seq, std::string kind) {
  return TimelineRow{incident_id,  seq,  core::FromUnixMillis(kEpochMs + static_cast<int64_t>(seq)),
                     "user:alice", kind, "entry " + std::to_string(seq) + " " + kind};
}

core::Status AppendNext(engine::Store& store, const Projection& projection) {
  auto head = store.Head();
  if (!head.ok()) return head.error();
  StoredRecord record = MakeRecord(head->seq + 1);
  return store.Append(std::span(&record, 1), projection);
}

std::vector<StoredRecord> ScanAll(engine::Store& store, uint64_t after_seq) {
  std::vector<StoredRecord> out;
  core::Status st = store.ScanJournal(after_seq, [&](const StoredRecord& r) {
    out.push_back(r);
    return core::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.error().message;
  return out;
}

::testing::AssertionResult SameRecord(const StoredRecord& expected, const StoredRecord& actual) {
  if (expected.seq != actual.seq) return ::testing::AssertionFailure() << "seq " << actual.seq;
  if (expected.type != actual.type) return ::testing::AssertionFailure() << "type of " << actual.seq;
  if (expected.time != actual.time) return ::testing::AssertionFailure() << "time of " << actual.seq;
  if (expected.bytes != actual.bytes) return ::testing::AssertionFailure() << "bytes of " << actual.seq;
  if (expected.hash != actual.hash) return ::testing::AssertionFailure() << "hash of " << actual.seq;
  return ::testing::AssertionSuccess();
}

}  // namespace contract

namespace {

using namespace contract;  // NOLINT: the builders are this file's vocabulary
using engine::IncidentQuery;
using engine::Projection;
using engine::StoredRecord;

std::vector<uint64_t> Ids(const engine::IncidentPage& page) {
  std::vector<uint64_t> ids;
  for (const auto& row : page.incidents) ids.push_back(row.id);
  return ids;
}

std::vector<std::string> Kinds(const std::vector<engine::TimelineRow>& rows) {
  std::vector<std::string> kinds;
  for (const auto& row : rows) kinds.push_back(row.kind);
  return kinds;
}

// Stores incidents 1..count, cycling through states, services and severities so filters have work to do.
void SeedIncidents(engine::Store& store, uint64_t count) {
  const char* states[] = {"triggered", "acknowledged", "resolved", "closed"};
  const char* services[] = {"api", "db"};
  const char* severities[] = {"critical", "warning", "info"};
  Projection projection;
  for (uint64_t id = 1; id <= count; ++id) {
    projection.incidents.push_back(MakeIncident(id, states[id % 4], services[id % 2], severities[id % 3]));
  }
  ASSERT_TRUE(AppendNext(store, projection).ok());
}

TEST_P(StoreContractTest, EmptyStoreHasZeroHeadAndNoRecords) {
  auto head = store().Head();

  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 0u);
  EXPECT_EQ(head->hash, journal::Hash{});
  EXPECT_TRUE(ScanAll(store()).empty());
}

TEST_P(StoreContractTest, ScanReturnsAppendedRecordsByteForByteInOrder) {
  auto records = MakeRecords(1, 5);

  ASSERT_TRUE(store().Append(records, {}).ok());
  auto scanned = ScanAll(store());

  ASSERT_EQ(scanned.size(), 5u);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_TRUE(SameRecord(records[i], scanned[i]));
}

TEST_P(StoreContractTest, HeadIsTheLastAppendedRecord) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 3), {}).ok());
  ASSERT_TRUE(store().Append(MakeRecords(4, 2), {}).ok());

  auto head = store().Head();

  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, 5u);
  EXPECT_EQ(head->hash, MakeRecord(5).hash);
}

TEST_P(StoreContractTest, ScanStartsAfterTheGivenSeq) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 6), {}).ok());

  auto scanned = ScanAll(store(), 4);

  ASSERT_EQ(scanned.size(), 2u);
  EXPECT_EQ(scanned[0].seq, 5u);
  EXPECT_EQ(scanned[1].seq, 6u);
}

TEST_P(StoreContractTest, ScanFromHeadOrBeyondVisitsNothing) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 3), {}).ok());

  EXPECT_TRUE(ScanAll(store(), 3).empty());
  EXPECT_TRUE(ScanAll(store(), 100).empty());
  EXPECT_TRUE(ScanAll(store(), std::numeric_limits<uint64_t>::max()).empty());
}

TEST_P(StoreContractTest, ScanVisitsLongJournalWithoutGaps) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 1300), {}).ok());

  auto scanned = ScanAll(store(), 7);

  ASSERT_EQ(scanned.size(), 1293u);
  for (size_t i = 0; i < scanned.size(); ++i) ASSERT_EQ(scanned[i].seq, 8 + i);
}

TEST_P(StoreContractTest, ScanStopsAtVisitorErrorAndReturnsIt) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 10), {}).ok());
  std::vector<uint64_t> visited;

  core::Status st = store().ScanJournal(0, [&](const StoredRecord& r) -> core::Status {
    visited.push_back(r.seq);
    if (r.seq == 3) return core::Corrupt("record 3: broken link");
    return core::Ok();
  });

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kCorrupt);
  EXPECT_EQ(st.error().message, "record 3: broken link");
  EXPECT_EQ(visited, (std::vector<uint64_t>{1, 2, 3}));
}

TEST_P(StoreContractTest, VisitorMayQueryTheStoreDuringAScan) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 20), {}).ok());
  uint64_t heads_seen = 0;

  core::Status st = store().ScanJournal(0, [&](const StoredRecord&) -> core::Status {
    auto head = store().Head();
    if (!head.ok()) return head.error();
    heads_seen += head->seq;
    return core::Ok();
  });

  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(heads_seen, 20u * 20u);
}

TEST_P(StoreContractTest, AppendOnEmptyStoreMustStartAtOne) {
  auto st = store().Append(MakeRecords(2, 3), {});

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kConflict);
  EXPECT_TRUE(ScanAll(store()).empty());
}

TEST_P(StoreContractTest, AppendLeavingAGapIsConflictAndWritesNothing) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 3), {}).ok());
  Projection projection;
  projection.incidents.push_back(MakeIncident(9));
  projection.timeline.push_back(MakeEntry(9, 5, "opened"));

  auto st = store().Append(MakeRecords(5, 2), projection);

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(store().Head()->seq, 3u);
  EXPECT_EQ(store().GetIncident(9).error().code, core::ErrorCode::kNotFound);
  EXPECT_TRUE(store().Timeline(9, 0, 10)->empty());
}

TEST_P(StoreContractTest, AppendReplayingStoredSeqsIsConflictAndWritesNothing) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 3), {}).ok());
  auto replay = MakeRecords(3, 2);
  replay[0].bytes = "different";
  Projection projection;
  projection.incidents.push_back(MakeIncident(9));

  auto st = store().Append(replay, projection);

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kConflict);
  auto scanned = ScanAll(store());
  ASSERT_EQ(scanned.size(), 3u);
  EXPECT_TRUE(SameRecord(MakeRecord(3), scanned[2]));
  EXPECT_EQ(store().GetIncident(9).error().code, core::ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, AppendWithNonConsecutiveBatchIsInvalidAndWritesNothing) {
  std::vector<StoredRecord> records = {MakeRecord(1), MakeRecord(2), MakeRecord(4)};

  auto st = store().Append(records, {});

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kInvalid);
  EXPECT_TRUE(ScanAll(store()).empty());
}

TEST_P(StoreContractTest, EmptyAppendSucceedsAndChangesNothing) {
  ASSERT_TRUE(store().Append(MakeRecords(1, 2), {}).ok());

  auto st = store().Append({}, {});

  ASSERT_TRUE(st.ok());
  EXPECT_EQ(store().Head()->seq, 2u);
}

TEST_P(StoreContractTest, EmptyValuesRoundTrip) {
  StoredRecord record = MakeRecord(1);
  record.bytes.clear();
  IncidentRow incident;
  incident.id = 1;

  ASSERT_TRUE(store().Append(std::span(&record, 1), Projection{{incident}, {}, {}}).ok());

  auto scanned = ScanAll(store());
  ASSERT_EQ(scanned.size(), 1u);
  EXPECT_TRUE(SameRecord(record, scanned[0]));
  EXPECT_EQ(store().GetIncident(1).value(), incident);
}

TEST_P(StoreContractTest, IncidentUpsertKeepsTheLatestRow) {
  ASSERT_TRUE(AppendNext(store(), Projection{{MakeIncident(7)}, {}, {}}).ok());
  IncidentRow updated = MakeIncident(7, "acknowledged", "db", "warning");
  updated.title = "Renamed";
  updated.acknowledged_at = core::FromUnixMillis(kEpochMs + 60'000);
  updated.last_seq = 2;
  updated.last_actor = "user:bob";

  ASSERT_TRUE(AppendNext(store(), Projection{{updated}, {}, {}}).ok());
  auto got = store().GetIncident(7);

  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, updated);
  EXPECT_EQ(store().ListIncidents({})->incidents.size(), 1u);
}

TEST_P(StoreContractTest, LaterRowForTheSameIdInOneBatchWins) {
  IncidentRow first = MakeIncident(3, "triggered");
  IncidentRow second = MakeIncident(3, "resolved");
  AlertRow alert_first = MakeAlert(11, 3);
  AlertRow alert_second = MakeAlert(11, 3);
  alert_second.status = "resolved";

  ASSERT_TRUE(AppendNext(store(), Projection{{first, second}, {alert_first, alert_second}, {}}).ok());

  EXPECT_EQ(store().GetIncident(3)->state, "resolved");
  auto alerts = store().IncidentAlerts(3);
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].status, "resolved");
}

TEST_P(StoreContractTest, OptionalIncidentTimestampsRoundTrip) {
  IncidentRow row = MakeIncident(4, "closed");
  row.acknowledged_at = core::FromUnixMillis(kEpochMs + 1);
  row.resolved_at = core::FromUnixMillis(kEpochMs + 2);
  row.closed_at = core::FromUnixMillis(0);  // the epoch itself is a value, not "absent"

  ASSERT_TRUE(AppendNext(store(), Projection{{row}, {}, {}}).ok());

  EXPECT_EQ(store().GetIncident(4).value(), row);
}

TEST_P(StoreContractTest, ClearedOptionalTimestampReadsBackAsAbsent) {
  IncidentRow resolved = MakeIncident(4, "resolved");
  resolved.resolved_at = core::FromUnixMillis(kEpochMs + 2);
  ASSERT_TRUE(AppendNext(store(), Projection{{resolved}, {}, {}}).ok());
  IncidentRow reopened = MakeIncident(4, "triggered");

  ASSERT_TRUE(AppendNext(store(), Projection{{reopened}, {}, {}}).ok());

  EXPECT_EQ(store().GetIncident(4)->resolved_at, std::nullopt);
}

TEST_P(StoreContractTest, AlertUpsertKeepsTheLatestRow) {
  ASSERT_TRUE(AppendNext(store(), Projection{{}, {MakeAlert(5, 1)}, {}}).ok());
  AlertRow updated = MakeAlert(5, 1);
  updated.status = "acknowledged";
  updated.event_count = 12;
  updated.updated_at = updated.created_at + core::Duration(90'000);
  updated.details_json = R"({"custom_details":{"free":"0%"}})";

  ASSERT_TRUE(AppendNext(store(), Projection{{}, {updated}, {}}).ok());
  auto alerts = store().IncidentAlerts(1);

  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0], updated);
}

TEST_P(StoreContractTest, AlertRowWithoutTextKeepsTheStoredText) {
  AlertRow first = MakeAlert(5, 1);
  first.details_json = R"({"labels":{"alertname":"X"}})";
  ASSERT_TRUE(AppendNext(store(), Projection{{}, {first}, {}}).ok());
  AlertRow status_only = MakeAlert(5, 1);
  status_only.text = false;
  status_only.status = "resolved";
  status_only.summary.clear();
  status_only.source.clear();
  status_only.details_json.clear();

  ASSERT_TRUE(AppendNext(store(), Projection{{}, {status_only}, {}}).ok());
  auto alerts = store().IncidentAlerts(1);

  ASSERT_TRUE(alerts.ok());
  AlertRow expected = first;
  expected.status = "resolved";
  EXPECT_EQ((*alerts)[0], expected);
}

TEST_P(StoreContractTest, RetriggerTextWithEmptySourceAndDetailsKeepsThem) {
  AlertRow first = MakeAlert(5, 1);
  first.details_json = R"({"component":"db"})";
  ASSERT_TRUE(AppendNext(store(), Projection{{}, {first}, {}}).ok());
  AlertRow retrigger = first;
  retrigger.summary = "worse now";
  retrigger.source.clear();
  retrigger.details_json.clear();
  retrigger.event_count = 2;

  ASSERT_TRUE(AppendNext(store(), Projection{{}, {retrigger}, {}}).ok());
  auto alerts = store().IncidentAlerts(1);

  ASSERT_TRUE(alerts.ok());
  AlertRow expected = first;
  expected.summary = "worse now";
  expected.event_count = 2;
  EXPECT_EQ((*alerts)[0], expected);
}

TEST_P(StoreContractTest, IncidentAlertsAreOldestFirstAndOnlyThatIncidents) {
  Projection projection;
  projection.alerts = {MakeAlert(30, 1), MakeAlert(10, 1), MakeAlert(20, 2), MakeAlert(15, 1)};

  ASSERT_TRUE(AppendNext(store(), projection).ok());
  auto alerts = store().IncidentAlerts(1);

  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 3u);
  EXPECT_EQ((*alerts)[0], MakeAlert(10, 1));
  EXPECT_EQ((*alerts)[1].id, 15u);
  EXPECT_EQ((*alerts)[2].id, 30u);
  EXPECT_TRUE(store().IncidentAlerts(99)->empty());
}

TEST_P(StoreContractTest, TimelineIsInSeqOrderWhateverTheInsertOrder) {
  ASSERT_TRUE(AppendNext(store(), Projection{{}, {}, {MakeEntry(1, 5, "note"), MakeEntry(2, 6, "opened")}}).ok());
  ASSERT_TRUE(AppendNext(store(), Projection{{}, {}, {MakeEntry(1, 3, "opened"), MakeEntry(1, 9, "resolved")}}).ok());

  auto timeline = store().Timeline(1, 0, 100);

  ASSERT_TRUE(timeline.ok());
  ASSERT_EQ(timeline->size(), 3u);
  EXPECT_EQ((*timeline)[0], MakeEntry(1, 3, "opened"));
  EXPECT_EQ((*timeline)[1], MakeEntry(1, 5, "note"));
  EXPECT_EQ((*timeline)[2], MakeEntry(1, 9, "resolved"));
}

TEST_P(StoreContractTest, TimelineEntriesSharingASeqKeepInsertionOrder) {
  Projection projection;
  projection.timeline = {MakeEntry(1, 4, "opened"), MakeEntry(1, 4, "alert_triggered"), MakeEntry(1, 4, "paged")};

  ASSERT_TRUE(AppendNext(store(), projection).ok());
  auto timeline = store().Timeline(1, 0, 100);

  ASSERT_TRUE(timeline.ok());
  EXPECT_EQ(Kinds(*timeline), (std::vector<std::string>{"opened", "alert_triggered", "paged"}));
}

TEST_P(StoreContractTest, TimelineReturnsAtMostLimitEntriesAfterTheGivenSeq) {
  Projection projection;
  for (uint64_t seq = 1; seq <= 10; ++seq) projection.timeline.push_back(MakeEntry(1, seq, "e" + std::to_string(seq)));
  ASSERT_TRUE(AppendNext(store(), projection).ok());

  auto page = store().Timeline(1, 4, 3);
  auto rest = store().Timeline(1, 7, 100);
  auto none = store().Timeline(1, 4, 0);

  EXPECT_EQ(Kinds(*page), (std::vector<std::string>{"e5", "e6", "e7"}));
  EXPECT_EQ(Kinds(*rest), (std::vector<std::string>{"e8", "e9", "e10"}));
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(store().Timeline(1, std::numeric_limits<uint64_t>::max(), 10)->empty());
  EXPECT_TRUE(store().Timeline(2, 0, 10)->empty());
}

TEST_P(StoreContractTest, WindowAlertsListsWhatAWindowSuppressedAndKeepsItAfterTheAlertLeaves) {
  AlertRow held = MakeAlert(1, 0);
  held.suppressed_by = "window-a";
  held.explanation = "suppressed by maintenance window 'a'";
  AlertRow other = MakeAlert(2, 7);
  AlertRow later = MakeAlert(3, 0);
  later.suppressed_by = "window-a";
  ASSERT_TRUE(AppendNext(store(), Projection{{}, {held, other, later}, {}}).ok());
  // The first one enters an incident when the window ends: an upsert without window or explanation keeps both.
  AlertRow linked = MakeAlert(1, 9);
  ASSERT_TRUE(AppendNext(store(), Projection{{}, {linked}, {}}).ok());

  auto rows = store().WindowAlerts(std::string("window-") + "a", 10);
  auto limited = store().WindowAlerts("window-a", 1);
  auto none = store().WindowAlerts("window-b", 10);

  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->at(0).id, 1u);
  EXPECT_EQ(rows->at(0).incident_id, 9u);
  EXPECT_EQ(rows->at(0).suppressed_by, "window-a");
  EXPECT_EQ(rows->at(0).explanation, "suppressed by maintenance window 'a'");
  EXPECT_EQ(rows->at(1).id, 3u);
  EXPECT_EQ(limited->size(), 1u);
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContractTest, GetIncidentOfUnknownIdIsNotFound) {
  ASSERT_TRUE(AppendNext(store(), Projection{{MakeIncident(1)}, {}, {}}).ok());

  auto missing = store().GetIncident(2);
  auto huge = store().GetIncident(std::numeric_limits<uint64_t>::max());

  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, core::ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, ListIncidentsIsNewestFirst) {
  ASSERT_TRUE(AppendNext(store(), Projection{{MakeIncident(2), MakeIncident(9), MakeIncident(5)}, {}, {}}).ok());

  auto page = store().ListIncidents({});

  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), (std::vector<uint64_t>{9, 5, 2}));
  EXPECT_EQ(page->next_before_id, 0u);
  EXPECT_EQ(page->incidents[0], MakeIncident(9));
}

TEST_P(StoreContractTest, ListIncidentsMatchesAnyOfTheGivenStates) {
  SeedIncidents(store(), 12);
  IncidentQuery query;
  query.states = {"triggered", "resolved", "resolved", "no-such-state"};

  auto page = store().ListIncidents(query);

  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), (std::vector<uint64_t>{12, 10, 8, 6, 4, 2}));
}

TEST_P(StoreContractTest, ListIncidentsFiltersByServiceAndSeverityTogether) {
  SeedIncidents(store(), 12);
  IncidentQuery query;
  query.service = "db";         // odd ids
  query.severity = "critical";  // ids divisible by 3

  auto page = store().ListIncidents(query);

  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), (std::vector<uint64_t>{9, 3}));
}

TEST_P(StoreContractTest, ListIncidentsWithNoMatchIsAnEmptyLastPage) {
  SeedIncidents(store(), 4);
  IncidentQuery query;
  query.service = "nope";

  auto page = store().ListIncidents(query);

  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->incidents.empty());
  EXPECT_EQ(page->next_before_id, 0u);
}

TEST_P(StoreContractTest, ListIncidentsPagesWithNextBeforeId) {
  SeedIncidents(store(), 7);
  IncidentQuery query;
  query.limit = 3;

  auto first = store().ListIncidents(query);
  query.before_id = first->next_before_id;
  auto second = store().ListIncidents(query);
  query.before_id = second->next_before_id;
  auto last = store().ListIncidents(query);

  EXPECT_EQ(Ids(*first), (std::vector<uint64_t>{7, 6, 5}));
  EXPECT_EQ(first->next_before_id, 5u);
  EXPECT_EQ(Ids(*second), (std::vector<uint64_t>{4, 3, 2}));
  EXPECT_EQ(second->next_before_id, 2u);
  EXPECT_EQ(Ids(*last), (std::vector<uint64_t>{1}));
  EXPECT_EQ(last->next_before_id, 0u);
}

TEST_P(StoreContractTest, ListIncidentsFullLastPageHasNoNextPage) {
  SeedIncidents(store(), 6);
  IncidentQuery query;
  query.limit = 3;
  query.before_id = 4;

  auto page = store().ListIncidents(query);

  EXPECT_EQ(Ids(*page), (std::vector<uint64_t>{3, 2, 1}));
  EXPECT_EQ(page->next_before_id, 0u);
}

TEST_P(StoreContractTest, ListIncidentsPagesThroughFilteredResults) {
  SeedIncidents(store(), 20);
  IncidentQuery query;
  query.states = {"acknowledged", "closed"};  // odd ids
  query.limit = 4;

  auto first = store().ListIncidents(query);
  query.before_id = first->next_before_id;
  auto second = store().ListIncidents(query);
  query.before_id = second->next_before_id;
  auto last = store().ListIncidents(query);

  EXPECT_EQ(Ids(*first), (std::vector<uint64_t>{19, 17, 15, 13}));
  EXPECT_EQ(Ids(*second), (std::vector<uint64_t>{11, 9, 7, 5}));
  EXPECT_EQ(Ids(*last), (std::vector<uint64_t>{3, 1}));
  EXPECT_EQ(last->next_before_id, 0u);
}

TEST_P(StoreContractTest, ListIncidentsWithHugeBeforeIdStartsFromTheNewest) {
  SeedIncidents(store(), 3);
  IncidentQuery query;
  query.before_id = std::numeric_limits<uint64_t>::max();

  auto page = store().ListIncidents(query);

  EXPECT_EQ(Ids(*page), (std::vector<uint64_t>{3, 2, 1}));
}

TEST_P(StoreContractTest, ListIncidentsTreatsZeroLimitAsOne) {
  SeedIncidents(store(), 3);
  IncidentQuery query;
  query.limit = 0;

  auto page = store().ListIncidents(query);

  EXPECT_EQ(Ids(*page), (std::vector<uint64_t>{3}));
  EXPECT_EQ(page->next_before_id, 3u);
}

TEST_P(StoreContractTest, ListIncidentsCapsLimitAt500) {
  SeedIncidents(store(), 502);
  IncidentQuery query;
  query.limit = 100'000;

  auto page = store().ListIncidents(query);

  ASSERT_EQ(page->incidents.size(), 500u);
  EXPECT_EQ(page->incidents.front().id, 502u);
  EXPECT_EQ(page->next_before_id, 3u);
}

TEST_P(StoreContractTest, LatestSnapshotIsAbsentWhenNoneWasSaved) {
  auto latest = store().LatestSnapshot();

  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
}

TEST_P(StoreContractTest, LatestSnapshotIsTheOneWithTheHighestSeq) {
  for (uint64_t seq : {5, 9, 7, 2}) {
    engine::Snapshot snapshot{seq, MakeRecord(seq).hash, core::FromUnixMillis(kEpochMs),
                              "state@" + std::to_string(seq)};
    ASSERT_TRUE(store().SaveSnapshot(snapshot).ok());
  }

  auto latest = store().LatestSnapshot();

  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->seq, 9u);
  EXPECT_EQ((*latest)->state, "state@9");
}

TEST_P(StoreContractTest, SnapshotRoundTripsEveryField) {
  engine::Snapshot snapshot{42, MakeRecord(42).hash, core::FromUnixMillis(kEpochMs + 123),
                            std::string("\x00\x01binary\xff", 9)};

  ASSERT_TRUE(store().SaveSnapshot(snapshot).ok());
  auto latest = store().LatestSnapshot();

  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->seq, snapshot.seq);
  EXPECT_EQ((*latest)->hash, snapshot.hash);
  EXPECT_EQ((*latest)->taken_at, snapshot.taken_at);
  EXPECT_EQ((*latest)->state, snapshot.state);
}

TEST_P(StoreContractTest, SnapshotWithAnExistingSeqReplacesIt) {
  ASSERT_TRUE(store().SaveSnapshot({8, {}, core::FromUnixMillis(1), "old"}).ok());

  ASSERT_TRUE(store().SaveSnapshot({8, {}, core::FromUnixMillis(2), "new"}).ok());
  auto latest = store().LatestSnapshot();

  EXPECT_EQ((*latest)->state, "new");
  EXPECT_EQ((*latest)->taken_at, core::FromUnixMillis(2));
}

}  // namespace
}  // namespace store
