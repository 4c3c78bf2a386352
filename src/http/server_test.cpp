// The HTTP edge end to end over loopback: routes, auth, engine round trips and responses, against a fake backend.
#include <thread>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "engine/journal_tools.h"
#include "http/testing/server_fixture.h"

namespace http::testing {
namespace {

namespace json = boost::json;

constexpr const char* kTrigger = R"({"routing_key":"checkout-key","event_action":"trigger","dedup_key":"db-1-down",)"
                                 R"("payload":{"summary":"db-1 is down","source":"db-1","severity":"critical"}})";

engine::IncidentRow SampleIncident(uint64_t id, std::string state = "triggered") {
  engine::IncidentRow row;
  row.id = id;
  row.service = "checkout";
  row.group_key = "db-1-down";
  row.title = "db-1 is down";
  row.severity = "critical";
  row.state = std::move(state);
  row.opened_at = core::FromUnixMillis(1795953600000);  // 2026-11-29T12:00:00Z
  row.alert_count = 1;
  row.open_alert_count = 1;
  row.last_seq = 2;
  row.last_actor = "token:admin";
  return row;
}

TEST_F(ServerTest, HealthzAnswersOkWithoutAToken) {
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("GET", "/healthz");

  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ok");
}

TEST_F(ServerTest, ReadyzFollowsTheBackend) {
  StartServer();
  Client client = Connect();

  Reply ready = client.Send("GET", "/readyz");
  backend_.set_ready(false);
  Reply not_ready = client.Send("GET", "/readyz");

  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.Header("retry-after"), "1");
}

TEST_F(ServerTest, MetricsExposeTheDocumentedNames) {
  StartServer();
  backend_.mutable_stats().queue_depth = 7;
  backend_.mutable_stats().last_seq = 42;
  backend_.mutable_stats().snapshots = 3;
  backend_.mutable_stats().snapshot_bytes = 4096;
  server_->ObserveBatch(16, 0.002);
  Client client = Connect();
  client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  Reply reply = client.Send("GET", "/metrics");

  EXPECT_EQ(reply.status, 200);
  for (const char* name :
       {"incidentd_events_received_total{endpoint=\"/v2/enqueue\",outcome=\"accepted\"} 1",
        "incidentd_http_requests_total{code=\"202\"} 1", "incidentd_queue_depth 7", "incidentd_batch_size_count 1",
        "incidentd_commit_duration_seconds_count 1", "incidentd_open_incidents", "incidentd_open_alerts",
        "incidentd_journal_records_total 42", "incidentd_snapshots_total 3", "incidentd_snapshot_bytes 4096",
        "incidentd_rejected_total{reason=\"overloaded\"} 0"}) {
    EXPECT_NE(reply.body.find(name), std::string::npos) << name << "\n" << reply.body;
  }
}

TEST_F(ServerTest, EnqueueSubmitsTheEventAndAnswers202AfterCommit) {
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 202);
  EXPECT_EQ(json::parse(reply.body), json::parse(R"({"status":"success","message":"Event processed",)"
                                                 R"("dedup_key":"db-1-down"})"));
  auto submitted = backend_.submitted();
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(submitted[0].actor, "token:ingest");
  const auto& event = std::get<engine::SubmitEvent>(submitted[0].body).event;
  EXPECT_EQ(event.routing_key, "checkout-key");
  EXPECT_EQ(event.summary, "db-1 is down");
}

TEST_F(ServerTest, EnqueueGivesATriggerWithoutDedupKeyANewUuid) {
  StartServer();
  Client client = Connect();

  Reply reply = client.Send(
      "POST", "/v2/enqueue",
      R"({"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}})",
      JsonHeaders("ingest-token"));

  ASSERT_EQ(reply.status, 202);
  std::string key(json::parse(reply.body).at("dedup_key").as_string());
  ASSERT_EQ(key.size(), 36u);
  EXPECT_EQ(key[14], '4');
  EXPECT_EQ(std::get<engine::SubmitEvent>(backend_.submitted().at(0).body).event.dedup_key, key);
}

