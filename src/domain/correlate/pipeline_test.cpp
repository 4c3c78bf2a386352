#include "domain/correlate/pipeline.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace correlate {
namespace {

using namespace std::chrono_literals;
using Kind = AlertChange::Kind;

const std::string kSilence1 = "5b0c3c52-0000-4000-8000-000000000001";
const std::string kSilence2 = "5b0c3c52-0000-4000-8000-000000000002";

const core::LabelSet kLatencyWeb1{{"alertname", "HighLatency"}, {"instance", "web-1"}};
const core::LabelSet kLatencyWeb2{{"alertname", "HighLatency"}, {"instance", "web-2"}};
const core::LabelSet kDiskDb1{{"alertname", "DiskFull"}, {"instance", "db-1"}, {"team", "db"}};
const core::LabelSet kDiskDb2{{"alertname", "DiskFull"}, {"instance", "db-2"}, {"team", "db"}};
const core::LabelSet kMaintenance{{"alertname", "Maintenance"}, {"instance", "web-1"}};

core::Matcher Eq(std::string name, std::string value) {
  return core::Matcher::Create(std::move(name), core::MatchType::kEqual, std::move(value)).value();
}

ingest::PostableAlert Firing(const core::LabelSet& labels, const core::LabelSet& annotations = {}) {
  ingest::PostableAlert a;
  a.labels = labels;
  a.annotations = annotations;
  return a;
}

ingest::PostableAlert EndingAt(const core::LabelSet& labels, core::Timestamp ends_at) {
  ingest::PostableAlert a = Firing(labels);
  a.ends_at = ends_at;
  return a;
}

ingest::WebhookAlert Hooked(const core::LabelSet& labels, bool firing = true) {
  ingest::WebhookAlert a;
  a.firing = firing;
  a.labels = labels;
  a.fingerprint = labels.Fingerprint();
  return a;
}

ingest::WebhookPayload Webhook(std::string group_key, std::vector<ingest::WebhookAlert> alerts) {
  ingest::WebhookPayload p;
  p.group_key = std::move(group_key);
  p.receiver = "incidentd";
  p.alerts = std::move(alerts);
  return p;
}

PostableSilence SilencePost(std::vector<core::Matcher> matchers, core::Timestamp starts, core::Timestamp ends) {
  PostableSilence p;
  p.matchers = std::move(matchers);
  p.starts_at = starts;
  p.ends_at = ends;
  p.created_by = "alice";
  p.comment = "maintenance";
  return p;
}

// Folds one record of either module, as the engine's state does.
core::Status Fold(incident::Model& incidents, Model& alerts, const journal::Record& record) {
  if (record.type >= kFirstType && record.type <= kLastType) return Apply(alerts, record);
  return incident::Apply(incidents, record, nullptr);
}

std::string RecordName(uint16_t type) { return type >= kFirstType ? TypeName(type) : incident::TypeName(type); }

// Links and applies decisions the way Engine::Batch does, with a clock the test
// moves.
class Harness : public Emitter {
 public:
  explicit Harness(bool with_routes = true) {
    incident::ServiceConfig prometheus;
    prometheus.name = "prometheus";
    incident::ServiceConfig db;
    db.name = "db";
    services = incident::Config({prometheus, db});
    if (with_routes) {
      Route to_db;
      to_db.service = "db";
      to_db.matchers = {Eq("team", "db")};
      to_db.group_by = {"alertname", "instance"};
      Route catch_all;
      catch_all.service = "prometheus";
      catch_all.group_by = {"alertname"};
      config.routes = {to_db, catch_all};
    }
  }

  uint64_t Emit(const incident::Payload& payload) override {
    return Link(static_cast<uint16_t>(incident::TypeOf(payload)), incident::PayloadVersion(incident::TypeOf(payload)),
                incident::EncodePayload(payload));
  }
  uint64_t Emit(const Payload& payload) override {
    return Link(static_cast<uint16_t>(TypeOf(payload)), kPayloadVersion, EncodePayload(payload));
  }
  core::Timestamp now() const override { return now_; }
  void Advance(core::Duration d) { now_ += d; }

  View view() const { return View{alerts, incidents, config, services}; }

  core::Result<PostSummary> Post(const std::vector<ingest::PostableAlert>& batch) {
    return PostAlerts(view(), batch, *this);
  }
  // As the HTTP edge posts: with the alerts prepared beforehand.
  core::Result<PostSummary> PostPrepared(const std::vector<ingest::PostableAlert>& batch, bool with_text) {
    std::vector<Prepared> prepared = Prepare(batch);
    if (with_text) {
      for (size_t i = 0; i < batch.size(); ++i) PrepareText(batch[i], prepared[i]);
    }
    return PostAlerts(view(), batch, *this, &prepared);
  }
  core::Result<PostSummary> Receive(std::string_view service, const ingest::WebhookPayload& payload) {
    return ReceiveWebhook(view(), service, payload, *this);
  }
  core::Result<std::string> Silence(const PostableSilence& post, std::string id) {
    return PostSilence(view(), post, std::move(id), *this);
  }
  void Timers() { FireTimers(view(), *this); }

