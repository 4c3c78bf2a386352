// An incident exported as a bundle by the real server and checked by the real incidentctl, offline: it verifies as
// exported, fails naming the record when one byte of a record's payload changes, and leaks no other incident.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "support/api.h"
#include "support/process.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using test_support::HttpResponse;
using test_support::kCheckoutKey;
using test_support::Must;
using test_support::NumberField;
using test_support::ParseJson;
using test_support::StringField;

constexpr const char* kOtherSummary = "payments ledger zebra-7731 out of sync";

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();
  }

  void Trigger(const std::string& dedup_key, const std::string& summary) {
    HttpResponse response =
        Must(client_.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, dedup_key, summary)));
    ASSERT_EQ(response.status, 202) << response.body;
  }

  uint64_t IncidentWithTitle(const std::string& title) {
    for (const auto& incident : test_support::AllIncidents(client_)) {
      if (StringField(incident, "title") == title) return NumberField(incident, "id");
    }
    ADD_FAILURE() << "no incident titled " << title;
    return 0;
  }

  // Incident "db-1 is down" opened, another incident opened, the first acknowledged and noted, then a third one.
  uint64_t History() {
    Trigger("db-1-down", "db-1 is down");
    Trigger("ledger", kOtherSummary);
    const uint64_t id = IncidentWithTitle("db-1 is down");
    const std::string path = "/api/v1/incidents/" + std::to_string(id);
    EXPECT_EQ(Must(client_.Post(path + "/acknowledge", "")).status, 200);
    EXPECT_EQ(Must(client_.Post(path + "/notes", R"({"text":"failing over to the replica"})")).status, 201);
    Trigger("later", "something later");
    return id;
  }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = (files_.path() / name).string();
    test_support::WriteFile(path, contents);
    return path;
  }

  static test_support::CtlResult VerifyOffline(const std::string& path) {
    return test_support::RunCtl({"journal", "verify", "--bundle", path});
  }

  test_support::ServerProcess server_;
  test_support::HttpClient client_{0};
  test_support::TempDir files_;
};

TEST_F(BundleTest, ExportedBundleVerifiesOfflineAndFailsNamingARecordWithOneByteChanged) {
  const uint64_t id = History();

  HttpResponse exported = Must(client_.Get("/api/v1/incidents/" + std::to_string(id) + "/bundle"));
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_THAT(exported.Header("Content-Type"), StartsWith("application/json"));
  const std::string path = Write("bundle.json", exported.body);
  auto verified = VerifyOffline(path);

  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, StartsWith("OK: "));
  EXPECT_THAT(verified.out, HasSubstr(" of incident " + std::to_string(id) + "), chain links from seq "));
  EXPECT_THAT(exported.body, Not(HasSubstr(kOtherSummary)));
  EXPECT_THAT(exported.body, Not(HasSubstr("zebra")));
  EXPECT_THAT(exported.body, HasSubstr("failing over to the replica"));

  // The note's record: change the first base64 digit of its payload, i.e. the payload's first byte.
  const auto bundle = ParseJson(exported.body);
  uint64_t note_seq = 0;
  std::string payload;
  for (const auto& record : bundle.as_object().at("records").as_array()) {
    if (StringField(record, "type_name") == "incident.note") {
      note_seq = NumberField(record, "seq");
      payload = StringField(record, "payload");
    }
  }
  ASSERT_NE(note_seq, 0u) << exported.body;
  std::string changed = exported.body;
  const size_t at = changed.find("\"payload\":\"" + payload + "\"");
  ASSERT_NE(at, std::string::npos);
  char& digit = changed[at + 11];
  digit = digit == 'A' ? 'B' : 'A';
  auto broken = VerifyOffline(Write("changed.json", changed));

  EXPECT_EQ(broken.exit_code, 1) << broken.out << broken.err;
  EXPECT_THAT(broken.out, HasSubstr("record " + std::to_string(note_seq) + ": hash mismatch")) << broken.out;
}

TEST_F(BundleTest, LastHashMatchesTheLiveJournalRecordHash) {
  const uint64_t id = History();
  auto exported = server_.Ctl({"incidents", "export", std::to_string(id), "-o", (files_.path() / "b.json").string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const auto bundle = ParseJson(test_support::ReadFile((files_.path() / "b.json").string()));
  const auto& records = bundle.as_object().at("records").as_array();
  const uint64_t last_seq = NumberField(records.back(), "seq");
  const std::string last_hash = StringField(records.back(), "hash");

  auto verified = VerifyOffline((files_.path() / "b.json").string());
  auto live = server_.Ctl({"journal", "hash", std::to_string(last_seq)});

  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("to " + std::to_string(last_seq) + ", head hash " + last_hash));
  ASSERT_EQ(live.exit_code, 0) << live.err;
  EXPECT_THAT(live.out, StartsWith("record " + std::to_string(last_seq) + " hash " + last_hash));
}

TEST_F(BundleTest, MarkdownShowsTheTimelineForAViewer) {
  const uint64_t id = History();
  test_support::HttpClient viewer = server_.Client(test_support::kViewerToken);
  const std::string target = "/api/v1/incidents/" + std::to_string(id) + "/bundle";

  HttpResponse by_query = Must(viewer.Get(target + "?format=markdown"));
  HttpResponse by_accept = Must(viewer.Send("GET", target, "", {{"Accept", "text/markdown"}}));

  EXPECT_EQ(by_query.status, 200) << by_query.body;
  EXPECT_THAT(by_query.Header("Content-Type"), StartsWith("text/markdown"));
  EXPECT_THAT(by_query.body, StartsWith("# Incident " + std::to_string(id) + ": db-1 is down"));
  EXPECT_THAT(by_query.body, HasSubstr("| incident.note | failing over to the replica |"));
  EXPECT_THAT(by_query.body, HasSubstr("## Hashes"));
  EXPECT_THAT(by_query.body, Not(HasSubstr("zebra")));
  EXPECT_EQ(by_accept.status, 200);
  EXPECT_THAT(by_accept.Header("Content-Type"), StartsWith("text/markdown"));
}

TEST_F(BundleTest, UnknownIncidentIsAProblemNotFound) {
  HttpResponse response = Must(client_.Get("/api/v1/incidents/999/bundle"));
  auto exported = server_.Ctl({"incidents", "export", "999"});

  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response.Header("Content-Type"), StartsWith("application/problem+json"));
  EXPECT_EQ(exported.exit_code, 1);
  EXPECT_EQ(exported.out, "");
}

}  // namespace