TEST_F(ServerTest, EnqueueRefusesAnInvalidEventWithPagerDutyExtrasAndSubmitsNothing) {
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue",
                            R"({"routing_key":"k","event_action":"trigger","payload":{"summary":"s",)"
                            R"("source":"h","severity":"dire"}})",
                            JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Header("content-type"), "application/problem+json");
  json::value doc = json::parse(reply.body);
  EXPECT_EQ(doc.at("message"), "Event object is invalid");
  EXPECT_EQ(doc.at("field"), "/payload/severity");
  ASSERT_EQ(doc.at("errors").as_array().size(), 1u);
  EXPECT_EQ(doc.at("errors").at(0), "payload.severity must be one of critical, error, warning, info");
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(ServerTest, EnqueueAnswers429WithRetryAfterWhenTheQueueIsFull) {
  StartServer();
  backend_.set_refusal(core::Error{core::ErrorCode::kOverloaded, "queue full", {}});
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 429);
  EXPECT_EQ(reply.Header("retry-after"), "1");
  EXPECT_EQ(json::parse(reply.body).at("type"), "urn:incidentd:problem:overloaded");
}

TEST_F(ServerTest, EnqueueAnswers503WhenTheEngineIsStopped) {
  StartServer();
  backend_.set_refusal(core::Unavailable("stopped"));
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.Header("retry-after"), "1");
}

TEST_F(ServerTest, MissingOrUnknownTokenGets401WithChallenge) {
  StartServer();
  Client client = Connect();

  Reply missing = client.Send("GET", "/api/v1/incidents");
  Reply unknown = client.Send("GET", "/api/v1/incidents", {}, Bearer("nope"));

  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.Header("www-authenticate"), "Bearer");
  EXPECT_EQ(json::parse(missing.body).at("type"), "urn:incidentd:problem:unauthenticated");
  EXPECT_EQ(unknown.status, 401);
}

TEST_F(ServerTest, RolesWithoutThePermissionGet403) {
  StartServer();
  Client client = Connect();

  Reply viewer_ingest = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("viewer-token"));
  Client c2 = Connect();
  Reply ingest_read = c2.Send("GET", "/api/v1/incidents", {}, Bearer("ingest-token"));
  Reply responder_verify = c2.Send("GET", "/api/v1/journal/verify", {}, Bearer("responder-token"));
  Reply viewer_ack = c2.Send("POST", "/api/v1/incidents/1/acknowledge", {}, Bearer("viewer-token"));

  EXPECT_EQ(viewer_ingest.status, 403);
  EXPECT_EQ(ingest_read.status, 403);
  EXPECT_EQ(responder_verify.status, 403);
  EXPECT_EQ(viewer_ack.status, 403);
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(ServerTest, WhoamiNamesTheCallerAUserWithTheirTeams) {
  ServerOptions options = DefaultOptions();
  options.users.push_back(User{"alice", "communicator", {"web"}, {}, {{"laptop", HashToken("alice-token")}}});
  StartServer(std::move(options));
  Client client = Connect();

  Reply user = client.Send("GET", "/api/v1/whoami", {}, Bearer("alice-token"));
  Reply service = client.Send("GET", "/api/v1/whoami", {}, Bearer("viewer-token"));
  Reply ingest = client.Send("GET", "/api/v1/whoami", {}, Bearer("ingest-token"));

  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(json::parse(user.body),
            json::parse(R"({"name":"alice","role":"communicator","actor":"user:alice","teams":["web"]})"));
  ASSERT_EQ(service.status, 200) << service.body;
  EXPECT_EQ(json::parse(service.body),
            json::parse(R"({"name":"viewer","role":"viewer","actor":"token:viewer","teams":[]})"));
  EXPECT_EQ(ingest.status, 403);
}