  const LabeledAlert* Held(const core::LabelSet& labels) const { return alerts.Find(labels.Fingerprint()); }
  // The incident the held alert feeds (0 when muted or its incident alert is resolved).
  uint64_t IncidentIdOf(const core::LabelSet& labels) const {
    const LabeledAlert* a = Held(labels);
    if (a == nullptr) return 0;
    auto it = incidents.alerts.find(a->alert_id);
    return it == incidents.alerts.end() ? 0 : it->second.incident_id;
  }
  const incident::Incident* IncidentOf(const core::LabelSet& labels) const {
    return incidents.FindIncident(IncidentIdOf(labels));
  }

  std::vector<std::string> TypesSince(size_t from) const {
    std::vector<std::string> out;
    for (size_t i = from; i < records.size(); ++i) out.push_back(RecordName(records[i].type));
    return out;
  }
  // The alerts.changed records written since `from`, decoded.
  std::vector<AlertsChanged> ChangesSince(size_t from) const {
    std::vector<AlertsChanged> out;
    for (size_t i = from; i < records.size(); ++i) {
      if (records[i].type != static_cast<uint16_t>(RecordType::kAlertsChanged)) continue;
      auto p = DecodePayload(records[i].type, records[i].version, records[i].payload);
      EXPECT_TRUE(p.ok());
      if (p.ok()) out.push_back(std::get<AlertsChanged>(p.value()));
    }
    return out;
  }

  incident::Config services;
  Config config;
  incident::Model incidents;
  Model alerts;
  std::vector<journal::Record> records;

 private:
  uint64_t Link(uint16_t type, uint16_t version, std::string payload) {
    journal::Record r;
    r.time = now_;
    r.actor = "test";
    r.type = type;
    r.version = version;
    r.payload = std::move(payload);
    chain_.Link(r);
    core::Status st = Fold(incidents, alerts, r);
    EXPECT_TRUE(st.ok()) << RecordName(type) << ": " << (st.ok() ? "" : st.error().message);
    records.push_back(r);
    return r.seq;
  }

  journal::Chain chain_;
  core::Timestamp now_ = core::FromUnixMillis(1'800'000'000'000);
};

TEST(PipelineTest, NewAlertOpensAnIncidentInTheRoutedServiceGroupedByTheRouteLabels) {
  Harness h;

  auto sum = h.Post({Firing(kLatencyWeb1)});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->opened, 1u);
  const incident::Incident* inc = h.IncidentOf(kLatencyWeb1);
  ASSERT_NE(inc, nullptr);
  EXPECT_EQ(inc->service, "prometheus");
  EXPECT_EQ(inc->group_key, "alertname=\"HighLatency\"");
  EXPECT_EQ(inc->open_alerts.size(), 1u);
  EXPECT_EQ(h.TypesSince(0), (std::vector<std::string>{"incident.opened", "alert.triggered", "alerts.changed"}));
}

TEST(PipelineTest, NewAlertRecordsItsFingerprintAndLabelsAsEscapedJsonDetails) {
  Harness h;
  const core::LabelSet labels{{"alertname", "Quote\"d"}, {"instance", "web-1\n\\x"}};

  ASSERT_TRUE(h.Post({Firing(labels)}).ok());

  ASSERT_EQ(h.TypesSince(0)[1], "alert.triggered");
  auto p = incident::DecodePayload(h.records[1].type, h.records[1].version, h.records[1].payload);
  ASSERT_TRUE(p.ok());
  const auto& triggered = std::get<incident::AlertTriggered>(p.value());
  EXPECT_EQ(triggered.details_json, "{\"fingerprint\":\"" + core::FingerprintHex(labels.Fingerprint()) +
                                        "\",\"labels\":{\"alertname\":\"Quote\\\"d\",\"instance\":\"web-1\\n\\\\x\"}}");
}

TEST(PipelineTest, DetailsEscapeEveryCharacterAsBoostJsonSerializes) {
  // The details text is composed by hand; records written before that hold boost::json's escaping, and a replay
  // must see the same bytes either way.
  std::string every_ascii;
  for (int c = 0; c < 0x80; ++c) every_ascii += static_cast<char>(c);
  const core::LabelSet labels{{"alertname", "Escapes"},
                              {"ascii", every_ascii},
                              {"text", "Grüße, 日本, 😀 \"quoted\" C:\\path\tend"},
                              {"name\"odd", ""}};

  Harness h;
  ASSERT_TRUE(h.Post({Firing(labels)}).ok());
  Harness prepared;
  ASSERT_TRUE(prepared.PostPrepared({Firing(labels)}, true).ok());

  std::string expected = "{\"fingerprint\":\"" + core::FingerprintHex(labels.Fingerprint()) + "\",\"labels\":{";
  bool first = true;
  for (const auto& [n, v] : labels.labels()) {
    if (!first) expected += ',';
    first = false;
    expected += boost::json::serialize(boost::json::string_view(n)) + ":" +
                boost::json::serialize(boost::json::string_view(v));
  }
  expected += "}}";
  for (Harness* run : {&h, &prepared}) {
    ASSERT_EQ(run->TypesSince(0)[1], "alert.triggered");
    auto p = incident::DecodePayload(run->records[1].type, run->records[1].version, run->records[1].payload);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(std::get<incident::AlertTriggered>(p.value()).details_json, expected);
    EXPECT_TRUE(boost::json::parse(expected).at("labels").at("ascii").as_string() == every_ascii);
  }
}

