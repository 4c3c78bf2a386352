// Incident or routine, from SLO burn rates, through the engine with a fake clock: what pages, what is a ticket, and
// what is neither.
#include <gtest/gtest.h>

#include "domain/classify/pipeline.h"
#include "scenario_harness.h"

namespace scenario {
namespace {

constexpr int64_t kMinute = 60'000;

core::Timestamp Utc(const char* text) { return core::ParseRfc3339(text).value(); }

incident::Config Services() {
  incident::ServiceConfig checkout;
  checkout.name = "checkout";
  checkout.routing_keys = {"checkout-key"};
  checkout.group_wait = 0s;
  return incident::Config({checkout});
}

classify::Config Slos() {
  classify::Config c;
  c.slos.push_back(classify::Slo{"checkout", "latency", "requests served within 300 ms", 0.999,
                                 std::chrono::hours(24 * 30)});
  return c;
}

// Posts one sample a minute over [from, from + minutes) at burn rate `burn`, in batches as a metrics pipeline would.
void Post(Harness& h, core::Timestamp from, int minutes, double burn) {
  std::vector<classify::SliSample> samples;
  for (int i = 0; i < minutes; ++i) {
    const uint64_t total = 60000;
    const uint64_t bad = static_cast<uint64_t>(burn * 0.001 * total + 0.5);
    samples.push_back({core::ToUnixMillis(from) + i * kMinute, total - bad, total});
    if (samples.size() == 60 || i + 1 == minutes) {
      auto out = h.Run(engine::Command{"token:metrics", engine::RecordSli{"checkout", "latency", samples}});
      ASSERT_TRUE(out.status.ok()) << out.status.error().message;
      samples.clear();
    }
  }
}

classify::SloState Slo(Harness& h) {
  classify::SloState s;
  h.Read([&](const engine::State& st) {
    auto it = st.classify.slos.find({"checkout", "latency"});
    if (it != st.classify.slos.end()) s = it->second;
  });
  return s;
}

TEST(ClassifyScenarioTest, ALatencySloBurningTwiceForSixHoursIsRoutineNotAnIncident) {
  Harness h(Services(), {});
  h.SetClassify(Slos());
  const core::Timestamp start = Utc("2026-11-29T00:00:00Z");
  for (int hour = 0; hour < 6; ++hour) {
    h.At(start + std::chrono::hours(hour + 1));
    Post(h, start + std::chrono::hours(hour), 60, 2);
  }
  EXPECT_TRUE(h.Incidents().empty()) << "2× never pages";
  EXPECT_EQ(Slo(h).verdict, classify::Verdict::kTicket);
  std::vector<classify::Routine> routine;
  h.Read([&](const engine::State& s) { routine = s.classify.routine; });
  ASSERT_EQ(routine.size(), 1u);
  EXPECT_NE(routine[0].reason.find("ticket at 1.0×"), std::string::npos) << routine[0].reason;
}

TEST(ClassifyScenarioTest, FifteenTimesForAnHourStillBurningOpensAnIncidentThatResolvesWhenItStops) {
  Harness h(Services(), {});
  h.SetClassify(Slos());
  const core::Timestamp start = Utc("2026-11-29T00:00:00Z");
  h.At(start + std::chrono::minutes(60));
  Post(h, start, 60, 15);
  auto open = h.Incidents({"triggered"});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].title, "SLO latency burning its error budget");
  auto alerts = h.Alerts(open[0].id);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].summary,
            "SLO latency of checkout is burning 15.0× its error budget over 1h and 15.0× over 5m (page at 14.4×)");
  EXPECT_EQ(Slo(h).verdict, classify::Verdict::kPage);
  // Healthy again: once the short windows clear, the page's alert resolves (and the incident with it); the 3 d
  // window still shows the budget spent, which stays a ticket.
  for (int m = 0; m < 40; ++m) {
    h.At(start + std::chrono::minutes(61 + m));
    Post(h, start + std::chrono::minutes(60 + m), 1, 0);
  }
  EXPECT_EQ(Slo(h).verdict, classify::Verdict::kTicket);
  EXPECT_EQ(h.Incident(open[0].id).state, "resolved");
}