TEST_F(ServerTest, UnknownPathGets404AndWrongMethod405WithAllow) {
  StartServer();
  Client client = Connect();

  Reply unknown = client.Send("GET", "/api/v1/nothing", {}, Bearer("admin-token"));
  Reply bad_id = client.Send("GET", "/api/v1/incidents/abc", {}, Bearer("admin-token"));
  Reply wrong = client.Send("DELETE", "/api/v1/incidents/1", {}, Bearer("admin-token"));

  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(bad_id.status, 404);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("allow"), "GET");
  EXPECT_EQ(json::parse(wrong.body).at("type"), "urn:incidentd:problem:method_not_allowed");
}

TEST_F(ServerTest, ListIncidentsPassesFiltersAndReturnsAPage) {
  for (uint64_t id = 1; id <= 3; ++id) backend_.fake_store().PutIncident(SampleIncident(id));
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("GET",
                            "/api/v1/incidents?state=triggered,acknowledged&service=checkout&severity=critical"
                            "&limit=2",
                            {}, Bearer("viewer-token"));

  ASSERT_EQ(reply.status, 200) << reply.body;
  json::value doc = json::parse(reply.body);
  ASSERT_EQ(doc.at("incidents").as_array().size(), 2u);
  EXPECT_EQ(doc.at("incidents").at(0).at("id"), 3);
  EXPECT_EQ(doc.at("incidents").at(0).at("opened_at"), "2026-11-29T12:00:00Z");
  EXPECT_TRUE(doc.at("incidents").at(0).at("acknowledged_at").is_null());
  EXPECT_EQ(doc.at("next_before"), 2);
  engine::IncidentQuery query = backend_.fake_store().last_query();
  EXPECT_EQ(query.states, (std::vector<std::string>{"triggered", "acknowledged"}));
  EXPECT_EQ(query.service, "checkout");
  EXPECT_EQ(query.severity, "critical");
  EXPECT_EQ(query.limit, 2u);
}

TEST_F(ServerTest, ListIncidentsRefusesABadLimitOrState) {
  StartServer();
  Client client = Connect();

  Reply limit = client.Send("GET", "/api/v1/incidents?limit=501", {}, Bearer("viewer-token"));
  Reply state = client.Send("GET", "/api/v1/incidents?state=open", {}, Bearer("viewer-token"));

  EXPECT_EQ(limit.status, 400);
  EXPECT_EQ(json::parse(limit.body).at("field"), "limit");
  EXPECT_EQ(state.status, 400);
}

TEST_F(ServerTest, GetIncidentEmbedsItsAlertsWithDetails) {
  backend_.fake_store().PutIncident(SampleIncident(1));
  engine::AlertRow alert;
  alert.id = 2;
  alert.incident_id = 1;
  alert.service = "checkout";
  alert.dedup_key = "db-1-down";
  alert.status = "triggered";
  alert.details_json = R"({"component":"postgres","custom_details":{"disk":"full"}})";
  backend_.fake_store().PutAlert(alert);
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("GET", "/api/v1/incidents/1", {}, Bearer("viewer-token"));
  Reply missing = client.Send("GET", "/api/v1/incidents/99", {}, Bearer("viewer-token"));

  ASSERT_EQ(reply.status, 200);
  json::value doc = json::parse(reply.body);
  EXPECT_EQ(doc.at("title"), "db-1 is down");
  ASSERT_EQ(doc.at("alerts").as_array().size(), 1u);
  EXPECT_EQ(doc.at("alerts").at(0).at("details").at("custom_details").at("disk"), "full");
  EXPECT_EQ(missing.status, 404);
}

TEST_F(ServerTest, TimelineListsEntriesAfterASeq) {
  backend_.fake_store().PutIncident(SampleIncident(1));
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    backend_.fake_store().PutTimeline(
        {1, seq, core::FromUnixMillis(0), "token:admin", "note", "n" + std::to_string(seq)});
  }
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("GET", "/api/v1/incidents/1/timeline?after=1&limit=1", {}, Bearer("viewer-token"));

  ASSERT_EQ(reply.status, 200);
  json::value doc = json::parse(reply.body);
  ASSERT_EQ(doc.at("entries").as_array().size(), 1u);
  EXPECT_EQ(doc.at("entries").at(0).at("seq"), 2);
  EXPECT_EQ(doc.at("entries").at(0).at("time"), "1970-01-01T00:00:00Z");
}

