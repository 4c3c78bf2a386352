#include "domain/ingest/alertmanager.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ingest {
namespace {

namespace json = boost::json;

// Prometheus 2.42's request bodies, verbatim from alertmanager-captures/prometheus_to_am.jsonl (lines 1 and 16).
constexpr const char* kPrometheusOneAlert =
    R"json([{"annotations":{"description":"trivial always-firing rule used to capture the Prometheus -> Alertmanager POST","summary":"always firing (value 1)"},"endsAt":"2026-11-29T11:44:43.690Z","startsAt":"2026-11-29T11:44:29.690Z","generatorURL":"http://vm:29090/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1","labels":{"alertname":"AlwaysFiring","cluster":"bench","monitor":"bench","severity":"critical"}}])json";
constexpr const char* kPrometheusTwoAlerts =
    R"json([{"annotations":{"description":"trivial always-firing rule used to capture the Prometheus -> Alertmanager POST","summary":"always firing (value 1)"},"endsAt":"2026-11-29T11:44:58.690Z","startsAt":"2026-11-29T11:44:29.690Z","generatorURL":"http://vm:29090/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1","labels":{"alertname":"AlwaysFiring","cluster":"bench","monitor":"bench","severity":"critical"}},{"annotations":{"summary":"fires 10 s out of every 20 s"},"endsAt":"2026-11-29T11:44:50.690Z","startsAt":"2026-11-29T11:44:40.690Z","generatorURL":"http://vm:29090/graph?g0.expr=vector%28time%28%29+%25+20%29+%3C+10&g0.tab=1","labels":{"alertname":"FlapEvery20s","cluster":"bench","monitor":"bench","severity":"warning"}}])json";

// amtool 0.25's `alert add` body (amtool_requests.md): unset times are Go's zero time.
constexpr const char* kAmtoolAdd =
    R"json([{"annotations": {"runbook": "http://runbook.example/x", "summary": "added by amtool"}, "endsAt": "0001-01-01T00:00:00.000Z", "startsAt": "0001-01-01T00:00:00.000Z", "generatorURL": "http://prometheus.example/graph", "labels": {"alertname": "AmtoolTest", "cluster": "c1", "instance": "web-1", "severity": "critical"}}])json";

// Alertmanager 0.25's webhook payloads, verbatim from alertmanager-captures/webhook_examples.json.
constexpr const char* kWebhookTwoFiring =
    R"json({"receiver":"webhook","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"GIProbe52545","cluster":"x","instance":"i1"},"annotations":{},"startsAt":"2026-11-29T11:42:27.453960556Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"cd3ba79623a077bc"},{"status":"firing","labels":{"alertname":"GIProbe52545","cluster":"x","instance":"i2"},"annotations":{},"startsAt":"2026-11-29T11:42:30.455481754Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"cd3fa79623a46093"}],"groupLabels":{"alertname":"GIProbe52545","cluster":"x"},"commonLabels":{"alertname":"GIProbe52545","cluster":"x"},"commonAnnotations":{},"externalURL":"http://vm:29093","version":"4","groupKey":"{}:{alertname=\"GIProbe52545\", cluster=\"x\"}","truncatedAlerts":0})json";
constexpr const char* kWebhookResolved =
    R"json({"receiver":"webhook","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"FlapEvery20s","cluster":"bench","monitor":"bench","severity":"warning"},"annotations":{"summary":"fires 10 s out of every 20 s"},"startsAt":"2026-11-29T11:44:40.69Z","endsAt":"2026-11-29T11:44:50.69Z","generatorURL":"http://vm:29090/graph?g0.expr=vector%28time%28%29+%25+20%29+%3C+10&g0.tab=1","fingerprint":"07d8f0017f7fdffd"}],"groupLabels":{"alertname":"FlapEvery20s","cluster":"bench"},"commonLabels":{"alertname":"FlapEvery20s","cluster":"bench","monitor":"bench","severity":"warning"},"commonAnnotations":{"summary":"fires 10 s out of every 20 s"},"externalURL":"http://vm:29093","version":"4","groupKey":"{}:{alertname=\"FlapEvery20s\", cluster=\"bench\"}","truncatedAlerts":0})json";

core::Result<PostableBatch> Post(const char* text) { return ParsePostableAlerts(json::parse(text)); }