TEST(ClassifyScenarioTest, AShortSpikeThatStoppedBeforeItsSamplesArrivedDoesNotPage) {
  Harness h(Services(), {});
  h.SetClassify(Slos());
  const core::Timestamp start = Utc("2026-11-29T00:00:00Z");
  h.At(start + std::chrono::hours(6));
  Post(h, start, 360, 0);
  // The pipeline delivers the next 36 minutes late, in one batch: a 30-minute 40× spike, then 6 healthy minutes.
  h.At(start + std::chrono::minutes(396));
  std::vector<classify::SliSample> samples;
  for (int i = 0; i < 36; ++i) {
    const uint64_t total = 60000, bad = i < 30 ? 2400 : 0;
    samples.push_back({core::ToUnixMillis(start) + (360 + i) * kMinute, total - bad, total});
  }
  ASSERT_TRUE(h.Run(engine::Command{"token:metrics", engine::RecordSli{"checkout", "latency", samples}}).status.ok());
  EXPECT_TRUE(h.Incidents().empty()) << "the 1 h window is above 14.4× but the last 5 minutes are not";
  EXPECT_NE(Slo(h).verdict, classify::Verdict::kPage);
}

TEST(ClassifyScenarioTest, SamplesAreCheckedAndAnUnknownSloIsRefused) {
  Harness h(Services(), {});
  h.SetClassify(Slos());
  h.At(Utc("2026-11-29T00:00:00Z"));
  auto out = h.Run(engine::Command{"token:metrics", engine::RecordSli{"checkout", "errors", {{0, 1, 1}}}});
  EXPECT_EQ(out.status.error().code, core::ErrorCode::kNotFound);
  out = h.Run(engine::Command{"token:metrics", engine::RecordSli{"checkout", "latency", {{0, 5, 4}}}});
  EXPECT_EQ(out.status.error().field, "/samples/0/good");
  out = h.Run(engine::Command{"token:metrics",
                              engine::RecordSli{"checkout", "latency",
                                                {{core::ToUnixMillis(h.now()) - 4 * 24 * 3600 * 1000LL, 1, 1}}}});
  EXPECT_EQ(out.status.error().field, "/samples/0/time");
  EXPECT_EQ(h.Count("sli.recorded"), 0u) << "refused samples change nothing";
}

}  // namespace
}  // namespace scenario