TEST_F(ServerTest, AcknowledgeSubmitsThenAnswersWithTheIncidentAsStored) {
  backend_.fake_store().PutIncident(SampleIncident(5, "acknowledged"));
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("POST", "/api/v1/incidents/5/acknowledge", {}, Bearer("responder-token"));

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body).at("state"), "acknowledged");
  auto submitted = backend_.submitted();
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(std::get<engine::AcknowledgeIncident>(submitted[0].body).incident_id, 5u);
  EXPECT_EQ(submitted[0].actor, "token:responder");
}

TEST_F(ServerTest, AcknowledgeOfAResolvedIncidentIs409) {
  StartServer();
  backend_.set_responder([](const engine::Command&) {
    engine::Outcome o;
    o.status = core::Conflict("incident 5 is resolved");
    return o;
  });
  Client client = Connect();

  Reply reply = client.Send("POST", "/api/v1/incidents/5/acknowledge", "{}", JsonHeaders("responder-token"));

  EXPECT_EQ(reply.status, 409);
  EXPECT_EQ(json::parse(reply.body).at("detail"), "incident 5 is resolved");
}

TEST_F(ServerTest, ResolveCarriesTheNote) {
  backend_.fake_store().PutIncident(SampleIncident(5, "resolved"));
  StartServer();
  Client client = Connect();

  Reply reply =
      client.Send("POST", "/api/v1/incidents/5/resolve", R"({"note":"rolled back"})", JsonHeaders("admin-token"));

  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(std::get<engine::ResolveIncident>(backend_.submitted().at(0).body).note, "rolled back");
}

TEST_F(ServerTest, NotesAnswer201WithTheSeq) {
  StartServer();
  backend_.set_responder([](const engine::Command&) {
    engine::Outcome o;
    o.seq = 77;
    return o;
  });
  Client client = Connect();

  Reply reply =
      client.Send("POST", "/api/v1/incidents/5/notes", R"({"text":"looking"})", JsonHeaders("responder-token"));
  Reply empty = client.Send("POST", "/api/v1/incidents/5/notes", R"({"text":""})", JsonHeaders("responder-token"));

  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(json::parse(reply.body), json::parse(R"({"seq":77})"));
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(json::parse(empty.body).at("field"), "/text");
  EXPECT_EQ(backend_.submitted().size(), 1u);
}

TEST_F(ServerTest, VerifyJournalReportsTheChainToAdmins) {
  backend_.fake_store().AppendRecord(incident::IncidentOpened{1, "checkout", "g", "t", ingest::Severity::kCritical},
                                     "token:admin", core::FromUnixMillis(1000));
  backend_.fake_store().AppendRecord(incident::NoteAdded{1, "hello"}, "token:admin", core::FromUnixMillis(2000));
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("GET", "/api/v1/journal/verify", {}, Bearer("admin-token"));

  ASSERT_EQ(reply.status, 200);
  json::value doc = json::parse(reply.body);
  EXPECT_EQ(doc.at("ok"), true);
  EXPECT_EQ(doc.at("records"), 2);
  EXPECT_EQ(doc.at("head_seq"), 2);
  EXPECT_EQ(doc.at("head_hash").as_string().size(), 64u);
}

TEST_F(ServerTest, OneKeepAliveConnectionServesManyRequests) {
  StartServer();
  Client client = Connect();

  int accepted = 0;
  for (int i = 0; i < 200; ++i) {
    Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));
    accepted += reply.status == 202 && reply.keep_alive;
  }

  EXPECT_EQ(accepted, 200);
}

