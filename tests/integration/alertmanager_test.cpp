// Alertmanager's API v2 and webhook receiver through the real server: what Prometheus posts is stored with
// Alertmanager's fingerprints and opens incidents, filters and groups read it back, silences keep alerts out of
// incidents until they expire, bad input is refused with a problem naming the field, and all of it survives a crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/time.h"
#include "support/api.h"
#include "support/server_process.h"

namespace {

namespace json = boost::json;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using test_support::AllIncidents;
using test_support::Headers;
using test_support::HttpResponse;
using test_support::kAdminToken;
using test_support::kViewerToken;
using test_support::Must;
using test_support::NumberField;
using test_support::ParseJson;
using test_support::StringField;

// Prometheus 2.42's request body, verbatim from alertmanager-captures/prometheus_to_am.jsonl (line 16).
constexpr const char* kPrometheusTwoAlerts =
    R"json([{"annotations":{"description":"trivial always-firing rule used to capture the Prometheus -> Alertmanager POST","summary":"always firing (value 1)"},"endsAt":"2026-11-29T11:44:58.690Z","startsAt":"2026-11-29T11:44:29.690Z","generatorURL":"http://vm:29090/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1","labels":{"alertname":"AlwaysFiring","cluster":"bench","monitor":"bench","severity":"critical"}},{"annotations":{"summary":"fires 10 s out of every 20 s"},"endsAt":"2026-11-29T11:44:50.690Z","startsAt":"2026-11-29T11:44:40.690Z","generatorURL":"http://vm:29090/graph?g0.expr=vector%28time%28%29+%25+20%29+%3C+10&g0.tab=1","labels":{"alertname":"FlapEvery20s","cluster":"bench","monitor":"bench","severity":"warning"}}])json";

// Alertmanager 0.25's webhook payloads, verbatim from alertmanager-captures/webhook_examples.json.
constexpr const char* kWebhookPrometheusFiring =
    R"json({"receiver":"webhook","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"AlwaysFiring","cluster":"bench","monitor":"bench","severity":"critical"},"annotations":{"description":"trivial always-firing rule used to capture the Prometheus -> Alertmanager POST","summary":"always firing (value 1)"},"startsAt":"2026-11-29T11:44:29.69Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://vm:29090/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1","fingerprint":"ae6c7ef738097571"}],"groupLabels":{"alertname":"AlwaysFiring","cluster":"bench"},"commonLabels":{"alertname":"AlwaysFiring","cluster":"bench","monitor":"bench","severity":"critical"},"commonAnnotations":{"description":"trivial always-firing rule used to capture the Prometheus -> Alertmanager POST","summary":"always firing (value 1)"},"externalURL":"http://vm:29093","version":"4","groupKey":"{}:{alertname=\"AlwaysFiring\", cluster=\"bench\"}","truncatedAlerts":0})json";
constexpr const char* kWebhookTwoAlerts =
    R"json({"receiver":"webhook","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"GIProbe52545","cluster":"x","instance":"i1"},"annotations":{},"startsAt":"2026-11-29T11:42:27.453960556Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"cd3ba79623a077bc"},{"status":"firing","labels":{"alertname":"GIProbe52545","cluster":"x","instance":"i2"},"annotations":{},"startsAt":"2026-11-29T11:42:30.455481754Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"cd3fa79623a46093"}],"groupLabels":{"alertname":"GIProbe52545","cluster":"x"},"commonLabels":{"alertname":"GIProbe52545","cluster":"x"},"commonAnnotations":{},"externalURL":"http://vm:29093","version":"4","groupKey":"{}:{alertname=\"GIProbe52545\", cluster=\"x\"}","truncatedAlerts":0})json";

// The label set of the capture's E2_dedup probe (semantics.json), whose fingerprint Alertmanager reported.
const json::object kDedupProbeLabels{
    {"alertname", "DedupProbe52606"}, {"cluster", "x"}, {"instance", "a:1"}, {"severity", "warning"}};
constexpr const char* kDedupProbeFingerprint = "212a83c9fe4af941";
// The label sets of the kWebhookTwoAlerts alerts and the fingerprints Alertmanager sent for them. (The capture's
// prometheus_* webhook examples are not used for this: their fingerprints do not hash their own labels.)
const json::object kGiProbe1Labels{{"alertname", "GIProbe52545"}, {"cluster", "x"}, {"instance", "i1"}};
const json::object kGiProbe2Labels{{"alertname", "GIProbe52545"}, {"cluster", "x"}, {"instance", "i2"}};

constexpr const char* kUnknownSilenceId = "0b6c3f6e-3c1a-4b8e-9d7f-2a1e5c4d3b2a";

core::Timestamp Now() {
  return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
}

std::string Iso(core::Timestamp t) { return core::FormatRfc3339(t); }

json::value ParseRaw(const char* text) { return json::parse(text); }

// The captured Prometheus body with its times moved to the present: the alerts started a minute ago and, instead of
// Prometheus's send time + 4 × resend delay, end in an hour so that none resolves during the test.
std::string PrometheusBody() {
  json::value body = ParseRaw(kPrometheusTwoAlerts);
  for (auto& alert : body.as_array()) {
    alert.as_object()["startsAt"] = Iso(Now() - std::chrono::minutes(1));
    alert.as_object()["endsAt"] = Iso(Now() + std::chrono::hours(1));
  }
  return json::serialize(body);
}

// One postable alert; times are left out when not given (the server's defaults apply).
json::object Alert(json::object labels, json::object annotations = {},
                   std::optional<core::Timestamp> starts_at = std::nullopt,
                   std::optional<core::Timestamp> ends_at = std::nullopt) {
  json::object alert{{"labels", std::move(labels)}, {"annotations", std::move(annotations)}};
  if (starts_at) alert["startsAt"] = Iso(*starts_at);
  if (ends_at) alert["endsAt"] = Iso(*ends_at);
  return alert;
}