namespace scenario {
namespace {

incident::Config TwoServices() {
  incident::ServiceConfig checkout;
  checkout.name = "checkout";
  checkout.routing_keys = {"checkout-key"};
  checkout.group_wait = 0s;
  incident::ServiceConfig blog;
  blog.name = "blog";
  blog.routing_keys = {"blog-key"};
  blog.group_wait = 0s;
  return incident::Config({checkout, blog});
}

classify::Config MajorRules() {
  classify::Config c;
  c.catalogue = {{"checkout", "payments-team", {"payments"}, 50000, {}, {}}, {"blog", "marketing", {"content"}, 0, {}, {}}};
  c.critical_functions = {"payments"};
  classify::MajorCriteria m;
  m.critical_function_down = true;
  m.categories = {"security"};
  m.policy = "major";
  c.major = m;
  return c;
}

escalation::Config MajorPaging() {
  escalation::ConfigInput in;
  in.channels = {"hook"};
  in.known_services = {"checkout", "blog"};
  in.people = {escalation::Person{"ic", {escalation::Contact{"hook", "", {}}}},
               escalation::Person{"oncall", {escalation::Contact{"hook", "", {}}}}};
  escalation::Policy major{"major", {}, 0, 5min};
  major.steps.push_back(escalation::Step{{}, {escalation::Target{escalation::TargetKind::kUser, "ic"}}});
  escalation::Policy normal{"normal", {}, 0, 5min};
  normal.steps.push_back(escalation::Step{{}, {escalation::Target{escalation::TargetKind::kUser, "oncall"}}});
  in.policies = {major, normal};
  escalation::RouteRule all;
  all.name = "all";
  all.policy = "normal";
  in.routes = {all};
  return escalation::Config::Make(in).value();
}

engine::Outcome Send(Harness& h, const char* key, const char* id, ingest::Severity severity) {
  ingest::Event e;
  e.routing_key = key;
  e.action = ingest::Action::kTrigger;
  e.dedup_key = id;
  e.summary = std::string(id) + " failing";
  e.source = "web-1";
  e.severity = severity;
  return h.Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
}

std::vector<engine::TimelineRow> Timeline(Harness& h, uint64_t id) {
  auto rows = h.store().Timeline(id, 0, 200);
  return rows.ok() ? rows.value() : std::vector<engine::TimelineRow>{};
}

TEST(ClassifyScenarioTest, ACriticalFunctionDownIsPromotedToMajorWithItsReasonAndPagesTheMajorPolicy) {
  Harness h(TwoServices(), {});
  h.SetClassify(MajorRules());
  h.SetPaging(MajorPaging());
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t minor = Send(h, "blog-key", "blog-down", ingest::Severity::kCritical).incident_id;
  EXPECT_TRUE(h.Incident(minor).major_reason.empty()) << "the blog supports no critical function";
  const uint64_t warn = Send(h, "checkout-key", "slow", ingest::Severity::kWarning).incident_id;
  EXPECT_TRUE(h.Incident(warn).major_reason.empty()) << "a warning is not the function being down";
  const uint64_t id = Send(h, "checkout-key", "payments-down", ingest::Severity::kCritical).incident_id;
  EXPECT_EQ(h.Incident(id).major_reason, "critical business function payments is down (checkout, severity critical)");
  bool on_timeline = false;
  for (const auto& row : Timeline(h, id)) {
    if (row.kind == "major") {
      on_timeline = true;
      EXPECT_EQ(row.text,
                "Promoted to major incident: critical business function payments is down (checkout, severity "
                "critical)");
      EXPECT_EQ(row.actor, "token:monitor");
    }
  }
  EXPECT_TRUE(on_timeline);
  escalation::Escalation e;
  h.Read([&](const engine::State& s) { e = *s.paging.FindEscalation(id); });
  EXPECT_EQ(e.policy, "major");
  EXPECT_EQ(e.paged, std::vector<std::string>{"ic"});
  EXPECT_EQ(h.Count("incident.major"), 1u) << "promoted once";
  Send(h, "checkout-key", "payments-down", ingest::Severity::kCritical);
  EXPECT_EQ(h.Count("incident.major"), 1u);
}

TEST(ClassifyScenarioTest, ReclassifyingAsASecurityBreachPromotesToMajorOnTheTimelineWithActorAndReason) {
  Harness h(TwoServices(), {});
  h.SetClassify(MajorRules());
  h.SetPaging(MajorPaging());
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t id = Send(h, "blog-key", "odd-logins", ingest::Severity::kWarning).incident_id;
  EXPECT_TRUE(h.Incident(id).major_reason.empty());
  h.Advance(10min);
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::ReclassifyIncident{id, "security", "intrusion",
                                                                            "admin panel accessed from abroad"}})
                  .status.ok());
  EXPECT_EQ(h.Incident(id).major_reason, "category security/intrusion is major by definition");
  std::vector<std::string> lines;
  for (const auto& row : Timeline(h, id)) {
    if (row.kind == "reclassified" || row.kind == "major") lines.push_back(row.actor + " " + row.text);
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "user:alice Reclassified from unclassified to security/intrusion by user:alice: admin panel "
                      "accessed from abroad");
  EXPECT_EQ(lines[1], "user:alice Promoted to major incident: category security/intrusion is major by definition");
  // It survives a restart, and closing the incident later keeps the reason on its row.
  h.Reopen();
  EXPECT_EQ(h.Incident(id).major_reason, "category security/intrusion is major by definition");
}

}  // namespace
}  // namespace scenario

#include "app/regulatory_rules.h"

