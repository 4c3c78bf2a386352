// Classification against the real binary: taxonomy rules choose an incident's category and say which rule did;
// people reclassify (on the timeline with actor and reason); the usage report shows dead and misleading categories.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <csignal>
#include <set>
#include <string>
#include <thread>

#include "support/api.h"
#include "support/server_process.h"

namespace {

namespace json = boost::json;
using test_support::HttpResponse;
using test_support::Must;
using test_support::ParseJson;

constexpr const char* kTaxonomyYaml =
    "taxonomy:\n"
    "  categories:\n"
    "    security: [intrusion, data_exfiltration]\n"
    "    outage: [full, partial]\n"
    "    performance: [latency]\n"
    "  rules:\n"
    "    - {name: leak-text, category: security, subcategory: data_exfiltration, text: \"(?i)data leak|exfiltrat\"}\n"
    "    - {name: host-down, category: outage, subcategory: full, matchers: ['class=\"host_down\"']}\n";

std::string Event(const std::string& key, const std::string& summary, const std::string& klass = "") {
  return R"({"routing_key":"checkout-key","event_action":"trigger","dedup_key":")" + key +
         R"(","payload":{"summary":")" + summary + R"(","source":"web-1","severity":"error")" +
         (klass.empty() ? "" : R"(,"class":")" + klass + "\"") + "}}";
}

class ClassifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();
  }
  json::value Classification(uint64_t id) {
    return ParseJson(Must(client_.Get("/api/v1/incidents/" + std::to_string(id))).body).at("classification");
  }
  test_support::ServerProcess server_{kTaxonomyYaml};
  test_support::HttpClient client_{0};
};

TEST_F(ClassifyTest, ARuleChoosesTheCategoryAndTheIncidentSaysWhichRule) {
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", Event("a", "possible data leak from export job"))).status, 202);
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", Event("b", "db-1 unreachable", "host_down"))).status, 202);
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", Event("c", "cpu at 95%"))).status, 202);
  json::value c = Classification(1);
  EXPECT_EQ(c.at("category"), "security");
  EXPECT_EQ(c.at("subcategory"), "data_exfiltration");
  EXPECT_EQ(c.at("category_rule"), "leak-text");
  EXPECT_EQ(Classification(2).at("category"), "outage");
  EXPECT_EQ(Classification(2).at("category_rule"), "host-down");
  EXPECT_TRUE(Classification(3).at("category").is_null()) << "no rule matched";
  // The list shows it too.
  json::value list = ParseJson(Must(client_.Get("/api/v1/incidents")).body);
  EXPECT_EQ(list.at("incidents").as_array().back().at("classification").at("category"), "security");
}