std::string Batch(std::initializer_list<json::object> alerts) {
  json::array array;
  for (const auto& alert : alerts) array.push_back(alert);
  return json::serialize(array);
}

json::object Matcher(std::string name, std::string value, bool is_regex = false, bool is_equal = true) {
  return json::object{{"name", name}, {"value", value}, {"isRegex", is_regex}, {"isEqual", is_equal}};
}

// A postable silence from now for an hour unless told otherwise.
json::object Silence(json::array matchers, core::Timestamp starts_at = Now(),
                     core::Timestamp ends_at = Now() + std::chrono::hours(1)) {
  return json::object{{"matchers", std::move(matchers)},
                      {"startsAt", Iso(starts_at)},
                      {"endsAt", Iso(ends_at)},
                      {"createdBy", "alertmanager_test"},
                      {"comment", "integration test"}};
}

// Percent-encodes a query parameter value.
std::string Encode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '_' || c == '.' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string Base64(std::string_view text) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    uint32_t n = (uint8_t(text[i]) << 16) | (uint8_t(text[i + 1]) << 8) | uint8_t(text[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 0x3F];
  }
  if (i + 1 == text.size()) {
    uint32_t n = uint8_t(text[i]) << 16;
    out += kAlphabet[(n >> 18) & 0x3F];
    out += kAlphabet[(n >> 12) & 0x3F];
    out += "==";
  } else if (i + 2 == text.size()) {
    uint32_t n = (uint8_t(text[i]) << 16) | (uint8_t(text[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += kAlphabet[(n >> shift) & 0x3F];
    out += '=';
  }
  return out;
}

std::string LabelOf(const json::value& alert, std::string_view name) {
  const auto* labels = alert.as_object().if_contains("labels");
  return labels ? StringField(*labels, name) : "";
}

std::vector<std::string> Names(const json::array& alerts, std::string_view label = "alertname") {
  std::vector<std::string> names;
  for (const auto& alert : alerts) names.push_back(LabelOf(alert, label));
  return names;
}

class AlertmanagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();
  }

  HttpResponse PostAlerts(const std::string& body) { return Must(client_.Post("/api/v2/alerts", body)); }

  void MustPostAlerts(const std::string& body) {
    HttpResponse response = PostAlerts(body);
    ASSERT_EQ(response.status, 200) << response.body;
  }

  // GET /api/v2/alerts with `query`, expecting 200 and an array.
  json::array GetAlerts(const std::string& query = "") {
    return GetArray("/api/v2/alerts" + (query.empty() ? "" : "?" + query));
  }

  json::array GetArray(const std::string& target) {
    HttpResponse response = Must(client_.Get(target));
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    json::value value = ParseJson(response.body);
    if (!value.is_array()) {
      ADD_FAILURE() << target << ": not an array: " << response.body;
      return {};
    }
    return value.as_array();
  }

  // The id the server gave the silence, or "" (and a test failure).
  std::string PostSilence(const json::object& silence) {
    HttpResponse response = Must(client_.Post("/api/v2/silences", json::serialize(silence)));
    EXPECT_EQ(response.status, 200) << response.body;
    return StringField(ParseJson(response.body), "silenceID");
  }

  json::value GetSilence(const std::string& id) {
    HttpResponse response = Must(client_.Get("/api/v2/silence/" + id));
    EXPECT_EQ(response.status, 200) << response.body;
    return ParseJson(response.body);
  }

  HttpResponse PostWebhook(const std::string& service, const std::string& body) {
    return Must(client_.Post("/api/v1/integrations/alertmanager/" + service, body));
  }

  test_support::ServerProcess server_;
  test_support::HttpClient client_{0};
};

std::string SilenceState(const json::value& silence) {
  const auto* status = silence.is_object() ? silence.as_object().if_contains("status") : nullptr;
  return status ? StringField(*status, "state") : "";
}

const json::object& StatusOf(const json::value& alert) { return alert.as_object().at("status").as_object(); }

// ---- POST and GET /api/v2/alerts

TEST_F(AlertmanagerTest, PrometheusBatchIsAcceptedWithAnEmptyBody) {
  HttpResponse response = PostAlerts(PrometheusBody());

  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");
}

TEST_F(AlertmanagerTest, PostedAlertsAreListedWithAlertmanagersFingerprintsReceiverAndState) {
  MustPostAlerts(PrometheusBody());

  const json::array alerts = GetAlerts();

  ASSERT_EQ(alerts.size(), 2u);
  for (const auto& alert : alerts) {
    const std::string name = LabelOf(alert, "alertname");
    EXPECT_THAT(StringField(alert, "fingerprint"), ::testing::MatchesRegex("[0-9a-f]{16}")) << name;
    EXPECT_EQ(alert.at("receivers"), json::parse(R"([{"name":"prometheus"}])")) << name;
    EXPECT_EQ(StringField(StatusOf(alert), "state"), "active") << name;
    EXPECT_EQ(StatusOf(alert).at("silencedBy"), json::array()) << name;
    EXPECT_EQ(StatusOf(alert).at("inhibitedBy"), json::array()) << name;
    EXPECT_EQ(LabelOf(alert, "monitor"), "bench");
    EXPECT_THAT(StringField(alert, "generatorURL"), StartsWith("http://vm:29090/graph?"));
  }
  EXPECT_THAT(Names(alerts), UnorderedElementsAre("AlwaysFiring", "FlapEvery20s"));
  EXPECT_NE(StringField(alerts[0], "fingerprint"), StringField(alerts[1], "fingerprint"));
}