namespace scenario {
namespace {

classify::Config EuBank() {
  classify::Config c;
  c.catalogue = {{"checkout", "payments-team", {"payments"}, 50000, {"EU"}, {"personal"}}};
  c.entity = {"financial_entity", "nis2_entity"};
  classify::MajorCriteria m;
  m.categories = {"security"};
  c.major = m;
  auto regimes = app::LoadRegimes(std::string(std::getenv("INCIDENTD_SOURCE_DIR")) + "/rules/regulatory.yaml");
  EXPECT_TRUE(regimes.ok());
  c.regimes = regimes.value();
  return c;
}

std::map<std::string, std::string> Due(Harness& h, uint64_t id, const classify::Config& config,
                                       const incident::Config& services) {
  std::map<std::string, std::string> out;
  h.Read([&](const engine::State& s) {
    const classify::View v{s.classify, s.incidents, config, services};
    for (const auto& d : classify::Deadlines(v, *s.incidents.FindIncident(id))) {
      out[d.regime + "/" + d.stage] = d.submitted ? "submitted"
                                      : d.due     ? core::FormatRfc3339(*d.due)
                                                  : "waiting for " + d.waiting_for;
    }
  });
  return out;
}

TEST(ClassifyScenarioTest, ABreachAtAnEuBankRunsGdprNis2AndDoraClocksWithRemindersAndSubmissions) {
  incident::Config services = Services();
  classify::Config config = EuBank();
  Harness h(services, {});
  h.SetClassify(config);
  const core::Timestamp t0 = Utc("2026-12-04T14:00:00Z");  // a Friday afternoon
  h.At(t0);
  ingest::Event e;
  e.routing_key = "checkout-key";
  e.action = ingest::Action::kTrigger;
  e.dedup_key = "admin-login";
  e.summary = "admin panel accessed with a leaked key";
  e.event_class = "security";
  e.severity = ingest::Severity::kCritical;
  const uint64_t id = h.Run(engine::Command{"token:siem", engine::SubmitEvent{e}}).incident_id;
  EXPECT_FALSE(h.Incident(id).major_reason.empty()) << "a security incident is major here";
  auto due = Due(h, id, config, services);
  // Without a confirmed breach GDPR does not apply yet; DORA and NIS2 run from the promotion.
  EXPECT_EQ(due.count("eu_gdpr_art33/notification"), 0u);
  EXPECT_EQ(due["eu_dora_major_ict_incident/initial_notification"], "2026-12-04T18:00:00Z");
  EXPECT_EQ(due["eu_nis2_art23/early_warning"], "2026-12-05T14:00:00Z");

  h.At(t0 + 2h);
  ASSERT_TRUE(h.Run(engine::Command{"user:dpo", engine::RecordRegulatoryFact{id, "breach", "customer emails read"}})
                  .status.ok());
  due = Due(h, id, config, services);
  EXPECT_EQ(due["eu_gdpr_art33/notification"], "2026-12-07T14:00:00Z") << "72 h from awareness, over the weekend";

  // Reminders: the DORA initial notification (due 18:00) was reminded at its 4 h mark, then 1 h before.
  size_t reminders = h.Count("regulatory.reminded");
  EXPECT_GE(reminders, 1u);
  h.At(t0 + 3h);
  EXPECT_EQ(h.Count("regulatory.reminded"), reminders + 1);
  h.At(t0 + 3h + 1min);
  EXPECT_EQ(h.Count("regulatory.reminded"), reminders + 1) << "each reminder once";
  bool told = false;
  auto rows = h.store().Timeline(id, 0, 500);
  ASSERT_TRUE(rows.ok());
  for (const auto& row : rows.value()) {
    if (row.text.find("Regulatory deadline due in 1h: DORA") != std::string::npos) told = true;
  }
  EXPECT_TRUE(told);

  h.At(t0 + 3h + 30min);
  EXPECT_EQ(h.Run(engine::Command{"user:dpo", engine::RecordSubmission{id, "eu_dora_major_ict_incident", "final",
                                                                       ""}})
                .status.error()
                .field,
            "/stage");
  ASSERT_TRUE(h.Run(engine::Command{"user:dpo", engine::RecordSubmission{id, "eu_dora_major_ict_incident",
                                                                         "initial_notification", "DORA-2026-77"}})
                  .status.ok());
  due = Due(h, id, config, services);
  EXPECT_EQ(due["eu_dora_major_ict_incident/initial_notification"], "submitted");
  EXPECT_EQ(due["eu_dora_major_ict_incident/intermediate_report"], "2026-12-07T17:30:00Z");
  const size_t before_due = h.Count("regulatory.reminded");
  h.At(t0 + 4h);
  EXPECT_EQ(h.Count("regulatory.reminded"), before_due) << "a submitted report is not reminded";
}

}  // namespace
}  // namespace scenario