TEST(PipelineTest, PreparedAlertsWriteTheSameRecordsAsAlertsPreparedByTheWriter) {
  Harness plain;
  Harness prepared;
  Harness without_text;
  const core::LabelSet note{{"summary", "disk at 91%"}};
  const std::vector<std::vector<ingest::PostableAlert>> requests = {
      {Firing(kLatencyWeb1), Firing(kDiskDb1), Firing(kLatencyWeb1)},  // new, new, the same again
      {Firing(kLatencyWeb1), Firing(kDiskDb1, note)},                  // a re-send, an update
      {EndingAt(kLatencyWeb2, plain.now() - 1s), Firing(kDiskDb2)},    // not held and ended, new
  };

  for (const auto& request : requests) {
    for (Harness* h : {&plain, &prepared, &without_text}) h->Advance(2s);
    ASSERT_TRUE(plain.Post(request).ok());
    ASSERT_TRUE(prepared.PostPrepared(request, true).ok());
    ASSERT_TRUE(without_text.PostPrepared(request, false).ok());
  }

  ASSERT_GE(plain.records.size(), 8u);
  for (const Harness* h : {&prepared, &without_text}) {
    ASSERT_EQ(h->records.size(), plain.records.size());
    for (size_t i = 0; i < plain.records.size(); ++i) {
      EXPECT_EQ(h->records[i].type, plain.records[i].type) << "record " << i;
      EXPECT_EQ(h->records[i].payload, plain.records[i].payload) << "record " << i;
    }
  }
}

TEST(PipelineTest, PreparedAlertsThatDoNotMatchThePostedOnesAreRefusedAndWriteNothing) {
  Harness h;
  std::vector<Prepared> prepared = Prepare({Firing(kLatencyWeb1)});

  auto sum = PostAlerts(h.view(), {Firing(kLatencyWeb1), Firing(kDiskDb1)}, h, &prepared);

  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.error().code, core::ErrorCode::kInvalid);
  EXPECT_TRUE(h.records.empty());
}

TEST(PipelineTest, SecondAlertWithTheSameAlertnameJoinsTheOpenIncident) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());

  auto sum = h.Post({Firing(kLatencyWeb2)});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->opened, 1u);
  EXPECT_EQ(h.IncidentIdOf(kLatencyWeb2), h.IncidentIdOf(kLatencyWeb1));
  EXPECT_EQ(h.IncidentOf(kLatencyWeb1)->open_alerts.size(), 2u);
  EXPECT_EQ(h.incidents.incidents.size(), 1u);
}

TEST(PipelineTest, TeamDbAlertGoesToDbGroupedByAlertnameAndInstance) {
  Harness h;

  auto sum = h.Post({Firing(kDiskDb1), Firing(kDiskDb2)});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->opened, 2u);
  const incident::Incident* first = h.IncidentOf(kDiskDb1);
  const incident::Incident* second = h.IncidentOf(kDiskDb2);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(first->service, "db");
  EXPECT_EQ(first->group_key, "alertname=\"DiskFull\", instance=\"db-1\"");
  EXPECT_NE(first->id, second->id);
}

TEST(PipelineTest, ResendWithNewAnnotationsUpdatesTheAlertWithoutOpeningAnything) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1, {{"summary", "p99 at 2s"}})}).ok());
  h.Advance(1min);
  size_t before = h.records.size();

  auto sum = h.Post({Firing(kLatencyWeb1, {{"summary", "p99 at 3s"}})});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->opened, 0u);
  EXPECT_EQ(sum->updated, 1u);
  EXPECT_EQ(h.TypesSince(before), (std::vector<std::string>{"alerts.changed"}));
  auto changes = h.ChangesSince(before);
  ASSERT_EQ(changes.size(), 1u);
  ASSERT_EQ(changes[0].changes.size(), 1u);
  EXPECT_EQ(changes[0].changes[0].kind, Kind::kUpdate);
  EXPECT_EQ(DecodeContent(h.alerts.ContentOf(*h.Held(kLatencyWeb1))).annotations.Get("summary"), "p99 at 3s");
  EXPECT_EQ(h.Held(kLatencyWeb1)->ends_at, h.now() + 5min);
}

TEST(PipelineTest, UnchangedResendOnlyRefreshesEndsAtInOneRecordPerCall) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1), Firing(kDiskDb1)}).ok());
  h.Advance(1min);
  size_t before = h.records.size();

  auto sum = h.Post({Firing(kLatencyWeb1), Firing(kDiskDb1)});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->updated, 2u);
  EXPECT_EQ(h.TypesSince(before), (std::vector<std::string>{"alerts.changed"}));
  auto changes = h.ChangesSince(before);
  ASSERT_EQ(changes.size(), 1u);
  ASSERT_EQ(changes[0].changes.size(), 2u);
  EXPECT_EQ(changes[0].changes[0].kind, Kind::kRefresh);
  EXPECT_EQ(changes[0].changes[1].kind, Kind::kRefresh);
  EXPECT_EQ(h.Held(kLatencyWeb1)->ends_at, h.now() + 5min);
  EXPECT_EQ(h.Held(kLatencyWeb1)->updated_at, h.now());
}

TEST(PipelineTest, AnUnchangedResendWithinASecondOfItsLastRecordWritesNothing) {
  Harness h;
  const ingest::PostableAlert alert = EndingAt(kLatencyWeb1, h.now() + 1h);
  ASSERT_TRUE(h.Post({alert}).ok());
  const core::Timestamp recorded = h.Held(kLatencyWeb1)->updated_at;
  h.Advance(500ms);
  const size_t before = h.records.size();

  auto quiet = h.Post({alert});
  const size_t after_quiet = h.records.size();
  h.Advance(600ms);
  auto later = h.Post({alert});

  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->updated, 1u);
  EXPECT_EQ(after_quiet, before);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(h.TypesSince(before), (std::vector<std::string>{"alerts.changed"}));
  ASSERT_EQ(h.ChangesSince(before).size(), 1u);
  EXPECT_EQ(h.ChangesSince(before)[0].changes[0].kind, Kind::kRefresh);
  EXPECT_NE(h.Held(kLatencyWeb1)->updated_at, recorded);
  EXPECT_EQ(h.Held(kLatencyWeb1)->updated_at, h.now());
}