TEST_F(ClassifyTest, ReclassifyingIsOnTheTimelineWithActorAndReasonAndCounted) {
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", Event("a", "possible data leak from export job"))).status, 202);
  HttpResponse bad = Must(client_.Post("/api/v1/incidents/1/reclassify", R"({"category":"weather"})"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"field\":\"/category\""), std::string::npos) << bad.body;
  bad = Must(client_.Post("/api/v1/incidents/1/reclassify", R"({"category":"outage","subcategory":"meteor"})"));
  EXPECT_NE(bad.body.find("\"field\":\"/subcategory\""), std::string::npos) << bad.body;
  EXPECT_EQ(Must(server_.Client(test_support::kViewerToken)
                     .Post("/api/v1/incidents/1/reclassify", R"({"category":"outage"})"))
                .status,
            403);

  auto ctl = server_.Ctl({"incidents", "reclassify", "1", "--category", "outage", "--subcategory", "partial",
                          "--reason", "the export job failed; no data left"});
  ASSERT_EQ(ctl.exit_code, 0) << ctl.err;
  json::value c = Classification(1);
  EXPECT_EQ(c.at("category"), "outage");
  EXPECT_EQ(c.at("subcategory"), "partial");
  EXPECT_EQ(c.at("category_rule"), "token:admin");
  std::string timeline = Must(client_.Get("/api/v1/incidents/1/timeline")).body;
  EXPECT_NE(timeline.find("Reclassified from security/data_exfiltration to outage/partial by token:admin: the "
                          "export job failed; no data left"),
            std::string::npos)
      << timeline;

  json::value usage = ParseJson(Must(client_.Get("/api/v1/taxonomy/usage")).body);
  std::map<std::string, json::value> by;
  for (const auto& u : usage.at("categories").as_array()) {
    by[u.at("category").is_null() ? "" : std::string(u.at("category").as_string())] = u;
  }
  EXPECT_EQ(by["security"].at("assigned"), 1);
  EXPECT_EQ(by["security"].at("reclassified_from"), 1);
  EXPECT_EQ(by["outage"].at("reclassified_to"), 1);
  EXPECT_EQ(by["performance"].at("assigned"), 0) << "unused categories are listed";
  ctl = server_.Ctl({"taxonomy", "usage"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_NE(ctl.out.find("performance"), std::string::npos) << ctl.out;

  // Reclassifications survive a restart (they are journal records).
  ASSERT_TRUE(server_.Restart().ok());
  client_ = server_.Client();
  EXPECT_EQ(Classification(1).at("category"), "outage");
  usage = ParseJson(Must(client_.Get("/api/v1/taxonomy/usage")).body);
  EXPECT_EQ(usage.at("incidents"), 1);
}

// Samples over the last `minutes` minutes at burn rate `burn` (objective 0.999), one per minute.
std::string Samples(int minutes, double burn) {
  const int64_t now = core::ToUnixMillis(std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()));
  std::string out = R"({"service":"checkout","slo":"latency","samples":[)";
  for (int i = 0; i < minutes; ++i) {
    const int64_t at = now - (minutes - 1 - i) * 60000LL;
    const int bad = static_cast<int>(burn * 10 + 0.5);  // of 10000
    if (i) out += ',';
    out += R"({"time":")" + core::FormatRfc3339(core::FromUnixMillis(at)) + R"(","good":)" +
           std::to_string(10000 - bad) + R"(,"total":10000})";
  }
  return out + "]}";
}

TEST(SloIngestTest, SamplesBurningFifteenTimesForAnHourOpenAnIncident) {
  test_support::ServerProcess server(
      "services:\n"
      "  - name: checkout\n"
      "    routing_keys: [checkout-key]\n"
      "    slos: [{name: latency, sli: \"requests within 300 ms\", objective: 0.999, window: 720h}]\n"
      "  - {name: prometheus}\n"
      "  - {name: db}\n");
  ASSERT_TRUE(server.Start().ok()) << server.ReadStderr();
  auto client = server.Client();
  HttpResponse bad = Must(client.Post("/api/v1/sli", R"({"service":"checkout","slo":"latency","samples":[{"good":5,"total":4}]})"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"field\":\"/samples/0/good\""), std::string::npos) << bad.body;
  EXPECT_EQ(Must(client.Post("/api/v1/sli", R"({"service":"checkout","slo":"nope","samples":[{"good":1,"total":1}]})"))
                .status,
            404);
  HttpResponse ok = Must(client.Post("/api/v1/sli", Samples(60, 15)));
  ASSERT_EQ(ok.status, 202) << ok.body;
  json::value incidents = ParseJson(Must(client.Get("/api/v1/incidents")).body);
  ASSERT_EQ(incidents.at("incidents").as_array().size(), 1u);
  EXPECT_EQ(incidents.at("incidents").as_array()[0].at("title"), "SLO latency burning its error budget");
  json::value slos = ParseJson(Must(client.Get("/api/v1/slos")).body);
  EXPECT_EQ(slos.at("slos").as_array()[0].at("verdict"), "page");
  EXPECT_GT(slos.at("slos").as_array()[0].at("burn").as_array()[0].at("long_burn").as_double(), 14.4);
  EXPECT_EQ(Must(client.Get("/api/v1/routine")).status, 200);
}

// Checkout with one SLO, and the services the default Alertmanager routes send to.
constexpr const char* kCheckoutWithAnSlo =
    "services:\n"
    "  - name: checkout\n"
    "    routing_keys: [checkout-key]\n"
    "    slos: [{name: latency, objective: 0.999, window: 720h}]\n"
    "  - {name: prometheus}\n"
    "  - {name: db}\n";

TEST(SloIngestTest, AlertsCanCarrySliSamplesAndAreConsumedAsSamples) {
  test_support::ServerProcess server(kCheckoutWithAnSlo);
  ASSERT_TRUE(server.Start().ok()) << server.ReadStderr();
  auto client = server.Client();
  // What a Prometheus alerting rule feeding an SLI sends: 98.5% good, a 15x burn of a 99.9% objective.
  HttpResponse posted = Must(client.Post(
      "/api/v2/alerts",
      R"([{"labels":{"alertname":"CheckoutLatencySLI","slo":"latency","sli_service":"checkout"},)"
      R"("annotations":{"sli_good":"985","sli_total":"1000"}}])"));
  ASSERT_EQ(posted.status, 200) << posted.body;
  json::value slos = ParseJson(Must(client.Get("/api/v1/slos")).body);
  EXPECT_EQ(slos.at("slos").as_array()[0].at("verdict"), "page");
  json::value incidents = ParseJson(Must(client.Get("/api/v1/incidents")).body);
  ASSERT_EQ(incidents.at("incidents").as_array().size(), 1u) << "the SLO's incident, not one for the carrier alert";
  EXPECT_EQ(incidents.at("incidents").as_array()[0].at("service"), "checkout");
  EXPECT_EQ(ParseJson(Must(client.Get("/api/v2/alerts")).body).as_array().size(), 0u);
}

TEST(SloIngestTest, SliSamplesAmongOrdinaryAlertsLeaveTheOthersHeldWithTheirOwnLabels) {
  test_support::ServerProcess server(kCheckoutWithAnSlo);
  ASSERT_TRUE(server.Start().ok()) << server.ReadStderr();
  auto client = server.Client();
  const std::string sample =
      R"({"labels":{"alertname":"CheckoutLatencySLI","slo":"latency","sli_service":"checkout"},)"
      R"("annotations":{"sli_good":"999","sli_total":"1000"}})";

  HttpResponse posted = Must(client.Post(
      "/api/v2/alerts", "[" + sample + R"(,{"labels":{"alertname":"DiskFull","instance":"db-1"}},)" + sample +
                            R"(,{"labels":{"alertname":"HighLatency","instance":"web-1"}}])"));

  ASSERT_EQ(posted.status, 200) << posted.body;
  json::array held = ParseJson(Must(client.Get("/api/v2/alerts")).body).as_array();
  ASSERT_EQ(held.size(), 2u);
  std::set<std::string> names;
  for (const auto& a : held) {
    const json::object& labels = a.at("labels").as_object();
    names.insert(std::string(labels.at("alertname").as_string()));
    EXPECT_EQ(labels.size(), 2u);
    EXPECT_FALSE(labels.contains("slo"));
  }
  EXPECT_EQ(names, (std::set<std::string>{"DiskFull", "HighLatency"}));
}

TEST(RegulatoryTest, ABreachAtAnEuBankShowsItsDeadlinesAndRecordsSubmissions) {
  const std::string rules = std::string(std::getenv("INCIDENTD_SOURCE_DIR")) + "/rules/regulatory.yaml";
  test_support::ServerProcess server(
      "services:\n"
      "  - {name: checkout, routing_keys: [checkout-key], jurisdictions: [EU], data: [personal], regions: [eu-west-1]}\n"
      "  - {name: prometheus}\n"
      "  - {name: db}\n"
      "major_incident: {categories: [security]}\n"
      "regulatory:\n"
      "  rules: \"" + rules + "\"\n"
      "  entity: [financial_entity, nis2_entity]\n");
  ASSERT_TRUE(server.Start().ok()) << server.ReadStderr();
  auto client = server.Client();
  ASSERT_EQ(Must(client.Post("/v2/enqueue", Event("a", "admin panel accessed with a leaked key", "security"))).status,
            202);
  json::value reg = ParseJson(Must(client.Get("/api/v1/incidents/1/regulatory")).body);
  std::map<std::string, json::value> by;
  for (const auto& d : reg.at("deadlines").as_array()) {
    by[std::string(d.at("regime").as_string()) + "/" + std::string(d.at("stage").as_string())] = d;
  }
  ASSERT_EQ(by.count("eu_dora_major_ict_incident/initial_notification"), 1u) << json::serialize(reg);
  EXPECT_GT(by["eu_dora_major_ict_incident/initial_notification"].at("seconds_left").as_int64(), 4 * 3600 - 60);
  EXPECT_EQ(by.count("eu_gdpr_art33/notification"), 0u) << "no confirmed breach yet";

  HttpResponse fact = Must(client.Post("/api/v1/incidents/1/regulatory/facts",
                                       R"({"fact":"breach","note":"customer emails were read"})"));
  ASSERT_EQ(fact.status, 200) << fact.body;
  EXPECT_NE(fact.body.find("eu_gdpr_art33"), std::string::npos);
  EXPECT_EQ(fact.body.find("eu_gdpr_art34"), std::string::npos) << "not assessed as a high risk to people yet";
  HttpResponse high = Must(client.Post("/api/v1/incidents/1/regulatory/facts",
                                       R"({"fact":"high_risk","note":"passwords in clear text"})"));
  ASSERT_EQ(high.status, 200) << high.body;
  bool art34 = false;
  const json::value high_view = ParseJson(high.body);
  for (const auto& d : high_view.at("deadlines").as_array()) {
    if (d.at("regime") != "eu_gdpr_art34") continue;
    art34 = true;
    EXPECT_EQ(d.at("without_undue_delay"), true);
    EXPECT_TRUE(d.at("due").is_null());
  }
  EXPECT_TRUE(art34) << high.body;
  EXPECT_EQ(Must(client.Post("/api/v1/incidents/1/regulatory/facts", R"({"fact":"bad vibes"})")).status, 400);
  HttpResponse wrong = Must(client.Post("/api/v1/incidents/1/regulatory/submissions",
                                        R"({"regime":"eu_dora_major_ict_incident","stage":"whenever"})"));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("\"field\":\"/stage\""), std::string::npos);
  HttpResponse sub = Must(client.Post(
      "/api/v1/incidents/1/regulatory/submissions",
      R"({"regime":"eu_dora_major_ict_incident","stage":"initial_notification","reference":"NCA-77"})"));
  ASSERT_EQ(sub.status, 200) << sub.body;
  reg = ParseJson(sub.body);
  for (const auto& d : reg.at("deadlines").as_array()) {
    if (d.at("regime") == "eu_dora_major_ict_incident" && d.at("stage") == "intermediate_report") {
      EXPECT_FALSE(d.at("due").is_null()) << "counts from the initial notification now";
    }
  }
  EXPECT_EQ(Must(client.Post("/api/v1/incidents/1/regulatory/submissions",
                             R"({"regime":"eu_dora_major_ict_incident","stage":"initial_notification"})"))
                .status,
            409);
  json::value c = ParseJson(Must(client.Get("/api/v1/incidents/1/classification")).body);
  EXPECT_EQ(c.at("major"), true);
  EXPECT_EQ(json::serialize(c.at("service").at("regions")), R"(["eu-west-1"])") << "the catalogue's facts";
  EXPECT_EQ(json::serialize(c.at("service").at("jurisdictions")), R"(["EU"])");
  EXPECT_EQ(c.at("severity").at("level"), "SEV1");
  EXPECT_EQ(c.at("priority").at("level"), "P2");  // high impact (major) × medium urgency (severity error)
  ASSERT_EQ(server.Ctl({"incidents", "owner", "1", "--team", "security-team", "--reason", "a breach"}).exit_code, 0);
  c = ParseJson(Must(client.Get("/api/v1/incidents/1/classification")).body);
  EXPECT_EQ(c.at("owner").at("team"), "security-team");
  auto ctl = server.Ctl({"incidents", "classification", "1"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_NE(ctl.out.find("SEV1: major incident of category security"), std::string::npos) << ctl.out;
  std::string timeline = Must(client.Get("/api/v1/incidents/1/timeline")).body;
  EXPECT_NE(timeline.find("Breach confirmed: customer emails were read"), std::string::npos) << timeline;
  EXPECT_NE(timeline.find("Submitted eu_dora_major_ict_incident initial_notification (reference NCA-77)"),
            std::string::npos);
}

TEST(ClassifyConfigTest, MoreThanSevenTopLevelCategoriesAreRefused) {
  test_support::ServerProcess server(
      "taxonomy:\n  categories: {a: [], b: [], c: [], d: [], e: [], f: [], g: [], h: []}\n");
  EXPECT_FALSE(server.Start().ok());
  EXPECT_NE(server.ReadStderr().find("at most 7 top-level categories"), std::string::npos) << server.ReadStderr();
}

}  // namespace

namespace {

// The service catalogue reloads without a restart (SIGHUP): the change is journaled with what took effect, and an
// open incident that now meets the major-incident criteria is promoted.
TEST(CatalogueReloadTest, RaisingAServicesCustomersOnReloadPromotesTheOpenIncidentAndIsJournaled) {
  test_support::ServerProcess server(
      "services:\n"
      "  - {name: checkout, routing_keys: [checkout-key], customers: 50000}\n"
      "  - {name: prometheus}\n"
      "  - {name: db}\n"
      "major_incident: {customers_affected: 100000}\n");
  ASSERT_TRUE(server.Start().ok()) << server.ReadStderr();
  auto client = server.Client();
  ASSERT_EQ(Must(client.Post("/v2/enqueue", Event("a", "checkout slow"))).status, 202);
  EXPECT_EQ(ParseJson(Must(client.Get("/api/v1/incidents/1/classification")).body).at("major"), false);
  json::value changes = ParseJson(Must(client.Get("/api/v1/config/changes")).body);
  ASSERT_EQ(changes.at("changes").as_array().size(), 1u) << "the configuration in force at the first start";
  EXPECT_EQ(changes.at("changes").at(0).at("actor"), "system:start");

  std::string text = test_support::ReadFile(server.config_path().string());
  const std::string from = "customers: 50000", to = "customers: 150000";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), to);
  text.replace(text.find("routing_keys: [checkout-key]"), 28, "routing_keys: [checkout-key], group_by: [source]");
  test_support::WriteFile(server.config_path().string(), text);
  ASSERT_TRUE(server.Signal(SIGHUP));
  for (int i = 0; i < 400 && changes.at("changes").as_array().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    changes = ParseJson(Must(client.Get("/api/v1/config/changes")).body);
  }
  ASSERT_EQ(changes.at("changes").as_array().size(), 2u) << server.ReadStderr();
  const json::value& reload = changes.at("changes").at(0);
  EXPECT_EQ(reload.at("actor"), "system:reload");
  EXPECT_EQ(json::serialize(reload.at("changes")),
            R"(["services/checkout changed: takes effect at restart",)"
            R"("services/checkout/catalogue changed: in force now"])");
  json::value c = ParseJson(Must(client.Get("/api/v1/incidents/1/classification")).body);
  EXPECT_EQ(c.at("major"), true) << json::serialize(c);
  std::string timeline = Must(client.Get("/api/v1/incidents/1/timeline")).body;
  EXPECT_NE(timeline.find("150000 customers served by the affected services"), std::string::npos) << timeline;
  // Only an admin sees the configuration's history.
  EXPECT_EQ(Must(server.Client(test_support::kViewerToken).Get("/api/v1/config/changes")).status, 403);
  // A restart with the same file journals nothing new.
  ASSERT_TRUE(server.Restart().ok());
  client = server.Client();
  EXPECT_EQ(ParseJson(Must(client.Get("/api/v1/config/changes")).body).at("changes").as_array().size(), 2u);
}

}  // namespace