namespace scenario {
namespace {

TEST(ClassifyScenarioTest, SeverityPriorityAndOwnerFollowTheFactsWithTheirReasons) {
  incident::Config services = TwoServices();
  classify::Config config = MajorRules();
  config.owner_rules = {classify::OwnerRule{{"security"}, {}, "security-team"}};
  Harness h(services, {});
  h.SetClassify(config);
  h.SetPaging(MajorPaging());
  h.At(Utc("2026-11-29T10:00:00Z"));
  auto assess = [&](uint64_t id) {
    classify::Assessment a;
    h.Read([&](const engine::State& s) {
      a = classify::Assess(classify::View{s.classify, s.incidents, config, services}, *s.incidents.FindIncident(id));
    });
    return a;
  };
  const uint64_t blog = Send(h, "blog-key", "typo", ingest::Severity::kWarning).incident_id;
  classify::Assessment a = assess(blog);
  EXPECT_EQ(a.severity, "SEV5");
  EXPECT_EQ(a.priority, "P5");
  EXPECT_EQ(a.priority_reason, "low impact (0 customers served by 1 service) × low urgency (alert severity warning)");
  EXPECT_EQ(a.owner_team, "marketing");
  const uint64_t pay = Send(h, "checkout-key", "payments-down", ingest::Severity::kCritical).incident_id;
  a = assess(pay);
  EXPECT_EQ(a.severity, "SEV1");
  EXPECT_EQ(a.severity_reason, "major incident with a critical business function down");
  EXPECT_EQ(a.impact, "high");
  EXPECT_EQ(a.priority, "P1");
  EXPECT_EQ(a.owner_team, "payments-team");
  EXPECT_EQ(a.owner_reason, "owner of checkout, the component that failed first");
  // A declared ownership rule takes precedence over the service's team.
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::ReclassifyIncident{blog, "security", "", "defaced"}})
                  .status.ok());
  a = assess(blog);
  EXPECT_EQ(a.owner_team, "security-team");
  EXPECT_EQ(a.severity, "SEV1") << "reclassified as security, it became major";
  // A person's assignment wins over the rules, and is on the timeline.
  ASSERT_TRUE(h.Run(engine::Command{"user:ic", engine::AssignOwner{blog, "web-team", "the CMS plugin is theirs"}})
                  .status.ok());
  a = assess(blog);
  EXPECT_EQ(a.owner_team, "web-team");
  EXPECT_EQ(a.owner_reason, "assigned by user:ic: the CMS plugin is theirs");
  bool on_timeline = false;
  for (const auto& row : Timeline(h, blog)) {
    if (row.kind == "owner") {
      on_timeline = row.text == "Primary owner: web-team, assigned by user:ic: the CMS plugin is theirs";
    }
  }
  EXPECT_TRUE(on_timeline);
  EXPECT_EQ(h.Run(engine::Command{"user:ic", engine::AssignOwner{blog, "", ""}}).status.error().field, "/team");
}

}  // namespace
}  // namespace scenario

namespace scenario {
namespace {

TEST(ClassifyScenarioTest, ACatalogueReloadIsJournaledAndPromotesAnOpenIncidentThatNowMeetsTheCriteria) {
  Harness h(TwoServices(), {});
  classify::Config before = MajorRules();
  before.major->customers_affected = 100000;  // checkout serves 50,000: not major yet
  h.SetClassify(before);
  h.SetPaging(MajorPaging());
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t id = Send(h, "checkout-key", "slow", ingest::Severity::kWarning).incident_id;
  EXPECT_TRUE(h.Incident(id).major_reason.empty());

  // The catalogue now says checkout serves 150,000 customers: the open incident meets the criterion.
  classify::Config after = before;
  after.catalogue[0].customers = 150000;
  engine::ReloadConfig reload;
  reload.classify = std::make_shared<const classify::Config>(after);
  reload.digests = {{"services/checkout/catalogue", "b"}};
  reload.changes = {"services/checkout/catalogue changed: in force now"};
  h.Advance(1min);
  ASSERT_TRUE(h.Run(engine::Command{"system:reload", reload}).status.ok());
  EXPECT_EQ(h.Incident(id).major_reason, "150000 customers served by the affected services, at least 100000");
  EXPECT_EQ(h.Count("config.changed"), 1u);
  escalation::Escalation e;
  h.Read([&](const engine::State& s) { e = *s.paging.FindEscalation(id); });
  EXPECT_EQ(e.policy, "major") << "promotion pages the major-incident policy";

  // The same digests again change nothing and journal nothing; the change survives a restart.
  ASSERT_TRUE(h.Run(engine::Command{"system:reload", reload}).status.ok());
  EXPECT_EQ(h.Count("config.changed"), 1u);
  h.Reopen();
  std::vector<classify::ConfigChange> changes;
  h.Read([&](const engine::State& s) { changes = s.classify.config_changes; });
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].actor, "system:reload");
  EXPECT_EQ(changes[0].changes, std::vector<std::string>{"services/checkout/catalogue changed: in force now"});
}

}  // namespace
}  // namespace scenario