TEST_F(AlertmanagerTest, FingerprintsEqualTheOnesAlertmanagerReported) {
  MustPostAlerts(Batch({Alert(kDedupProbeLabels, {{"v", "1"}}), Alert(kGiProbe1Labels), Alert(kGiProbe2Labels)}));

  std::vector<std::string> fingerprints;
  for (const auto& alert : GetAlerts()) {
    fingerprints.push_back(LabelOf(alert, "alertname") + " " + LabelOf(alert, "instance") + " " +
                           StringField(alert, "fingerprint"));
  }

  EXPECT_THAT(fingerprints, UnorderedElementsAre(std::string("DedupProbe52606 a:1 ") + kDedupProbeFingerprint,
                                                 "GIProbe52545 i1 cd3ba79623a077bc",
                                                 "GIProbe52545 i2 cd3fa79623a46093"));
}

TEST_F(AlertmanagerTest, PostedAlertsOpenOneIncidentPerAlertnameInThePrometheusService) {
  MustPostAlerts(PrometheusBody());

  const auto incidents = AllIncidents(client_, "service=prometheus");

  ASSERT_EQ(incidents.size(), 2u);
  std::vector<std::string> titles;
  for (const auto& incident : incidents) {
    titles.push_back(StringField(incident, "title"));
    EXPECT_EQ(StringField(incident, "state"), "triggered");
    EXPECT_EQ(NumberField(incident, "open_alert_count"), 1u);
  }
  EXPECT_THAT(titles, UnorderedElementsAre("AlwaysFiring", "FlapEvery20s"));
}

TEST_F(AlertmanagerTest, ResendingTheSameAlertsOpensNothingNewAndUpdatesAnnotations) {
  const core::Timestamp first_start = Now() - std::chrono::minutes(2);
  MustPostAlerts(Batch({Alert(kDedupProbeLabels, {{"v", "1"}}, first_start, Now() + std::chrono::hours(1))}));
  const auto before = AllIncidents(client_);

  MustPostAlerts(Batch({Alert(kDedupProbeLabels, {{"v", "2"}}, Now(), Now() + std::chrono::hours(2))}));

  const json::array alerts = GetAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].at("annotations"), (json::object{{"v", "2"}}));
  EXPECT_EQ(StringField(alerts[0], "startsAt"), Iso(first_start)) << "a re-send keeps the first start";
  const auto after = AllIncidents(client_);
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(NumberField(after[0], "id"), NumberField(before[0], "id"));
  EXPECT_EQ(NumberField(after[0], "alert_count"), 1u);
}

// A copy of an alert sent again unchanged within a second of the alert's last record (a retry, a second sender) is
// answered from what is durable without the writer. A change right after it is still recorded.
TEST_F(AlertmanagerTest, AnUnchangedReSendIsAnsweredWithoutTheWriterAndAChangeAfterItIsStillRecorded) {
  const core::Timestamp start = Now() - std::chrono::minutes(1);
  const core::Timestamp end = Now() + std::chrono::hours(1);
  const std::string body = Batch({Alert(kDedupProbeLabels, {{"v", "1"}}, start, end)});
  MustPostAlerts(body);
  auto metric = [&](const std::string& metric_name) {
    const std::string metrics = Must(client_.Get("/metrics")).body;
    const std::string name = "\n" + metric_name + " ";
    const size_t at = metrics.find(name);
    return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + name.size()));
  };
  auto quiet_resends = [&] { return metric("incidentd_quiet_resends_total"); };
  ASSERT_EQ(quiet_resends(), 0.0);
  EXPECT_EQ(metric("incidentd_resend_cache_entries"), 0.0);

  // The first re-send is the writer's to decide (and teaches the cache); a later one within the second is not. A
  // machine that stalls past the second makes that re-send a recorded refresh instead, so try a few.
  double answered_quietly = 0;
  for (int i = 0; i < 10 && answered_quietly == 0; ++i) {
    MustPostAlerts(body);
    answered_quietly = quiet_resends();
  }
  const double cached = metric("incidentd_resend_cache_entries");
  MustPostAlerts(Batch({Alert(kDedupProbeLabels, {{"v", "2"}}, start, end)}));

  EXPECT_GE(answered_quietly, 1.0);
  EXPECT_EQ(cached, 1.0) << "the one re-sent alert is the one entry of the cache";
  const json::array alerts = GetAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].at("annotations"), (json::object{{"v", "2"}}));
  EXPECT_EQ(AllIncidents(client_).size(), 1u);
}

TEST_F(AlertmanagerTest, ResendingThePrometheusBodyKeepsTheSameIncidents) {
  MustPostAlerts(PrometheusBody());

  MustPostAlerts(PrometheusBody());

  EXPECT_EQ(GetAlerts().size(), 2u);
  EXPECT_EQ(AllIncidents(client_, "service=prometheus").size(), 2u);
}

// ---- filters and groups

class AlertFilterTest : public AlertmanagerTest {
 protected:
  void SetUp() override {
    AlertmanagerTest::SetUp();
    MustPostAlerts(Batch({
        Alert({{"alertname", "DiskFull"}, {"instance", "web-1"}, {"severity", "critical"}}),
        Alert({{"alertname", "DiskFull"}, {"instance", "web-2"}, {"severity", "warning"}}),
        Alert({{"alertname", "CpuHigh"}, {"instance", "web-1"}, {"severity", "warning"}}),
        Alert({{"alertname", "ReplicaLag"}, {"instance", "db-1"}, {"team", "db"}}),
        Alert({{"alertname", "ReplicaLag"}, {"instance", "db-2"}, {"team", "db"}}),
    }));
  }

  std::vector<std::string> Instances(const std::string& query) { return Names(GetAlerts(query), "instance"); }
};

TEST_F(AlertFilterTest, QuotedMatcherSelectsByLabel) {
  EXPECT_THAT(Instances("filter=" + Encode(R"(alertname="DiskFull")")), UnorderedElementsAre("web-1", "web-2"));
}

TEST_F(AlertFilterTest, UnquotedMatcherSelectsLikeTheQuotedOne) {
  EXPECT_THAT(Instances("filter=" + Encode("alertname=DiskFull")), UnorderedElementsAre("web-1", "web-2"));
}

