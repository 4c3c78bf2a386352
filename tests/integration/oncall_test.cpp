// On-call schedules from the configuration over HTTP, against the real binary.
#include <gtest/gtest.h>

#include <thread>

#include <boost/json.hpp>

#include "support/api.h"
#include "support/server_process.h"

namespace {

namespace json = boost::json;
using test_support::HttpResponse;
using test_support::Must;
using test_support::ParseJson;

// `primary`: alice and bob take daily turns from 2026-01-01 00:00 UTC. `office`: only weekdays 09:00-17:00 UTC, so
// it has gaps every night.
constexpr const char* kSchedulesYaml =
    "schedules:\n"
    "  - name: primary\n"
    "    layers:\n"
    "      - rotations:\n"
    "          - {participants: [alice, bob], frequency: daily, start: \"2026-01-01T00:00\"}\n"
    "  - name: office\n"
    "    gap_alert_service: checkout\n"
    "    layers:\n"
    "      - rotations:\n"
    "          - {participants: [carol], frequency: weekly, start: \"2026-01-05T00:00\",\n"
    "             restrictions: [\"Mon-Fri 09:00-17:00\"]}\n";

std::string DailyTurn(core::Timestamp t) {
  int64_t days = (core::ToUnixMillis(t) - core::ToUnixMillis(core::ParseRfc3339("2026-01-01T00:00:00Z").value())) /
                 (24 * 3600 * 1000LL);
  return days % 2 == 0 ? "alice" : "bob";
}

core::Timestamp Now() { return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()); }

HttpResponse Send(test_support::HttpClient& client, std::string_view method, std::string_view target) {
  return Must(client.Send(method, target, ""));
}

class OncallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();
  }
  test_support::ServerProcess server_{kSchedulesYaml};
  test_support::HttpClient client_{0};
};

TEST_F(OncallTest, ListsEverySchedulesPersonOnCallNow) {
  core::Timestamp before = Now();
  HttpResponse response = Must(client_.Get("/api/v1/schedules"));
  core::Timestamp after = Now();

  ASSERT_EQ(response.status, 200) << response.body;
  const json::value body = ParseJson(response.body);
  const json::array& list = body.at("schedules").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("name"), "primary");
  ASSERT_EQ(list[0].at("on_call_now").as_array().size(), 1u);
  const std::string who(list[0].at("on_call_now").as_array()[0].as_string());
  EXPECT_TRUE(who == DailyTurn(before) || who == DailyTurn(after)) << who;
  EXPECT_EQ(list[0].at("gaps_next_14_days"), 0);
  EXPECT_GE(list[1].at("gaps_next_14_days").as_int64(), 9);  // every night of two weeks, and the weekends
}

TEST_F(OncallTest, AScheduleShowsItsShiftsAndGapsOverAPeriod) {
  HttpResponse response =
      Must(client_.Get("/api/v1/schedules/office?from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z"));

  ASSERT_EQ(response.status, 200) << response.body;
  json::value v = ParseJson(response.body);
  EXPECT_EQ(json::serialize(v.at("shifts")),
            R"([{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T17:00:00Z","users":["carol"]},)"
            R"({"start":"2026-03-03T09:00:00Z","end":"2026-03-03T17:00:00Z","users":["carol"]}])");
  EXPECT_EQ(v.at("gaps").as_array().size(), 3u);  // before 09:00 Monday, Monday night, after 17:00 Tuesday
}

TEST_F(OncallTest, APersonCanSubscribeToTheirShiftsAsICalendar) {
  HttpResponse all = Must(client_.Get("/api/v1/schedules/primary/ical?days=10"));
  HttpResponse alice = Must(client_.Get("/api/v1/schedules/primary/ical?user=alice&days=10"));

  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.Header("Content-Type"), "text/calendar; charset=utf-8");
  EXPECT_NE(all.body.find("BEGIN:VCALENDAR"), std::string::npos);
  auto count = [](const std::string& body) {
    size_t n = 0;
    for (size_t at = body.find("BEGIN:VEVENT"); at != std::string::npos; at = body.find("BEGIN:VEVENT", at + 1)) ++n;
    return n;
  };
  EXPECT_GE(count(all.body), 17u);  // a week back and ten days on, a shift a day
  EXPECT_LT(count(alice.body), count(all.body));
  EXPECT_GE(count(alice.body), 8u);
  EXPECT_EQ(alice.body.find("On call: bob"), std::string::npos);
  EXPECT_EQ(Must(client_.Get("/api/v1/schedules/primary/ical?days=0")).status, 400);
  EXPECT_EQ(Must(client_.Get("/api/v1/schedules/nobody/ical")).status, 404);
}

TEST_F(OncallTest, AScheduleWithGapsIsAnAlertFromTheStart) {
  // `office` leaves every night uncovered and alerts on service checkout; the check runs at start.
  json::value page;
  for (int i = 0; i < 200; ++i) {
    page = ParseJson(Must(client_.Get("/api/v1/incidents")).body);
    if (!page.at("incidents").as_array().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const json::array& incidents = page.at("incidents").as_array();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].at("title"), "On-call schedule 'office' has nobody on call");
  EXPECT_EQ(incidents[0].at("service"), "checkout");
}

// The users of a schedule's on_call_now, joined.
std::string OnCallNow(test_support::HttpClient& client, const std::string& schedule) {
  json::value v = ParseJson(Must(client.Get("/api/v1/schedules/" + schedule)).body);
  std::string out;
  for (const auto& u : v.at("on_call_now").as_array()) out += (out.empty() ? "" : ",") + std::string(u.as_string());
  return out;
}