// A one-alert body whose labels are `labels` and whose other members are `rest` (may be empty).
json::value OneAlert(json::object labels, json::object rest = {}) {
  rest["labels"] = std::move(labels);
  return json::array{std::move(rest)};
}

// Runs a body that must parse, with exactly one rejected alert, and returns that rejection.
FieldError OnlyRejection(const json::value& body) {
  auto batch = ParsePostableAlerts(body);
  EXPECT_TRUE(batch.ok());
  if (!batch.ok()) return {};
  EXPECT_TRUE(batch->alerts.empty());
  EXPECT_EQ(batch->rejected.size(), 1u);
  if (batch->rejected.size() != 1) return {};
  return batch->rejected[0];
}

core::Timestamp Millis(int64_t ms) { return core::FromUnixMillis(ms); }

// --- POST /api/v2/alerts ---

TEST(PostableAlertsTest, ParsesPrometheusRequestBody) {
  auto batch = Post(kPrometheusOneAlert);

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 1u);
  EXPECT_TRUE(batch->rejected.empty());
  const PostableAlert& a = batch->alerts[0];
  EXPECT_EQ(a.labels, (core::LabelSet{{"alertname", "AlwaysFiring"}, {"cluster", "bench"}, {"monitor", "bench"},
                                      {"severity", "critical"}}));
  EXPECT_EQ(a.annotations.Get("summary"), "always firing (value 1)");
  EXPECT_EQ(a.starts_at, Millis(1795952669690));
  EXPECT_EQ(a.ends_at, Millis(1795952683690));
  EXPECT_EQ(a.generator_url, "http://vm:29090/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1");
}

TEST(PostableAlertsTest, LabelsFingerprintLikeAlertmanagerDoes) {
  // semantics.json: Alertmanager's webhook carried fingerprint e69a20f086d4619d for this body (resolve_in_2s).
  auto batch = Post(R"([{"labels": {"alertname": "ResolveProbe52606", "cluster": "x"},
                         "startsAt": "2026-11-29T11:43:28.421255Z", "endsAt": "2026-11-29T11:43:30.421255Z"}])");

  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(core::FingerprintHex(batch->alerts[0].labels.Fingerprint()), "e69a20f086d4619d");
}

TEST(PostableAlertsTest, KeepsInputOrderOfABatch) {
  auto batch = Post(kPrometheusTwoAlerts);

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 2u);
  EXPECT_EQ(batch->alerts[0].labels.Get("alertname"), "AlwaysFiring");
  EXPECT_EQ(batch->alerts[1].labels.Get("alertname"), "FlapEvery20s");
  EXPECT_EQ(batch->alerts[1].starts_at, Millis(1795952680690));
}

TEST(PostableAlertsTest, EmptyArrayIsAnEmptyBatch) {
  auto batch = Post("[]");

  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->alerts.empty());
  EXPECT_TRUE(batch->rejected.empty());
}

TEST(PostableAlertsTest, AmtoolZeroTimesMeanUnset) {
  auto batch = Post(kAmtoolAdd);

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 1u);
  EXPECT_FALSE(batch->alerts[0].starts_at.has_value());
  EXPECT_FALSE(batch->alerts[0].ends_at.has_value());
}

TEST(PostableAlertsTest, EverySpellingOfGoZeroTimeMeansUnset) {
  const char* spellings[] = {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000000Z", "0001-01-01T00:00:00+00:00",
                             "0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00-05:00"};

  for (const char* spelling : spellings) {
    SCOPED_TRACE(spelling);
    auto batch = ParsePostableAlerts(OneAlert({{"alertname", "A"}}, {{"startsAt", spelling}, {"endsAt", spelling}}));

    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->alerts.size(), 1u);
    EXPECT_FALSE(batch->alerts[0].starts_at.has_value());
    EXPECT_FALSE(batch->alerts[0].ends_at.has_value());
  }
}

TEST(PostableAlertsTest, AbsentNullAndEmptyTimesMeanUnset) {
  auto batch = ParsePostableAlerts(OneAlert({{"alertname", "A"}}, {{"startsAt", nullptr}, {"endsAt", ""}}));

  ASSERT_TRUE(batch.ok());
  EXPECT_FALSE(batch->alerts[0].starts_at.has_value());
  EXPECT_FALSE(batch->alerts[0].ends_at.has_value());
}