TEST_F(AlertFilterTest, RegexMatcherSelectsByPattern) {
  EXPECT_THAT(Instances("filter=" + Encode(R"(instance=~"db-.*")")), UnorderedElementsAre("db-1", "db-2"));
}

TEST_F(AlertFilterTest, RegexMatcherIsAnchored) {
  EXPECT_THAT(Instances("filter=" + Encode(R"(instance=~"db")")), IsEmpty());
}

TEST_F(AlertFilterTest, NotEqualMatcherExcludesAndMatchesMissingLabels) {
  EXPECT_THAT(Instances("filter=" + Encode(R"(severity!="warning")")),
              UnorderedElementsAre("web-1", "db-1", "db-2"));
}

TEST_F(AlertFilterTest, RepeatedFiltersMustAllMatch) {
  const std::string query =
      "filter=" + Encode(R"(alertname="DiskFull")") + "&filter=" + Encode(R"(severity="warning")");

  EXPECT_THAT(Instances(query), ElementsAre("web-2"));
}

TEST_F(AlertFilterTest, ReceiverRegexSelectsByService) {
  EXPECT_THAT(Instances("receiver=db"), UnorderedElementsAre("db-1", "db-2"));
  EXPECT_THAT(Instances("receiver=" + Encode("prom.*")), UnorderedElementsAre("web-1", "web-2", "web-1"));
  EXPECT_THAT(Instances("receiver=" + Encode("d")), IsEmpty()) << "the receiver regex is anchored";
}

TEST_F(AlertFilterTest, ReceiversNameTheRoutedService) {
  const json::array alerts = GetAlerts("filter=" + Encode(R"(team="db")"));

  ASSERT_EQ(alerts.size(), 2u);
  for (const auto& alert : alerts) EXPECT_EQ(alert.at("receivers"), json::parse(R"([{"name":"db"}])"));
}

TEST_F(AlertFilterTest, SilencedAndActiveParamsSelectByState) {
  ASSERT_FALSE(PostSilence(Silence({Matcher("alertname", "CpuHigh")})).empty());

  const json::array silenced_only = GetAlerts("active=false");
  const json::array active_only = GetAlerts("silenced=false");
  const json::array neither = GetAlerts("active=false&silenced=false");

  EXPECT_THAT(Names(silenced_only), ElementsAre("CpuHigh"));
  EXPECT_EQ(active_only.size(), 4u);
  EXPECT_THAT(Names(active_only), ::testing::Not(::testing::Contains("CpuHigh")));
  EXPECT_THAT(neither, IsEmpty());
}

TEST_F(AlertFilterTest, GroupsFollowTheRouteGroupBy) {
  const json::array groups = GetArray("/api/v2/alerts/groups");

  std::vector<std::string> seen;
  for (const auto& group : groups) {
    const auto& labels = group.at("labels");
    const std::string receiver = StringField(group.at("receiver"), "name");
    seen.push_back(receiver + " " + json::serialize(labels) + " " +
                   std::to_string(group.at("alerts").as_array().size()));
  }
  EXPECT_THAT(seen, UnorderedElementsAre(R"(prometheus {"alertname":"DiskFull"} 2)",
                                         R"(prometheus {"alertname":"CpuHigh"} 1)",
                                         R"(db {"alertname":"ReplicaLag","instance":"db-1"} 1)",
                                         R"(db {"alertname":"ReplicaLag","instance":"db-2"} 1)"));
}

TEST_F(AlertFilterTest, GroupsTakeTheSameFilter) {
  const json::array groups = GetArray("/api/v2/alerts/groups?filter=" + Encode(R"(alertname="DiskFull")"));

  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].at("labels"), (json::object{{"alertname", "DiskFull"}}));
  EXPECT_EQ(groups[0].at("alerts").as_array().size(), 2u);
}

// ---- validation of a batch

TEST_F(AlertmanagerTest, MixedBatchIsRefusedNamingTheBadAlertAndStoresTheValidOne) {
  HttpResponse response = PostAlerts(Batch({Alert({{"alertname", "Valid"}}), Alert({{"1bad", "x"}})}));

  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.Header("Content-Type"), StartsWith("application/problem+json"));
  EXPECT_EQ(StringField(ParseJson(response.body), "field"), "/1/labels/1bad");
  EXPECT_THAT(Names(GetAlerts()), ElementsAre("Valid"));
  EXPECT_EQ(AllIncidents(client_).size(), 1u);
}

TEST_F(AlertmanagerTest, MetricsCountAlertsByOutcomeAndShowWhatIsHeld) {
  PostAlerts(Batch({Alert({{"alertname", "CountedA"}}), Alert({{"alertname", "CountedB"}}), Alert({{"1bad", "x"}})}));
  PostSilence(Silence({Matcher("alertname", "CountedMuted")}));
  MustPostAlerts(Batch({Alert({{"alertname", "CountedMuted"}})}));

  const std::string metrics = Must(client_.Get("/metrics")).body;

  EXPECT_THAT(metrics, HasSubstr(R"(incidentd_events_received_total{endpoint="/api/v2/alerts",outcome="accepted"} 3)"));
  EXPECT_THAT(metrics, HasSubstr(R"(incidentd_events_received_total{endpoint="/api/v2/alerts",outcome="invalid"} 1)"));
  EXPECT_THAT(metrics, HasSubstr("incidentd_labelled_alerts 3"));
  EXPECT_THAT(metrics, HasSubstr("incidentd_silenced_alerts 1"));
  EXPECT_THAT(metrics, HasSubstr("incidentd_silences 1"));
}

// ---- silences