// The re-send cache (engine/resend_cache.h) answers from a stamp what PostAlerts would decide: for each way a
// re-send can differ, QuietResend against the stamp taken after the last record says "quiet" exactly when posting it
// writes nothing.
TEST(PipelineTest, QuietResendAgainstTheStampAgreesWithWhetherPostAlertsWritesARecord) {
  struct Case {
    const char* name;
    core::Duration after;
    std::function<ingest::PostableAlert(core::Timestamp first_now, core::Timestamp now)> resend;
  };
  const auto ending = [](core::Timestamp first_now, core::Duration d) { return EndingAt(kLatencyWeb1, first_now + d); };
  const std::vector<Case> cases = {
      {"identical", 300ms, [&](auto t0, auto) { return ending(t0, 1h); }},
      {"identical, a second later", 1s, [&](auto t0, auto) { return ending(t0, 1h); }},
      {"endsAt later", 300ms, [&](auto t0, auto) { return ending(t0, 2h); }},
      {"endsAt earlier (the client's later end wins)", 300ms, [&](auto t0, auto) { return ending(t0, 30min); }},
      {"resolved", 300ms, [&](auto, auto now) { return EndingAt(kLatencyWeb1, now - 1s); }},
      {"annotations changed", 300ms,
       [&](auto t0, auto) {
         ingest::PostableAlert a = ending(t0, 1h);
         a.annotations = core::LabelSet{{"summary", "worse"}};
         return a;
       }},
      {"generatorURL changed", 300ms,
       [&](auto t0, auto) {
         ingest::PostableAlert a = ending(t0, 1h);
         a.generator_url = "http://prometheus/graph";
         return a;
       }},
      {"startsAt earlier", 300ms,
       [&](auto t0, auto) {
         ingest::PostableAlert a = ending(t0, 1h);
         a.starts_at = t0 - 1h;
         return a;
       }},
      {"no endsAt (resolve_timeout)", 300ms, [&](auto, auto) { return Firing(kLatencyWeb1); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h;
    const core::Timestamp first_now = h.now();
    ASSERT_TRUE(h.Post({ending(first_now, 1h)}).ok());
    const std::optional<QuietStamp> stamp = QuietStampOf(h.view(), kLatencyWeb1.Fingerprint());
    ASSERT_TRUE(stamp.has_value());
    h.Advance(c.after);
    const ingest::PostableAlert resend = c.resend(first_now, h.now());
    const std::vector<Prepared> prepared = Prepare({resend});
    const bool quiet = QuietResend(*stamp, resend, prepared[0], h.now(), h.config.resolve_timeout);
    const size_t before = h.records.size();

    auto sum = h.Post({resend});

    ASSERT_TRUE(sum.ok());
    EXPECT_EQ(sum->resent, (std::vector<uint64_t>{kLatencyWeb1.Fingerprint()}));
    EXPECT_EQ(quiet, h.records.size() == before);
  }
}

TEST(PipelineTest, NoStampForAnAlertWhoseIncidentWasResolvedByHandOrThatCameFromAWebhook) {
  Harness h;
  ASSERT_TRUE(h.Post({EndingAt(kLatencyWeb1, h.now() + 1h)}).ok());
  ASSERT_TRUE(h.Receive("prometheus", Webhook("{}:{alertname=\"DiskFull\"}", {Hooked(kDiskDb1)})).ok());
  ASSERT_TRUE(QuietStampOf(h.view(), kLatencyWeb1.Fingerprint()).has_value());
  const uint64_t incident_id = h.IncidentIdOf(kLatencyWeb1);

  ASSERT_TRUE(incident::Resolve(h.incidents, h.services, incident_id, "fixed", h).ok());

  EXPECT_FALSE(QuietStampOf(h.view(), kLatencyWeb1.Fingerprint()).has_value());
  EXPECT_FALSE(QuietStampOf(h.view(), kDiskDb1.Fingerprint()).has_value());  // not an API alert's key
  EXPECT_FALSE(QuietStampOf(h.view(), 12345).has_value());
}

TEST(PipelineTest, AResendWithinASecondIsRecordedWhenItsEndsAtOrAnnotationsMove) {
  Harness h;
  ASSERT_TRUE(h.Post({EndingAt(kLatencyWeb1, h.now() + 1h)}).ok());
  h.Advance(100ms);
  const size_t before = h.records.size();

  ASSERT_TRUE(h.Post({EndingAt(kLatencyWeb1, h.now() + 2h)}).ok());
  const size_t after_ends = h.records.size();
  h.Advance(100ms);
  ingest::PostableAlert annotated = EndingAt(kLatencyWeb1, h.now() + 2h - 100ms);
  annotated.annotations = core::LabelSet{{"summary", "p99 at 4s"}};
  ASSERT_TRUE(h.Post({annotated}).ok());

  EXPECT_EQ(after_ends, before + 1);
  EXPECT_EQ(h.records.size(), before + 2);
  EXPECT_EQ(h.Held(kLatencyWeb1)->ends_at, h.now() + 2h - 100ms);
  EXPECT_EQ(DecodeContent(h.alerts.ContentOf(*h.Held(kLatencyWeb1))).annotations.Get("summary"), "p99 at 4s");
}

TEST(PipelineTest, ResendKeepsTheEarliestStartsAt) {
  Harness h;
  const core::Timestamp first_start = h.now() - 10min;
  ingest::PostableAlert first = Firing(kLatencyWeb1);
  first.starts_at = first_start;
  ASSERT_TRUE(h.Post({first}).ok());
  h.Advance(1min);
  ingest::PostableAlert resend = Firing(kLatencyWeb1);
  resend.starts_at = h.now();

  ASSERT_TRUE(h.Post({resend}).ok());

  EXPECT_EQ(h.Held(kLatencyWeb1)->starts_at, first_start);
}

TEST(PipelineTest, ResendWithAnEarlierStartsAtMovesTheStartBack) {
  Harness h;
  ingest::PostableAlert first = Firing(kLatencyWeb1);
  first.starts_at = h.now();
  ASSERT_TRUE(h.Post({first}).ok());
  h.Advance(1min);
  ingest::PostableAlert resend = Firing(kLatencyWeb1);
  const core::Timestamp earlier = h.now() - 30min;
  resend.starts_at = earlier;

  ASSERT_TRUE(h.Post({resend}).ok());

  EXPECT_EQ(h.Held(kLatencyWeb1)->starts_at, earlier);
}

TEST(PipelineTest, RefireAfterAResolveInTheSameBatchStartsFresh) {
  Harness h;
  ingest::PostableAlert first = Firing(kLatencyWeb1);
  first.starts_at = h.now();
  ASSERT_TRUE(h.Post({first}).ok());
  h.Advance(10min);
  ingest::PostableAlert resolved = Firing(kLatencyWeb1);
  resolved.ends_at = h.now() - 1s;
  ingest::PostableAlert refire = Firing(kLatencyWeb1);
  refire.starts_at = h.now();

  ASSERT_TRUE(h.Post({resolved, refire}).ok());

  EXPECT_EQ(h.Held(kLatencyWeb1)->starts_at, h.now());
}

TEST(PipelineTest, FireTimersBeforeResolveTimeoutAfterTheLastUpdateChangesNothing) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());
  h.Advance(2min);
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());  // now ends at +7min
  h.Advance(5min - 1ms);
  size_t before = h.records.size();

  h.Timers();

  EXPECT_EQ(h.records.size(), before);
  ASSERT_NE(h.Held(kLatencyWeb1), nullptr);
  EXPECT_EQ(h.IncidentOf(kLatencyWeb1)->state, incident::State::kTriggered);
}