TEST(PostableAlertsTest, AcceptsTimesWithOffsetsAndWithoutFractions) {
  auto batch = Post(R"([{"labels":{"alertname":"A"},"startsAt":"2026-01-01T01:00:00+01:00",
                         "endsAt":"2026-01-01T00:00:00Z"}])");

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 1u);
  EXPECT_EQ(batch->alerts[0].starts_at, Millis(1767225600000));
  EXPECT_EQ(batch->alerts[0].ends_at, Millis(1767225600000));
}

TEST(PostableAlertsTest, DropsEmptyValuedLabelsAndAnnotationsBeforeValidation) {
  auto batch = Post(R"([{"labels":{"alertname":"EmptyVal","dropme":"","1bad":""},
                         "annotations":{"summary":"s","blank":"","bad-name":""}}])");

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 1u);
  EXPECT_EQ(batch->alerts[0].labels, (core::LabelSet{{"alertname", "EmptyVal"}}));
  EXPECT_EQ(batch->alerts[0].annotations, (core::LabelSet{{"summary", "s"}}));
}

TEST(PostableAlertsTest, SortsLabelsWhateverTheKeyOrder) {
  auto batch = Post(R"([{"labels":{"zone":"z","alertname":"A","job":"j"}}])");

  ASSERT_TRUE(batch.ok());
  const auto& labels = batch->alerts[0].labels.labels();
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0].first, "alertname");
  EXPECT_EQ(labels[1].first, "job");
  EXPECT_EQ(labels[2].first, "zone");
}

TEST(PostableAlertsTest, AcceptsAlertWithoutAlertname) {
  auto batch = Post(R"([{"labels":{"foo":"bar"}}])");

  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->alerts.size(), 1u);
}

TEST(PostableAlertsTest, IgnoresUnknownFieldsAndNullOptionals) {
  auto batch = Post(R"([{"labels":{"alertname":"A"},"foo":1,"status":"firing","annotations":null,
                         "generatorURL":null}])");

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 1u);
  EXPECT_TRUE(batch->alerts[0].annotations.empty());
  EXPECT_EQ(batch->alerts[0].generator_url, "");
}

TEST(PostableAlertsTest, RejectsAlertWithNoNonEmptyLabel) {
  FieldError empty = OnlyRejection(json::parse(R"([{"labels":{}}])"));
  FieldError only_empty_value = OnlyRejection(json::parse(R"([{"labels":{"alertname":""}}])"));

  EXPECT_EQ(empty.message, "at least one label pair required");
  EXPECT_EQ(empty.field, "/0/labels");
  EXPECT_EQ(only_empty_value.message, "at least one label pair required");
  EXPECT_EQ(only_empty_value.field, "/0/labels");
}

TEST(PostableAlertsTest, RejectsInvalidLabelNameWithAlertmanagersMessage) {
  FieldError leading_digit = OnlyRejection(json::parse(R"([{"labels":{"1bad":"x"}}])"));
  FieldError dash = OnlyRejection(json::parse(R"([{"labels":{"alertname":"x","bad-name":"x"}}])"));

  EXPECT_EQ(leading_digit.message, R"(invalid label set: invalid name "1bad")");
  EXPECT_EQ(leading_digit.field, "/0/labels/1bad");
  EXPECT_EQ(dash.message, R"(invalid label set: invalid name "bad-name")");
  EXPECT_EQ(dash.field, "/0/labels/bad-name");
}

TEST(PostableAlertsTest, EscapesSlashInTheFieldPointer) {
  FieldError error = OnlyRejection(json::parse(R"([{"labels":{"a/b~c":"x"}}])"));

  EXPECT_EQ(error.field, "/0/labels/a~1b~0c");
}

TEST(PostableAlertsTest, RejectsInvalidAnnotationName) {
  FieldError error = OnlyRejection(json::parse(R"([{"labels":{"alertname":"A"},"annotations":{"runbook-url":"u"}}])"));

  EXPECT_EQ(error.message, R"(invalid annotations: invalid name "runbook-url")");
  EXPECT_EQ(error.field, "/0/annotations/runbook-url");
}

TEST(PostableAlertsTest, RejectsEndsBeforeStarts) {
  FieldError error = OnlyRejection(json::parse(R"([{"labels":{"alertname":"Bad"},
      "startsAt":"2026-11-29T11:43:26.869942Z","endsAt":"2026-11-29T10:43:26.869942Z"}])"));

  EXPECT_EQ(error.message, "start time must be before end time");
  EXPECT_EQ(error.field, "/0/endsAt");
}