TEST_F(AlertmanagerTest, PostedSilenceIsListedActive) {
  const std::string id = PostSilence(Silence({Matcher("alertname", "DiskFull")}));

  const json::array listed = GetArray("/api/v2/silences");

  ASSERT_FALSE(id.empty());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(StringField(listed[0], "id"), id);
  EXPECT_EQ(SilenceState(listed[0]), "active");
  EXPECT_EQ(listed[0].at("matchers"), json::array{Matcher("alertname", "DiskFull")});
  EXPECT_EQ(SilenceState(GetSilence(id)), "active");
}

TEST_F(AlertmanagerTest, AlertMatchingASilenceIsSuppressedAndOpensNoIncident) {
  const std::string id = PostSilence(Silence({Matcher("alertname", "DiskFull")}));

  MustPostAlerts(Batch({Alert({{"alertname", "DiskFull"}, {"instance", "web-1"}})}));

  const json::array alerts = GetAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(StringField(StatusOf(alerts[0]), "state"), "suppressed");
  EXPECT_EQ(StatusOf(alerts[0]).at("silencedBy"), json::array{json::string(id)});
  EXPECT_THAT(AllIncidents(client_), IsEmpty());
}

// ---- GET /api/v1/alerts: both ingest paths in one list

TEST_F(AlertmanagerTest, TheNativeAlertListHoldsEventsAndAlertmanagerAlertsWithTheirStateAndIncident) {
  const std::string silence = PostSilence(Silence({Matcher("alertname", "DiskFull")}));
  MustPostAlerts(Batch({Alert({{"alertname", "DiskFull"}, {"instance", "web-1"}}, {{"summary", "disk full"}},
                              Now() - std::chrono::minutes(3)),
                        Alert({{"alertname", "HighLatency"}, {"severity", "critical"}}, {{"summary", "slow"}},
                              Now() - std::chrono::minutes(2))}));
  HttpResponse event = Must(client_.Post(
      "/v2/enqueue", R"({"routing_key":"checkout-key","event_action":"trigger","dedup_key":"web-5xx",)"
                     R"("payload":{"summary":"checkout 5xx","source":"web-1","severity":"error"}})"));
  ASSERT_EQ(event.status, 202) << event.body;

  HttpResponse response = Must(client_.Get("/api/v1/alerts"));

  ASSERT_EQ(response.status, 200) << response.body;
  const json::array alerts = ParseJson(response.body).at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 3u) << response.body;
  // Newest first: the event (now), HighLatency (2 minutes ago), DiskFull (3 minutes ago).
  EXPECT_EQ(alerts[0].at("source"), "events");
  EXPECT_EQ(alerts[0].at("dedup_key"), "web-5xx");
  EXPECT_EQ(alerts[0].at("summary"), "checkout 5xx");
  EXPECT_EQ(alerts[0].at("state"), "firing");
  EXPECT_EQ(alerts[0].at("role"), "member");
  EXPECT_TRUE(alerts[0].at("incident_id").is_uint64() || alerts[0].at("incident_id").is_int64());
  EXPECT_THAT(std::string(alerts[0].at("explanation").as_string()), StartsWith("opened incident"));
  EXPECT_EQ(alerts[1].at("source"), "alertmanager");
  EXPECT_EQ(LabelOf(alerts[1], "alertname"), "HighLatency");
  EXPECT_EQ(alerts[1].at("state"), "firing");
  EXPECT_EQ(alerts[1].at("severity"), "critical");
  EXPECT_FALSE(alerts[1].at("incident_id").is_null());
  EXPECT_FALSE(std::string(alerts[1].at("fingerprint").as_string()).empty());
  EXPECT_EQ(LabelOf(alerts[2], "alertname"), "DiskFull");
  EXPECT_EQ(alerts[2].at("state"), "suppressed");
  EXPECT_EQ(json::serialize(alerts[2].at("suppressed_by")),
            R"({"kind":"silence","id":")" + silence + R"("})");
  EXPECT_TRUE(alerts[2].at("incident_id").is_null());
  EXPECT_TRUE(alerts[2].at("role").is_null());
  EXPECT_EQ(alerts[2].at("summary"), "disk full");

  const json::array suppressed =
      ParseJson(Must(client_.Get("/api/v1/alerts?state=suppressed")).body).at("alerts").as_array();
  ASSERT_EQ(suppressed.size(), 1u);
  EXPECT_EQ(LabelOf(suppressed[0], "alertname"), "DiskFull");
  EXPECT_EQ(ParseJson(Must(client_.Get("/api/v1/alerts?limit=1")).body).at("alerts").as_array().size(), 1u);
  EXPECT_EQ(ParseJson(Must(client_.Get("/api/v1/alerts?service=checkout")).body).at("alerts").as_array().size(), 1u);
  EXPECT_EQ(Must(client_.Get("/api/v1/alerts?limit=5001")).status, 400);
  EXPECT_EQ(Must(client_.Get("/api/v1/alerts?state=gone")).status, 400);
}

TEST_F(AlertmanagerTest, TheNativeAlertListShowsRecentlyResolvedAlertsOnRequest) {
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", R"({"routing_key":"checkout-key","event_action":"trigger",)"
                                             R"("dedup_key":"r-1","payload":{"summary":"s","source":"h",)"
                                             R"("severity":"error"}})"))
                .status,
            202);
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", R"({"routing_key":"checkout-key","event_action":"resolve",)"
                                             R"("dedup_key":"r-1"})"))
                .status,
            202);

  const json::array firing = ParseJson(Must(client_.Get("/api/v1/alerts")).body).at("alerts").as_array();
  const json::array resolved =
      ParseJson(Must(client_.Get("/api/v1/alerts?state=resolved")).body).at("alerts").as_array();

  EXPECT_TRUE(firing.empty());
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].at("dedup_key"), "r-1");
  EXPECT_EQ(resolved[0].at("state"), "resolved");
  EXPECT_EQ(resolved[0].at("summary"), "s");
}