TEST_F(OncallTest, AnOverrideMadeOverTheApiChangesWhoIsOnCallAndTheShiftsUntilRemoved) {
  const core::Timestamp now = Now();
  const std::string start = core::FormatRfc3339(now - std::chrono::hours(1));
  const std::string end = core::FormatRfc3339(now + std::chrono::hours(3));
  const std::string body = R"({"start":")" + start + R"(","end":")" + end +
                           R"(","kind":"replace","user":"carol","reason":"swap"})";

  HttpResponse made = Must(client_.Post("/api/v1/schedules/primary/overrides", body));

  ASSERT_EQ(made.status, 201) << made.body;
  json::value o = ParseJson(made.body);
  EXPECT_EQ(o.at("id"), 1);
  EXPECT_EQ(o.at("schedule"), "primary");
  EXPECT_EQ(o.at("kind"), "replace");
  EXPECT_EQ(o.at("user"), "carol");
  EXPECT_TRUE(o.at("replaced_user").is_null());
  EXPECT_EQ(o.at("reason"), "swap");
  EXPECT_EQ(o.at("source"), "api");
  EXPECT_FALSE(std::string(o.at("created_by").as_string()).empty());
  EXPECT_EQ(made.Header("Location"), "/api/v1/schedules/primary/overrides/1");
  EXPECT_EQ(OnCallNow(client_, "primary"), "carol");
  json::value got = ParseJson(Must(client_.Get("/api/v1/schedules/primary")).body);
  EXPECT_EQ(got.at("shifts").as_array()[0].at("users").as_array()[0], "carol");
  ASSERT_EQ(got.at("overrides").as_array().size(), 1u);
  EXPECT_EQ(got.at("overrides").as_array()[0].at("id"), 1);
  json::value list = ParseJson(Must(client_.Get("/api/v1/schedules")).body);
  EXPECT_EQ(list.at("schedules").as_array()[0].at("on_call_now").as_array()[0], "carol");
  EXPECT_NE(Must(client_.Get("/api/v1/schedules/primary/ical?days=1")).body.find("On call: carol"), std::string::npos);

  // Journaled: a restart replays it.
  ASSERT_TRUE(server_.Restart().ok());
  client_ = server_.Client();
  EXPECT_EQ(OnCallNow(client_, "primary"), "carol");

  HttpResponse removed = Send(client_, "DELETE", "/api/v1/schedules/primary/overrides/1");
  EXPECT_EQ(removed.status, 204) << removed.body;
  const std::string who = OnCallNow(client_, "primary");
  EXPECT_TRUE(who == "alice" || who == "bob") << who;
  EXPECT_TRUE(ParseJson(Must(client_.Get("/api/v1/schedules/primary")).body).at("overrides").as_array().empty());
  EXPECT_EQ(Send(client_, "DELETE", "/api/v1/schedules/primary/overrides/1").status, 404);
}

TEST_F(OncallTest, AnOverrideIsRefusedNamingTheFieldOrTheSchedule) {
  const std::string start = core::FormatRfc3339(Now());
  const std::string end = core::FormatRfc3339(Now() + std::chrono::hours(1));
  auto post = [&](const std::string& schedule, const std::string& fields, test_support::HttpClient* client = nullptr) {
    return Must((client ? *client : client_)
                    .Post("/api/v1/schedules/" + schedule + "/overrides",
                          R"({"start":")" + start + R"(","end":")" + end + "\"," + fields + "}"));
  };

  HttpResponse unknown_user = post("primary", R"("kind":"add","user":"mallory")");
  HttpResponse bad_kind = post("primary", R"("kind":"swap","user":"carol")");
  HttpResponse replaced = post("primary", R"("kind":"add","user":"carol","replaced_user":"alice")");
  HttpResponse no_schedule = post("nobody", R"("kind":"add","user":"carol")");
  test_support::HttpClient viewer = server_.Client(test_support::kViewerToken);
  HttpResponse denied = post("primary", R"("kind":"add","user":"carol")", &viewer);
  HttpResponse past =
      Must(client_.Post("/api/v1/schedules/primary/overrides",
                        R"({"start":"2020-01-01T00:00:00Z","end":"2020-01-02T00:00:00Z","user":"carol"})"));

  EXPECT_EQ(unknown_user.status, 400);
  EXPECT_NE(unknown_user.body.find("\"/user\""), std::string::npos) << unknown_user.body;
  EXPECT_EQ(bad_kind.status, 400);
  EXPECT_NE(bad_kind.body.find("\"/kind\""), std::string::npos) << bad_kind.body;
  EXPECT_NE(replaced.body.find("\"/replaced_user\""), std::string::npos) << replaced.body;
  EXPECT_EQ(no_schedule.status, 404);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(past.status, 400);
  EXPECT_NE(past.body.find("\"/end\""), std::string::npos) << past.body;
}

TEST_F(OncallTest, UnknownSchedulesAndBadPeriodsAreRefused) {
  EXPECT_EQ(Must(client_.Get("/api/v1/schedules/nobody")).status, 404);
  HttpResponse bad = Must(client_.Get("/api/v1/schedules/primary?from=yesterday"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"from\""), std::string::npos) << bad.body;
  EXPECT_EQ(Must(client_.Get("/api/v1/schedules/primary?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z")).status,
            400);
  EXPECT_EQ(Must(server_.Client("wrong-token-1234567890").Get("/api/v1/schedules")).status, 401);
}

}  // namespace