TEST(PostableAlertsTest, AcceptsEqualStartsAndEnds) {
  auto batch = Post(R"([{"labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z",
                         "endsAt":"2026-01-01T00:00:00.000Z"}])");

  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->alerts.size(), 1u);
}

TEST(PostableAlertsTest, AcceptsEndsWithoutStarts) {
  // Alertmanager then starts the alert at endsAt; that default belongs to the caller.
  auto batch = Post(R"([{"labels":{"alertname":"A"},"startsAt":"0001-01-01T00:00:00.000Z",
                         "endsAt":"2020-01-01T00:00:00.000Z"}])");

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 1u);
  EXPECT_FALSE(batch->alerts[0].starts_at.has_value());
  EXPECT_TRUE(batch->alerts[0].ends_at.has_value());
}

TEST(PostableAlertsTest, MixedBatchKeepsTheValidAlertsInOrder) {
  auto batch = Post(R"([{"labels":{"alertname":"First"}},{"labels":{"1bad":"x"}},{"labels":{"alertname":"Third"}}])");

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 2u);
  EXPECT_EQ(batch->alerts[0].labels.Get("alertname"), "First");
  EXPECT_EQ(batch->alerts[1].labels.Get("alertname"), "Third");
  ASSERT_EQ(batch->rejected.size(), 1u);
  EXPECT_EQ(batch->rejected[0].field, "/1/labels/1bad");
}

TEST(PostableAlertsTest, RejectsInvalidUtf8Values) {
  json::value label_body = OneAlert({{"alertname", "A"}, {"msg", "bad \xff byte"}});
  json::value annotation_body = OneAlert({{"alertname", "A"}}, {{"annotations", {{"summary", "\xc3("}}}});

  FieldError label = OnlyRejection(label_body);
  FieldError annotation = OnlyRejection(annotation_body);

  EXPECT_EQ(label.message, R"(invalid label set: invalid value "bad \xff byte")");
  EXPECT_EQ(label.field, "/0/labels/msg");
  EXPECT_EQ(annotation.field, "/0/annotations/summary");
}

TEST(PostableAlertsTest, AcceptsNonAsciiUtf8Values) {
  auto batch = Post(R"([{"labels":{"alertname":"Utf8","msg":"h\u00e9llo \u2713"}}])");

  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->alerts.size(), 1u);
  EXPECT_EQ(batch->alerts[0].labels.Get("msg"), "h\xc3\xa9llo \xe2\x9c\x93");
}

TEST(PostableAlertsTest, RejectsAlertWithTooManyLabels) {
  json::object at_limit, over_limit;
  for (size_t i = 0; i < kMaxLabelsPerAlert; ++i) at_limit["l" + std::to_string(i)] = "v";
  over_limit = at_limit;
  over_limit["one_more"] = "v";

  auto ok = ParsePostableAlerts(OneAlert(at_limit));
  FieldError error = OnlyRejection(OneAlert(over_limit));

  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->alerts.size(), 1u);
  EXPECT_EQ(error.field, "/0/labels");
}

TEST(PostableAlertsTest, RejectsOverlongLabelNamesAndValues) {
  std::string long_name(kMaxLabelNameBytes + 1, 'n');
  std::string long_value(kMaxLabelValueBytes + 1, 'v');

  FieldError name = OnlyRejection(OneAlert({{"alertname", "A"}, {long_name, "x"}}));
  FieldError value = OnlyRejection(OneAlert({{"alertname", long_value}}));
  auto at_limits = ParsePostableAlerts(OneAlert({{std::string(kMaxLabelNameBytes, 'n'),
                                                  std::string(kMaxLabelValueBytes, 'v')}}));

  EXPECT_EQ(name.field, "/0/labels");
  EXPECT_EQ(value.field, "/0/labels/alertname");
  ASSERT_TRUE(at_limits.ok());
  EXPECT_EQ(at_limits->alerts.size(), 1u);
}

TEST(PostableAlertsTest, ReportsTheTimeFaultBeforeTheLabelFault) {
  // Alertmanager's Validate checks times first and returns one fault.
  FieldError error = OnlyRejection(json::parse(R"([{"labels":{"1bad":"x"},
      "startsAt":"2026-01-02T00:00:00Z","endsAt":"2026-01-01T00:00:00Z"}])"));

  EXPECT_EQ(error.field, "/0/endsAt");
}