TEST_F(AlertmanagerTest, ExpiringASilenceLetsItsAlertJoinAnIncident) {
  const std::string id = PostSilence(Silence({Matcher("alertname", "DiskFull")}));
  MustPostAlerts(Batch({Alert({{"alertname", "DiskFull"}, {"instance", "web-1"}})}));

  HttpResponse deleted = Must(client_.Send("DELETE", "/api/v2/silence/" + id, ""));

  EXPECT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(SilenceState(GetSilence(id)), "expired");
  const json::array alerts = GetAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(StringField(StatusOf(alerts[0]), "state"), "active");
  EXPECT_EQ(StatusOf(alerts[0]).at("silencedBy"), json::array());
  const auto incidents = AllIncidents(client_);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(StringField(incidents[0], "title"), "DiskFull");
}

TEST_F(AlertmanagerTest, UpdatingASilencesMatchersGivesANewIdAndExpiresTheOld) {
  json::object silence = Silence({Matcher("alertname", "DiskFull")});
  const std::string old_id = PostSilence(silence);
  silence["id"] = old_id;
  silence["matchers"] = json::array{Matcher("alertname", "DiskFull"), Matcher("instance", "web-1")};

  const std::string new_id = PostSilence(silence);

  ASSERT_FALSE(new_id.empty());
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(SilenceState(GetSilence(old_id)), "expired");
  EXPECT_EQ(SilenceState(GetSilence(new_id)), "active");
}

// As amtool updates: GET the silence, change it, POST it back with its id.
TEST_F(AlertmanagerTest, UpdatingASilencesCommentKeepsItsId) {
  const std::string id = PostSilence(Silence({Matcher("alertname", "DiskFull")}));
  json::object silence = GetSilence(id).as_object();
  silence.erase("status");
  silence.erase("updatedAt");
  silence["comment"] = "still investigating";

  const std::string updated = PostSilence(silence);

  EXPECT_EQ(updated, id);
  EXPECT_EQ(StringField(GetSilence(id), "comment"), "still investigating");
  EXPECT_EQ(GetArray("/api/v2/silences").size(), 1u);
}

TEST_F(AlertmanagerTest, UnknownSilenceIdIsNotFoundForGetDeleteAndUpdate) {
  json::object update = Silence({Matcher("alertname", "DiskFull")});
  update["id"] = kUnknownSilenceId;

  HttpResponse got = Must(client_.Get(std::string("/api/v2/silence/") + kUnknownSilenceId));
  HttpResponse deleted = Must(client_.Send("DELETE", std::string("/api/v2/silence/") + kUnknownSilenceId, ""));
  HttpResponse posted = Must(client_.Post("/api/v2/silences", json::serialize(update)));

  EXPECT_EQ(got.status, 404) << got.body;
  EXPECT_EQ(deleted.status, 404) << deleted.body;
  EXPECT_EQ(posted.status, 404) << posted.body;
  EXPECT_THAT(GetArray("/api/v2/silences"), IsEmpty());
}

// ---- auth

TEST_F(AlertmanagerTest, RequestWithoutATokenIsUnauthorized) {
  test_support::HttpClient anonymous(server_.port());

  HttpResponse response = Must(anonymous.Get("/api/v2/alerts"));

  EXPECT_EQ(response.status, 401);
  EXPECT_THAT(response.Header("WWW-Authenticate"), StartsWith("Bearer"));
}

TEST_F(AlertmanagerTest, ViewerMayReadButNotPostAlerts) {
  auto viewer = server_.Client(kViewerToken);

  HttpResponse read = Must(viewer.Get("/api/v2/alerts"));
  HttpResponse posted = Must(viewer.Post("/api/v2/alerts", PrometheusBody()));
  HttpResponse silenced = Must(viewer.Post("/api/v2/silences", json::serialize(Silence({Matcher("a", "b")}))));

  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(posted.status, 403) << posted.body;
  EXPECT_EQ(silenced.status, 403) << silenced.body;
  EXPECT_THAT(GetAlerts(), IsEmpty());
}

TEST_F(AlertmanagerTest, BasicAuthWithTheTokenAsPasswordIsAccepted) {
  test_support::HttpClient basic(server_.port());
  const Headers auth{{"Authorization", "Basic " + Base64(std::string("prometheus:") + kAdminToken)}};

  HttpResponse posted = Must(basic.Send("POST", "/api/v2/alerts", PrometheusBody(),
                                        {auth[0], {"Content-Type", "application/json"}}));
  HttpResponse read = Must(basic.Send("GET", "/api/v2/alerts", "", auth));

  EXPECT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(GetAlerts().size(), 2u);
}

TEST_F(AlertmanagerTest, BasicAuthWithAWrongPasswordIsUnauthorized) {
  test_support::HttpClient basic(server_.port());
  const Headers auth{{"Authorization", "Basic " + Base64("prometheus:not-the-token")}};

  HttpResponse read = Must(basic.Send("GET", "/api/v2/alerts", "", auth));

  EXPECT_EQ(read.status, 401);
}

TEST_F(AlertmanagerTest, HealthAndReadinessNeedNoToken) {
  test_support::HttpClient anonymous(server_.port());

  HttpResponse healthy = Must(anonymous.Get("/-/healthy"));
  HttpResponse ready = Must(anonymous.Get("/-/ready"));

  EXPECT_EQ(healthy.status, 200);
  EXPECT_EQ(ready.status, 200);
}

// ---- status and receivers

TEST_F(AlertmanagerTest, StatusReportsADisabledClusterVersionConfigAndUptime) {
  HttpResponse response = Must(client_.Get("/api/v2/status"));

  ASSERT_EQ(response.status, 200) << response.body;
  const json::value status = ParseJson(response.body);
  EXPECT_EQ(StringField(status.at("cluster"), "status"), "disabled");
  EXPECT_FALSE(StringField(status.at("versionInfo"), "version").empty());
  EXPECT_THAT(StringField(status.at("config"), "original"), ::testing::HasSubstr("service: db"));
  auto uptime = core::ParseRfc3339(StringField(status, "uptime"));
  ASSERT_TRUE(uptime.ok()) << response.body;
  EXPECT_LE(*uptime, Now());
}