TEST(PipelineTest, FireTimersAfterResolveTimeoutResolvesTheAlertAndItsIncident) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());
  uint64_t incident_id = h.IncidentIdOf(kLatencyWeb1);
  h.Advance(2min);
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());
  h.Advance(5min);
  size_t before = h.records.size();

  h.Timers();

  EXPECT_EQ(h.Held(kLatencyWeb1), nullptr);
  EXPECT_EQ(h.incidents.FindIncident(incident_id)->state, incident::State::kResolved);
  EXPECT_EQ(h.TypesSince(before), (std::vector<std::string>{"alert.resolved", "incident.resolved", "alerts.changed"}));
  EXPECT_EQ(h.ChangesSince(before)[0].cause, Cause::kTimer);
}

TEST(PipelineTest, TimedOutAlertLeavesItsIncidentOpenWhileAnotherAlertFires) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1), Firing(kLatencyWeb2)}).ok());
  uint64_t incident_id = h.IncidentIdOf(kLatencyWeb1);
  h.Advance(4min);
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb2)}).ok());
  h.Advance(1min);

  h.Timers();

  EXPECT_EQ(h.Held(kLatencyWeb1), nullptr);
  ASSERT_NE(h.Held(kLatencyWeb2), nullptr);
  EXPECT_EQ(h.incidents.FindIncident(incident_id)->state, incident::State::kTriggered);
  EXPECT_EQ(h.incidents.FindIncident(incident_id)->open_alerts.size(), 1u);
}

TEST(PipelineTest, EarlierExplicitEndsAtDoesNotShortenALaterExplicitOne) {
  Harness h;
  const core::Timestamp late = h.now() + 2h;
  ASSERT_TRUE(h.Post({EndingAt(kLatencyWeb1, late)}).ok());
  h.Advance(1min);

  ASSERT_TRUE(h.Post({EndingAt(kLatencyWeb1, h.now() + 30min)}).ok());

  EXPECT_EQ(h.Held(kLatencyWeb1)->ends_at, late);
  EXPECT_FALSE(h.Held(kLatencyWeb1)->timeout);
}

TEST(PipelineTest, ExplicitEndsAtReplacesATimeoutBasedOne) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());  // ends at +5min by the timeout
  h.Advance(1min);
  const core::Timestamp soon = h.now() + 1min;

  ASSERT_TRUE(h.Post({EndingAt(kLatencyWeb1, soon)}).ok());

  EXPECT_EQ(h.Held(kLatencyWeb1)->ends_at, soon);
  EXPECT_FALSE(h.Held(kLatencyWeb1)->timeout);
}