TEST(PostableAlertsTest, AcceptsEmptyOrAbsoluteGeneratorUrl) {
  auto batch = Post(R"([{"labels":{"a":"1"},"generatorURL":""},
                        {"labels":{"a":"2"},"generatorURL":"https://grafana.example/d/x?var-q={job=\"a b\"}#panel"},
                        {"labels":{"a":"3"},"generatorURL":"urn:rule:high-latency"}])");

  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->alerts.size(), 3u);
  EXPECT_TRUE(batch->rejected.empty());
}

TEST(PostableAlertsTest, StructuralFaultsRejectTheWholeRequestNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {R"({"labels":{"alertname":"x"}})", ""},
      {R"([{"labels":{"alertname":"ok"}}, 5])", "/1"},
      {R"([{"annotations":{"a":"b"}}])", "/0/labels"},
      {R"([{"labels":null}])", "/0/labels"},
      {R"([{"labels":["alertname"]}])", "/0/labels"},
      {R"([{"labels":{"alertname":1}}])", "/0/labels/alertname"},
      {R"([{"labels":{"alertname":"x"},"annotations":{"a":1}}])", "/0/annotations/a"},
      {R"([{"labels":{"alertname":"x"},"annotations":"a"}])", "/0/annotations"},
      {R"([{"labels":{"alertname":"x"},"startsAt":"yesterday"}])", "/0/startsAt"},
      {R"([{"labels":{"alertname":"x"},"endsAt":12}])", "/0/endsAt"},
      {R"([{"labels":{"alertname":"x"},"generatorURL":"not a uri"}])", "/0/generatorURL"},
      {R"([{"labels":{"alertname":"x"},"generatorURL":"/relative/path"}])", "/0/generatorURL"},
      {R"([{"labels":{"alertname":"x"},"generatorURL":7}])", "/0/generatorURL"},
      // A per-alert fault earlier in the batch does not save it.
      {R"([{"labels":{"1bad":"x"}},{"labels":{"alertname":"x"},"startsAt":"never"}])", "/1/startsAt"},
      {R"([{"labels":{"1bad":"x","v":2}}])", "/0/labels/v"},
  };

  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    auto batch = Post(c.body);

    ASSERT_FALSE(batch.ok());
    EXPECT_EQ(batch.error().code, core::ErrorCode::kInvalid);
    EXPECT_EQ(batch.error().field, c.field);
  }
}

TEST(PostableAlertsTest, RejectsRequestWithTooManyAlerts) {
  json::array body;
  for (size_t i = 0; i <= kMaxAlertsPerRequest; ++i) body.push_back(json::object{{"labels", {{"a", "b"}}}});

  auto batch = ParsePostableAlerts(body);

  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().code, core::ErrorCode::kInvalid);
}

TEST(LabelNameTest, FollowsPrometheusClassicRule) {
  EXPECT_TRUE(IsValidLabelName("alertname"));
  EXPECT_TRUE(IsValidLabelName("_private"));
  EXPECT_TRUE(IsValidLabelName("Z9_x"));
  EXPECT_FALSE(IsValidLabelName(""));
  EXPECT_FALSE(IsValidLabelName("1bad"));
  EXPECT_FALSE(IsValidLabelName("bad-name"));
  EXPECT_FALSE(IsValidLabelName("dotted.name"));
  EXPECT_FALSE(IsValidLabelName("caf\xc3\xa9"));
}

// --- Webhook v4 ---

TEST(WebhookV4Test, ParsesCapturedFiringGroup) {
  auto payload = ParseWebhookV4(json::parse(kWebhookTwoFiring));

  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(payload->group_key, R"({}:{alertname="GIProbe52545", cluster="x"})");
  EXPECT_TRUE(payload->firing);
  EXPECT_EQ(payload->receiver, "webhook");
  EXPECT_EQ(payload->external_url, "http://vm:29093");
  EXPECT_EQ(payload->group_labels, (core::LabelSet{{"alertname", "GIProbe52545"}, {"cluster", "x"}}));
  EXPECT_EQ(payload->common_labels, payload->group_labels);
  EXPECT_TRUE(payload->common_annotations.empty());
  EXPECT_EQ(payload->truncated_alerts, 0);
  ASSERT_EQ(payload->alerts.size(), 2u);
  const WebhookAlert& first = payload->alerts[0];
  EXPECT_TRUE(first.firing);
  EXPECT_EQ(first.labels.Get("instance"), "i1");
  EXPECT_EQ(first.starts_at, Millis(1795952547453));  // nanoseconds truncated to milliseconds
  EXPECT_FALSE(first.ends_at.has_value());            // Go's zero time: still open
  EXPECT_EQ(first.generator_url, "");
  EXPECT_EQ(first.fingerprint, 0xcd3ba79623a077bcULL);
  EXPECT_EQ(payload->alerts[1].fingerprint, 0xcd3fa79623a46093ULL);
}