TEST_F(ServerTest, BodiesOfEverySizeArriveWholeOnOneConnection) {
  // The connection reads into a buffer sized for the request it expects: small ones in one read, a body of known
  // length up to 64 KiB at once, a longer one in parts, and after a long one it goes back to a small buffer.
  StartServer();
  Client client = Connect();

  const size_t sizes[] = {0, 300, 3'500, 4'200, 65'000, 70'000, 400'000, 10, 5'000};
  for (size_t i = 0; i < std::size(sizes); ++i) {
    std::string padding(sizes[i], static_cast<char>('a' + i));
    std::string body = R"({"routing_key":"k","event_action":"trigger","dedup_key":"size-)" + std::to_string(i) +
                       R"(","payload":{"summary":"s","source":"h","severity":"info","custom_details":{"pad":")" +
                       padding + R"("}}})";
    Reply reply = client.Send("POST", "/v2/enqueue", body, JsonHeaders("ingest-token"));
    ASSERT_EQ(reply.status, 202) << "body of " << body.size() << " bytes: " << reply.body;
    ASSERT_TRUE(reply.keep_alive);
    auto submitted = backend_.submitted();
    ASSERT_EQ(submitted.size(), i + 1);
    const auto& event = std::get<engine::SubmitEvent>(submitted[i].body).event;
    EXPECT_EQ(event.dedup_key, "size-" + std::to_string(i));
    EXPECT_EQ(event.custom_details_json, R"({"pad":")" + padding + R"("})");
  }
}

TEST_F(ServerTest, CommandsAreQueuedQuietlyAndAWakeUpPerRoundOfRequestsStartsTheWriter) {
  // An I/O thread queues the commands of the requests one poll made ready without waking the writer, then wakes it
  // once. The fake backend holds a quiet command until a wake-up: a request left without one would never be
  // answered.
  StartServer();
  constexpr int kClients = 8;
  constexpr int kRounds = 5;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<Client>(address_));

  int accepted = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kClients; ++i) {
      std::string body = kTrigger;
      std::string request = "POST /v2/enqueue HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ingest-token\r\n"
                            "Content-Type: application/json\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body;
      ASSERT_TRUE(clients[i]->WriteRaw(request));
    }
    for (int i = 0; i < kClients; ++i) accepted += clients[i]->ReadReply().status == 202;
  }

  EXPECT_EQ(accepted, kClients * kRounds);
  EXPECT_EQ(backend_.quiet_submits(), static_cast<size_t>(kClients * kRounds));
  EXPECT_GE(backend_.wakes(), 1u);
  EXPECT_LE(backend_.wakes(), backend_.quiet_submits());
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndIsIdempotent) {
  StartServer();
  Client client = Connect();
  ASSERT_EQ(client.Send("GET", "/healthz").status, 200);

  server_->Stop();
  server_->Stop();

  EXPECT_TRUE(client.WaitClosed(std::chrono::seconds(2)));
}

TEST_F(ServerTest, StopLetsAnInFlightRequestFinish) {
  StartServer();
  backend_.set_responder([](const engine::Command& c) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a slow commit
    engine::Outcome o;
    o.dedup_key = std::get<engine::SubmitEvent>(c.body).event.dedup_key;
    return o;
  });
  Client client = Connect();
  ASSERT_TRUE(
      client.WriteRaw(std::string("POST /v2/enqueue HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ingest-token\r\n"
                                  "Content-Length: ") +
                      std::to_string(std::string(kTrigger).size()) + "\r\n\r\n" + kTrigger));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  std::thread stopper([this] { server_->Stop(); });
  Reply reply = client.ReadReply();
  stopper.join();

  EXPECT_EQ(reply.status, 202);
  EXPECT_FALSE(reply.keep_alive);
}

TEST_F(ServerTest, StartFailsOnATokenHashUsedTwice) {
  ServerOptions options = DefaultOptions();
  options.users.push_back(User{"alice", "responder", {}, {}, {{"laptop", HashToken("admin-token")}}});
  Server server(backend_, options);

  auto bound = server.Start();

  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.error().code, core::ErrorCode::kInvalid);
}

TEST_F(ServerTest, StartFailsOnAnUnknownRole) {
  ServerOptions options = DefaultOptions();
  options.tokens.push_back(Token{"x", "root", HashToken("x")});
  Server server(backend_, options);

  auto bound = server.Start();

  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.error().code, core::ErrorCode::kInvalid);
}

}  // namespace
}  // namespace http::testing