TEST(PipelineTest, AlertPostedWithPastEndsAtResolvesTheHeldAlertAndItsIncident) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());
  uint64_t incident_id = h.IncidentIdOf(kLatencyWeb1);
  h.Advance(1min);
  size_t before = h.records.size();

  auto sum = h.Post({EndingAt(kLatencyWeb1, h.now() - 1s)});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->resolved, 1u);
  EXPECT_EQ(h.Held(kLatencyWeb1), nullptr);
  EXPECT_EQ(h.incidents.FindIncident(incident_id)->state, incident::State::kResolved);
  EXPECT_EQ(h.TypesSince(before), (std::vector<std::string>{"alert.resolved", "incident.resolved", "alerts.changed"}));
}

TEST(PipelineTest, ResolvedAlertThatIsNotHeldIsIgnoredWithoutAnyRecord) {
  Harness h;

  auto sum = h.Post({EndingAt(kLatencyWeb1, h.now() - 1min)});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->ignored, 1u);
  EXPECT_TRUE(h.records.empty());
  EXPECT_TRUE(h.alerts.alerts.empty());
}

TEST(PipelineTest, SilencedNewAlertIsMutedAndKeptOutOfIncidents) {
  Harness h;
  ASSERT_TRUE(h.Silence(SilencePost({Eq("alertname", "Maintenance")}, h.now(), h.now() + 1h), kSilence1).ok());

  auto sum = h.Post({Firing(kMaintenance)});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->muted, 1u);
  EXPECT_EQ(sum->opened, 0u);
  ASSERT_NE(h.Held(kMaintenance), nullptr);
  EXPECT_TRUE(h.Held(kMaintenance)->muted());
  EXPECT_EQ(h.Held(kMaintenance)->muted_until, h.now() + 1h);
  EXPECT_TRUE(h.incidents.incidents.empty());
  EXPECT_EQ(SilencedBy(h.alerts, kMaintenance, h.now()), (std::vector<std::string>{kSilence1}));
}

TEST(PipelineTest, ExpiringASilenceLinksTheMutedAlertAtOnce) {
  Harness h;
  ASSERT_TRUE(h.Silence(SilencePost({Eq("alertname", "Maintenance")}, h.now(), h.now() + 1h), kSilence1).ok());
  ASSERT_TRUE(h.Post({EndingAt(kMaintenance, h.now() + 3h)}).ok());
  h.Advance(10min);
  size_t before = h.records.size();

  ASSERT_TRUE(ExpireSilence(h.view(), kSilence1, h).ok());

  ASSERT_NE(h.Held(kMaintenance), nullptr);
  EXPECT_FALSE(h.Held(kMaintenance)->muted());
  ASSERT_NE(h.IncidentOf(kMaintenance), nullptr);
  EXPECT_EQ(h.IncidentOf(kMaintenance)->service, "prometheus");
  EXPECT_EQ(h.TypesSince(before),
            (std::vector<std::string>{"silence.saved", "incident.opened", "alert.triggered", "alerts.changed",
                              "notification.requested"}));
  EXPECT_EQ(h.ChangesSince(before)[0].changes[0].kind, Kind::kLink);
}

TEST(PipelineTest, MutedAlertEntersAnIncidentWhenFireTimersRunsAfterTheSilenceEnds) {
  Harness h;
  ASSERT_TRUE(h.Silence(SilencePost({Eq("alertname", "Maintenance")}, h.now(), h.now() + 1h), kSilence1).ok());
  ASSERT_TRUE(h.Post({EndingAt(kMaintenance, h.now() + 3h)}).ok());
  h.Advance(1h);

  h.Timers();

  ASSERT_NE(h.Held(kMaintenance), nullptr);
  EXPECT_FALSE(h.Held(kMaintenance)->muted());
  ASSERT_NE(h.IncidentOf(kMaintenance), nullptr);
  EXPECT_EQ(h.IncidentOf(kMaintenance)->state, incident::State::kTriggered);
  EXPECT_TRUE(h.alerts.mutes.empty());
}

TEST(PipelineTest, AlertThatEndsWhileMutedResolvesWithoutAnIncidentWhenBothTimersAreDue) {
  Harness h;
  ASSERT_TRUE(h.Silence(SilencePost({Eq("alertname", "Maintenance")}, h.now(), h.now() + 1h), kSilence1).ok());
  ASSERT_TRUE(h.Post({Firing(kMaintenance)}).ok());  // ends at +5min, muted until +1h
  h.Advance(2h);

  h.Timers();

  EXPECT_EQ(h.Held(kMaintenance), nullptr);
  EXPECT_TRUE(h.alerts.mutes.empty());
  EXPECT_TRUE(h.incidents.incidents.empty());
}

TEST(PipelineTest, UpdatingASilencesMatchersExpiresTheOldOneAndCreatesANewId) {
  Harness h;
  ASSERT_TRUE(h.Silence(SilencePost({Eq("alertname", "Maintenance")}, h.now(), h.now() + 1h), kSilence1).ok());
  h.Advance(1min);
  PostableSilence update = SilencePost({Eq("alertname", "HighLatency")}, h.now(), h.now() + 1h);
  update.id = kSilence1;

  auto id = h.Silence(update, kSilence2);

  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id.value(), kSilence2);
  ASSERT_EQ(h.alerts.silences.size(), 2u);
  EXPECT_EQ(h.alerts.silences.at(kSilence1).StateAt(h.now()), SilenceState::kExpired);
  EXPECT_EQ(h.alerts.silences.at(kSilence2).StateAt(h.now()), SilenceState::kActive);
  EXPECT_EQ(SilencedBy(h.alerts, kLatencyWeb1, h.now()), (std::vector<std::string>{kSilence2}));
}