TEST(WebhookV4Test, ParsesCapturedResolvedGroup) {
  auto payload = ParseWebhookV4(json::parse(kWebhookResolved));

  ASSERT_TRUE(payload.ok());
  EXPECT_FALSE(payload->firing);
  ASSERT_EQ(payload->alerts.size(), 1u);
  const WebhookAlert& alert = payload->alerts[0];
  EXPECT_FALSE(alert.firing);
  EXPECT_EQ(alert.starts_at, Millis(1795952680690));
  EXPECT_EQ(alert.ends_at, Millis(1795952690690));
  EXPECT_EQ(alert.annotations.Get("summary"), "fires 10 s out of every 20 s");
  EXPECT_EQ(alert.fingerprint, 0x07d8f0017f7fdffdULL);
}

TEST(WebhookV4Test, ComputesAlertmanagersFingerprintWhenAbsent) {
  json::value body = json::parse(kWebhookTwoFiring);
  for (auto& alert : body.at("alerts").as_array()) alert.as_object().erase("fingerprint");

  auto payload = ParseWebhookV4(body);

  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(payload->alerts[0].fingerprint, 0xcd3ba79623a077bcULL);
  EXPECT_EQ(payload->alerts[1].fingerprint, 0xcd3fa79623a46093ULL);
}

TEST(WebhookV4Test, ToleratesUnknownFields) {
  json::value body = json::parse(kWebhookResolved);
  body.as_object()["routeLabels"] = json::object{{"team", "db"}};
  body.as_object()["notification_reason"] = "all alerts resolved";

  auto payload = ParseWebhookV4(body);

  EXPECT_TRUE(payload.ok());
}

TEST(WebhookV4Test, RejectsMalformedPayloadsNamingTheField) {
  struct Case {
    const char* pointer;  // member to replace, as a JSON pointer into kWebhookTwoFiring
    json::value value;
    const char* field;
  };
  const Case cases[] = {
      {"/version", "3", "/version"},
      {"/groupKey", "", "/groupKey"},
      {"/status", "pending", "/status"},
      {"/alerts", json::object{}, "/alerts"},
      {"/alerts/0/status", "active", "/alerts/0/status"},
      {"/alerts/1/labels", nullptr, "/alerts/1/labels"},
      {"/alerts/0/labels/instance", 1, "/alerts/0/labels/instance"},
      {"/commonLabels/cluster", true, "/commonLabels/cluster"},
      {"/alerts/0/startsAt", "yesterday", "/alerts/0/startsAt"},
      {"/alerts/0/fingerprint", "cd3ba79623a077b", "/alerts/0/fingerprint"},
      {"/alerts/0/fingerprint", "cd3ba79623a077bg", "/alerts/0/fingerprint"},
  };

  for (const Case& c : cases) {
    SCOPED_TRACE(c.pointer);
    json::value body = json::parse(kWebhookTwoFiring);
    body.at_pointer(c.pointer) = c.value;

    auto payload = ParseWebhookV4(body);

    ASSERT_FALSE(payload.ok());
    EXPECT_EQ(payload.error().code, core::ErrorCode::kInvalid);
    EXPECT_EQ(payload.error().field, c.field);
  }
}

TEST(WebhookV4Test, RejectsPayloadThatIsNotAnObjectOrLacksGroupKey) {
  json::value without_key = json::parse(kWebhookResolved);
  without_key.as_object().erase("groupKey");

  auto array = ParseWebhookV4(json::parse("[]"));
  auto keyless = ParseWebhookV4(without_key);

  EXPECT_FALSE(array.ok());
  ASSERT_FALSE(keyless.ok());
  EXPECT_EQ(keyless.error().field, "/groupKey");
}

}  // namespace
}  // namespace ingest