TEST_F(AlertmanagerTest, ReceiversAreTheRoutedServices) {
  const json::array receivers = GetArray("/api/v2/receivers");

  std::vector<std::string> names;
  for (const auto& receiver : receivers) names.push_back(StringField(receiver, "name"));
  EXPECT_THAT(names, UnorderedElementsAre("prometheus", "db"));
}

// ---- webhook receiver

TEST_F(AlertmanagerTest, FiringWebhookOpensAnIncidentInTheNamedService) {
  HttpResponse response = PostWebhook("prometheus", kWebhookPrometheusFiring);

  EXPECT_EQ(response.status, 200) << response.body;
  const auto incidents = AllIncidents(client_, "service=prometheus");
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(StringField(incidents[0], "state"), "triggered");
  EXPECT_EQ(StringField(incidents[0], "severity"), "critical");
}

TEST_F(AlertmanagerTest, WebhookResentWithAnAlertMissingResolvesNothing) {
  ASSERT_EQ(PostWebhook("prometheus", kWebhookTwoAlerts).status, 200);
  json::value fewer = ParseRaw(kWebhookTwoAlerts);
  fewer.as_object()["alerts"].as_array().pop_back();

  HttpResponse response = PostWebhook("prometheus", json::serialize(fewer));

  EXPECT_EQ(response.status, 200) << response.body;
  const auto incidents = AllIncidents(client_);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(StringField(incidents[0], "state"), "triggered");
  EXPECT_EQ(NumberField(incidents[0], "open_alert_count"), 2u);
}

TEST_F(AlertmanagerTest, ResolvedWebhookResolvesTheIncident) {
  ASSERT_EQ(PostWebhook("prometheus", kWebhookPrometheusFiring).status, 200);
  json::value resolved = ParseRaw(kWebhookPrometheusFiring);
  resolved.as_object()["status"] = "resolved";
  for (auto& alert : resolved.as_object()["alerts"].as_array()) {
    alert.as_object()["status"] = "resolved";
    alert.as_object()["endsAt"] = Iso(Now());
  }

  HttpResponse response = PostWebhook("prometheus", json::serialize(resolved));

  EXPECT_EQ(response.status, 200) << response.body;
  const auto incidents = AllIncidents(client_);
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(StringField(incidents[0], "state"), "resolved");
  EXPECT_EQ(NumberField(incidents[0], "open_alert_count"), 0u);
}

TEST_F(AlertmanagerTest, WebhookForAnUnknownServiceIsNotFound) {
  HttpResponse response = PostWebhook("no-such-service", kWebhookPrometheusFiring);

  EXPECT_EQ(response.status, 404) << response.body;
  EXPECT_THAT(response.Header("Content-Type"), StartsWith("application/problem+json"));
  EXPECT_THAT(AllIncidents(client_), IsEmpty());
}

// ---- durability

TEST_F(AlertmanagerTest, AlertsAndSilencesSurviveAKill) {
  MustPostAlerts(PrometheusBody());
  MustPostAlerts(Batch({Alert({{"alertname", "NoEnd"}, {"instance", "web-9"}})}));  // endsAt from resolve_timeout
  const std::string id = PostSilence(Silence({Matcher("alertname", "FlapEvery20s")}));
  const json::array alerts_before = GetAlerts();
  const json::array silences_before = GetArray("/api/v2/silences");
  ASSERT_EQ(alerts_before.size(), 3u);

  ASSERT_EQ(server_.Kill(), 137);
  auto restarted = server_.Start();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  client_ = server_.Client();

  EXPECT_EQ(GetAlerts(), alerts_before);
  EXPECT_EQ(GetArray("/api/v2/silences"), silences_before);
  EXPECT_EQ(SilenceState(GetSilence(id)), "active");
}

// ---- bad input: refused with a problem, nothing changes, the server lives on

struct BadRequest {
  std::string name;
  std::string method = "POST";
  std::string target = "/api/v2/alerts";
  std::string body{};
  int status = 400;      // 0: any 4xx
  std::string field{};   // the field the problem must name; empty: not checked
  Headers headers = {};
};

// gtest prints a failing case by its name rather than its bytes.
void PrintTo(const BadRequest& request, std::ostream* os) { *os << request.name; }