TEST(PipelineTest, ResendAfterAPersonResolvedTheIncidentOpensANewIncident) {
  Harness h;
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());
  uint64_t first = h.IncidentIdOf(kLatencyWeb1);
  ASSERT_TRUE(incident::Resolve(h.incidents, h.services, first, "restarted the proxy", h).ok());
  h.Advance(1min);

  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1)}).ok());

  uint64_t second = h.IncidentIdOf(kLatencyWeb1);
  EXPECT_NE(second, first);
  EXPECT_EQ(h.incidents.FindIncident(first)->state, incident::State::kResolved);
  ASSERT_NE(h.incidents.FindIncident(second), nullptr);
  EXPECT_EQ(h.incidents.FindIncident(second)->state, incident::State::kTriggered);
  EXPECT_EQ(h.incidents.alerts.count(h.Held(kLatencyWeb1)->alert_id), 1u);
}

TEST(PipelineTest, WebhookFiringAlertsUpsertByGroupKeyAndFingerprint) {
  Harness h;
  const std::string group = "{}:{alertname=\"DiskFull\"}";
  ASSERT_TRUE(h.Receive("db", Webhook(group, {Hooked(kDiskDb1), Hooked(kDiskDb2)})).ok());

  auto again = h.Receive("db", Webhook(group, {Hooked(kDiskDb1), Hooked(kDiskDb2)}));
  auto other_group = h.Receive("db", Webhook("{}:{instance=\"db-1\"}", {Hooked(kDiskDb1)}));

  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->opened, 0u);
  EXPECT_EQ(again->updated, 2u);
  ASSERT_TRUE(other_group.ok());
  EXPECT_EQ(other_group->opened, 1u);
  EXPECT_EQ(h.alerts.alerts.size(), 3u);
  ASSERT_EQ(h.incidents.incidents.size(), 2u);
  EXPECT_NE(h.incidents.FindOpenGroup("db", group), 0u);
  EXPECT_EQ(h.incidents.FindIncident(h.incidents.FindOpenGroup("db", group))->open_alerts.size(), 2u);
}

TEST(PipelineTest, WebhookAlertMissingFromALaterPayloadStaysOpen) {
  Harness h;
  const std::string group = "{}:{alertname=\"DiskFull\"}";
  ASSERT_TRUE(h.Receive("db", Webhook(group, {Hooked(kDiskDb1), Hooked(kDiskDb2)})).ok());
  h.Advance(1h);

  ASSERT_TRUE(h.Receive("db", Webhook(group, {Hooked(kDiskDb1)})).ok());
  h.Timers();

  EXPECT_EQ(h.alerts.alerts.size(), 2u);
  EXPECT_EQ(h.incidents.FindIncident(h.incidents.FindOpenGroup("db", group))->open_alerts.size(), 2u);
}

TEST(PipelineTest, WebhookStatusResolvedResolvesTheAlertAndItsIncident) {
  Harness h;
  const std::string group = "{}:{alertname=\"DiskFull\"}";
  ASSERT_TRUE(h.Receive("db", Webhook(group, {Hooked(kDiskDb1)})).ok());
  uint64_t incident_id = h.incidents.FindOpenGroup("db", group);
  h.Advance(5min);

  auto sum = h.Receive("db", Webhook(group, {Hooked(kDiskDb1, false)}));

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->resolved, 1u);
  EXPECT_TRUE(h.alerts.alerts.empty());
  EXPECT_EQ(h.incidents.FindIncident(incident_id)->state, incident::State::kResolved);
}

TEST(PipelineTest, WebhookForAnUnknownServiceIsNotFound) {
  Harness h;

  auto sum = h.Receive("payments", Webhook("{}:{}", {Hooked(kDiskDb1)}));

  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.error().code, core::ErrorCode::kNotFound);
  EXPECT_TRUE(h.records.empty());
}

TEST(PipelineTest, PostAlertsWithNoRoutesIsUnavailableAndWritesNothing) {
  Harness h(/*with_routes=*/false);

  auto sum = h.Post({Firing(kLatencyWeb1)});

  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.error().code, core::ErrorCode::kUnavailable);
  EXPECT_TRUE(h.records.empty());
}

TEST(PipelineTest, DuplicateFingerprintInOneBatchHoldsOneAlert) {
  Harness h;

  auto sum = h.Post({Firing(kLatencyWeb1, {{"summary", "first"}}), Firing(kLatencyWeb1, {{"summary", "second"}})});

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->opened, 1u);
  EXPECT_EQ(sum->updated, 1u);
  EXPECT_EQ(h.alerts.alerts.size(), 1u);
  EXPECT_EQ(h.incidents.alerts.size(), 1u);
  EXPECT_EQ(DecodeContent(h.alerts.ContentOf(*h.Held(kLatencyWeb1))).annotations.Get("summary"), "second");
}

// Touches every kind of change: new, update, refresh, resolve, link and mute,
// silences saved and dropped.
void RunScenario(Harness& h) {
  ASSERT_TRUE(h.Silence(SilencePost({Eq("alertname", "Maintenance")}, h.now(), h.now() + 1h), kSilence1).ok());
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1, {{"summary", "slow"}}), Firing(kDiskDb1), Firing(kMaintenance),
                      EndingAt(kDiskDb2, h.now() + 3h)})
                  .ok());
  ASSERT_TRUE(h.Receive("db", Webhook("{}:{alertname=\"DiskFull\"}", {Hooked(kDiskDb1), Hooked(kDiskDb2)})).ok());
  h.Advance(2min);
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1, {{"summary", "slower"}}), Firing(kDiskDb1), Firing(kMaintenance)}).ok());
  ASSERT_TRUE(incident::Resolve(h.incidents, h.services, h.IncidentIdOf(kDiskDb1), "", h).ok());
  ASSERT_TRUE(h.Post({Firing(kDiskDb1)}).ok());
  PostableSilence longer = SilencePost({Eq("alertname", "Maintenance")}, h.now(), h.now() + 2h);
  longer.id = kSilence1;
  auto carrier = h.Silence(longer, kSilence2);
  ASSERT_TRUE(carrier.ok());
  ASSERT_TRUE(h.Post({Firing(kMaintenance)}).ok());
  h.Advance(10min);
  h.Timers();
  ASSERT_TRUE(h.Post({EndingAt(kLatencyWeb2, h.now() + 1h)}).ok());
  ASSERT_TRUE(ExpireSilence(h.view(), carrier.value(), h).ok());
  ASSERT_TRUE(h.Receive("db", Webhook("{}:{alertname=\"DiskFull\"}", {Hooked(kDiskDb2, false)})).ok());
  h.Advance(121h);
  h.Timers();
}

TEST(PipelineTest, ReplayingTheRecordsRebuildsTheLiveModels) {
  Harness h;
  RunScenario(h);
  std::set<Kind> kinds;
  for (const auto& record : h.ChangesSince(0)) {
    for (const auto& c : record.changes) kinds.insert(c.kind);
  }
  ASSERT_EQ(kinds.size(), 6u);  // the scenario covers every kind of change
  incident::Model incidents;
  Model alerts;

  for (const auto& r : h.records) ASSERT_TRUE(Fold(incidents, alerts, r).ok()) << RecordName(r.type);

  EXPECT_EQ(EncodeModel(alerts), EncodeModel(h.alerts));
  EXPECT_EQ(alerts.expiries, h.alerts.expiries);
  EXPECT_EQ(alerts.mutes, h.alerts.mutes);
  EXPECT_EQ(incident::EncodeModel(incidents), incident::EncodeModel(h.incidents));
}

TEST(PipelineTest, EncodeModelAndDecodeModelRoundTrip) {
  Harness h;
  ASSERT_TRUE(h.Silence(SilencePost({Eq("alertname", "Maintenance")}, h.now(), h.now() + 1h), kSilence1).ok());
  ASSERT_TRUE(h.Post({Firing(kLatencyWeb1), Firing(kMaintenance)}).ok());
  ASSERT_TRUE(h.Receive("db", Webhook("{}:{alertname=\"DiskFull\"}", {Hooked(kDiskDb1)})).ok());

  auto decoded = DecodeModel(EncodeModel(h.alerts));

  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(EncodeModel(decoded.value()), EncodeModel(h.alerts));
  // Packed content depends on which template each side built first; compare what it stands for.
  ASSERT_EQ(decoded->alerts.size(), h.alerts.alerts.size());
  for (const auto& [key, live] : h.alerts.alerts) {
    const LabeledAlert* back = decoded->Find(key);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(decoded->ContentOf(*back), h.alerts.ContentOf(live));
    LabeledAlert a = live, b = *back;
    a.packed.clear();
    b.packed.clear();
    EXPECT_EQ(a, b);
  }
  EXPECT_EQ(decoded->expiries, h.alerts.expiries);
  EXPECT_EQ(decoded->mutes, h.alerts.mutes);
  EXPECT_EQ(decoded->silence_drops, h.alerts.silence_drops);
}

TEST(ContentTableTest, AlertsOfOneShapeShareATemplateAndKeepOnlyTheirDifferences) {
  ContentTable table;
  std::string a = EncodeContent(core::LabelSet{{"alertname", "DiskFull"}, {"instance", "db-1"}},
                                core::LabelSet{{"description", std::string(200, 'd')}}, "http://prom/graph");
  std::string b = EncodeContent(core::LabelSet{{"alertname", "DiskFull"}, {"instance", "db-2"}},
                                core::LabelSet{{"description", std::string(200, 'd')}}, "http://prom/graph");

  std::string pa = table.Pack(a);
  std::string pb = table.Pack(b);

  EXPECT_EQ(table.Unpack(pa), a);
  EXPECT_EQ(table.Unpack(pb), b);
  EXPECT_EQ(table.template_count(), 1u);
  EXPECT_LT(pb.size(), 16u);
}

TEST(ContentTableTest, ATemplateIsForgottenWithItsLastAlertAndOtherShapesGetTheirOwn) {
  ContentTable table;
  std::string a = EncodeContent(core::LabelSet{{"alertname", "A"}}, {}, "");
  std::string b = EncodeContent(core::LabelSet{{"alertname", "B"}, {"job", "x"}}, {}, "");
  std::string pa = table.Pack(a);
  std::string pb = table.Pack(b);
  ASSERT_EQ(table.template_count(), 2u);

  table.Release(pa);

  EXPECT_EQ(table.template_count(), 1u);
  EXPECT_EQ(table.Unpack(pb), b);
}

}  // namespace
}  // namespace correlate