std::string Deep(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::vector<BadRequest> BadRequests() {
  const core::Timestamp now = Now();
  const auto hour = std::chrono::hours(1);
  auto silence = [](const json::object& s) { return json::serialize(s); };
  return {
      {.name = "LabelNameStartingWithADigit", .body = R"([{"labels":{"1bad":"x"}}])", .field = "/0/labels/1bad"},
      {.name = "LabelNameWithADash", .body = R"([{"labels":{"bad-name":"x"}}])", .field = "/0/labels/bad-name"},
      {.name = "LabelNameWithADot", .body = R"([{"labels":{"a.b":"x"}}])", .field = "/0/labels/a.b"},
      {.name = "EmptyLabelSet", .body = R"([{"labels":{}}])"},
      {.name = "AlertEndingBeforeItStarts",
       .body = Batch({Alert({{"alertname", "x"}}, {}, now, now - hour)}),
       .field = "/0/endsAt"},
      {.name = "BodyNotAnArray", .body = R"({"labels":{"alertname":"x"}})"},
      {.name = "NonStringLabelValue", .body = R"([{"labels":{"alertname":1}}])", .field = "/0/labels/alertname"},
      {.name = "TimeNotRfc3339", .body = R"([{"labels":{"alertname":"x"},"startsAt":"yesterday"}])",
       .field = "/0/startsAt"},
      {.name = "TruncatedJson", .body = R"([{"labels":{"alertname":"x"})"},
      {.name = "JsonNested10000Deep",
       .body = R"([{"labels":{"alertname":"x"},"annotations":{"a":)" + Deep(10000) + "}}]",
       .status = 0},
      {.name = "InvalidUtf8", .body = "[{\"labels\":{\"alertname\":\"bad \xff\xfe bytes\"}}]"},
      {.name = "BodyOver1MiB",
       .body = R"([{"labels":{"alertname":"x"},"annotations":{"blob":")" + std::string(1100 * 1024, 'b') + "\"}}]",
       .status = 413},
      {.name = "WrongContentType", .body = R"([{"labels":{"alertname":"x"}}])", .status = 415,
       .headers = {{"Content-Type", "text/plain"}}},
      {.name = "FilterWithUnbalancedQuotes", .method = "GET",
       .target = "/api/v2/alerts?filter=" + Encode(R"(alertname="x)"), .field = "filter"},
      {.name = "GroupsFilterWithUnbalancedQuotes", .method = "GET",
       .target = "/api/v2/alerts/groups?filter=" + Encode(R"(alertname="x)"), .field = "filter"},
      {.name = "SilencesFilterWithUnbalancedQuotes", .method = "GET",
       .target = "/api/v2/silences?filter=" + Encode(R"(alertname="x)"), .field = "filter"},
      {.name = "ActiveNotABoolean", .method = "GET", .target = "/api/v2/alerts?active=maybe", .field = "active"},
      {.name = "SilenceWithAnInvalidRegex", .target = "/api/v2/silences",
       .body = silence(Silence({Matcher("job", "(", true)})), .field = "/matchers/0/value"},
      {.name = "SilenceEndingBeforeItStarts", .target = "/api/v2/silences",
       .body = silence(Silence({Matcher("job", "x")}, now + hour, now)), .field = "/endsAt"},
      {.name = "SilenceEndingInThePast", .target = "/api/v2/silences",
       .body = silence(Silence({Matcher("job", "x")}, now - 2 * hour, now - hour)), .field = "/endsAt"},
      {.name = "SilenceWithoutMatchers", .target = "/api/v2/silences", .body = silence(Silence({})),
       .field = "/matchers"},
      {.name = "SilenceMatchingEverything", .target = "/api/v2/silences",
       .body = silence(Silence({Matcher("job", ".*", true)})), .field = "/matchers"},
      {.name = "WebhookOfAnotherVersion", .target = "/api/v1/integrations/alertmanager/prometheus",
       .body = R"({"version":"3","groupKey":"g","status":"firing","alerts":[]})", .field = "/version"},
  };
}

// What must not change: the alerts, the silences, the incidents and the journal's length.
struct Observed {
  std::string alerts;
  std::string silences;
  std::string incidents;
  uint64_t journal_records = 0;

  friend bool operator==(const Observed&, const Observed&) = default;
};

class AlertmanagerBadInputTest : public ::testing::TestWithParam<BadRequest> {
 protected:
  // One server for the suite, holding an alert and a silence that the bad requests must leave alone.
  static void SetUpTestSuite() {
    server_ = new test_support::ServerProcess();
    auto started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    auto client = server_->Client();
    ASSERT_EQ(Must(client.Post("/api/v2/alerts", PrometheusBody())).status, 200);
    ASSERT_EQ(Must(client.Post("/api/v2/silences", json::serialize(Silence({Matcher("alertname", "x")})))).status,
              200);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override { ASSERT_TRUE(server_ != nullptr && server_->running()); }

  static HttpResponse Send(const BadRequest& request) {
    auto client = server_->Client();
    return Must(client.Send(request.method, request.target, request.body, request.headers));
  }

  static Observed Observe() {
    auto client = server_->Client();
    Observed observed;
    observed.alerts = Must(client.Get("/api/v2/alerts")).body;
    observed.silences = Must(client.Get("/api/v2/silences")).body;
    observed.incidents = Must(client.Get("/api/v1/incidents?limit=500")).body;
    observed.journal_records = NumberField(ParseJson(Must(client.Get("/api/v1/journal/verify")).body), "records");
    return observed;
  }

  static test_support::ServerProcess* server_;
};

test_support::ServerProcess* AlertmanagerBadInputTest::server_ = nullptr;

TEST_P(AlertmanagerBadInputTest, IsRefusedWithAProblemNamingTheFieldAndChangesNothing) {
  const BadRequest& request = GetParam();
  const Observed before = Observe();

  HttpResponse response = Send(request);

  const Observed after = Observe();
  if (request.status == 0) {
    EXPECT_GE(response.status, 400) << response.body;
    EXPECT_LT(response.status, 500) << response.body;
  } else {
    EXPECT_EQ(response.status, request.status) << response.body;
  }
  EXPECT_THAT(response.Header("Content-Type"), StartsWith("application/problem+json"));
  const auto problem = ParseJson(response.body);
  EXPECT_EQ(NumberField(problem, "status"), static_cast<uint64_t>(response.status));
  if (!request.field.empty()) {
    EXPECT_EQ(StringField(problem, "field"), request.field) << response.body;
  }
  EXPECT_TRUE(before == after) << "before:\n"
                               << before.alerts << "\n" << before.silences << "\nafter:\n"
                               << after.alerts << "\n" << after.silences;
  auto client = server_->Client();
  EXPECT_EQ(Must(client.Get("/-/healthy")).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Alertmanager, AlertmanagerBadInputTest, ::testing::ValuesIn(BadRequests()),
                         [](const ::testing::TestParamInfo<BadRequest>& info) { return info.param.name; });

TEST_F(AlertmanagerTest, ServerTakesValidAlertsAfterEveryBadRequest) {
  for (const auto& request : BadRequests()) {
    Must(client_.Send(request.method, request.target, request.body, request.headers));
  }

  MustPostAlerts(PrometheusBody());

  EXPECT_EQ(Must(client_.Get("/-/ready")).status, 200);
  EXPECT_EQ(GetAlerts().size(), 2u);
}

}  // namespace
