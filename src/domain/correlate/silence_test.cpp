#include "domain/correlate/silence.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "journal/codec.h"

namespace correlate {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using core::MatchType;

core::Timestamp At(const char* text) { return core::ParseRfc3339(text).value(); }

const core::Timestamp kNow = At("2026-11-29T12:00:00Z");

core::Matcher M(std::string name, MatchType type, std::string value) {
  return core::Matcher::Create(std::move(name), type, std::move(value)).value();
}

Silence MakeSilence(std::string id, core::Timestamp starts, core::Timestamp ends,
                    std::vector<core::Matcher> matchers = {M("alertname", MatchType::kEqual, "DiskFull")}) {
  Silence s;
  s.id = std::move(id);
  s.matchers = std::move(matchers);
  s.starts_at = starts;
  s.ends_at = ends;
  s.updated_at = starts - 1min;
  s.created_by = "alice";
  s.comment = "maintenance";
  return s;
}

// The body amtool would send to update `s`.
PostableSilence PostFor(const Silence& s) {
  PostableSilence p;
  p.id = s.id;
  p.matchers = s.matchers;
  p.starts_at = s.starts_at;
  p.ends_at = s.ends_at;
  p.created_by = s.created_by;
  p.comment = s.comment;
  p.annotations = s.annotations;
  return p;
}

PostableSilence NewPost(core::Timestamp starts, core::Timestamp ends) {
  PostableSilence p = PostFor(MakeSilence("", starts, ends));
  p.id.clear();
  return p;
}

SilenceMap MapOf(std::vector<Silence> silences) {
  SilenceMap out;
  for (auto& s : silences) out.emplace(s.id, std::move(s));
  return out;
}

json::object ValidBody() {
  return json::parse(R"({
    "matchers": [{"name": "alertname", "value": "DiskFull", "isRegex": false, "isEqual": true}],
    "startsAt": "2026-11-29T11:43:56.444136Z",
    "endsAt": "2026-11-29T12:43:56.444136Z",
    "createdBy": "bench",
    "comment": "probe"
  })")
      .as_object();
}

json::object WithMatchers(const char* matchers_json) {
  json::object body = ValidBody();
  body["matchers"] = json::parse(matchers_json);
  return body;
}

// --- ParsePostableSilence ---

TEST(ParsePostableSilenceTest, ParsesAmtoolsRegexAndNegativeMatcherBody) {
  json::value body = json::parse(R"({"comment": "regex and negative matcher", "createdBy": "bench",
    "endsAt": "2026-11-29T14:44:12.000Z", "matchers": [
      {"isEqual": true, "isRegex": true, "name": "alertname", "value": "Amtool.*"},
      {"isEqual": false, "isRegex": false, "name": "severity", "value": "info"}],
    "startsAt": "2026-11-29T13:44:10.000Z"})");

  auto post = ParsePostableSilence(body);

  ASSERT_TRUE(post.ok()) << post.error().message;
  EXPECT_EQ(post->id, "");
  ASSERT_EQ(post->matchers.size(), 2u);
  EXPECT_EQ(post->matchers[0].ToString(), "alertname=~\"Amtool.*\"");
  EXPECT_EQ(post->matchers[1].ToString(), "severity!=\"info\"");
  EXPECT_EQ(post->starts_at, At("2026-11-29T13:44:10Z"));
  EXPECT_EQ(post->ends_at, At("2026-11-29T14:44:12Z"));
  EXPECT_EQ(post->created_by, "bench");
  EXPECT_EQ(post->comment, "regex and negative matcher");
  EXPECT_TRUE(post->annotations.empty());
}

TEST(ParsePostableSilenceTest, MapsIsRegexAndIsEqualToTheFourMatchTypes) {
  json::object body = WithMatchers(R"([
    {"name": "a", "value": "1", "isRegex": false, "isEqual": true},
    {"name": "b", "value": "2", "isRegex": false, "isEqual": false},
    {"name": "c", "value": "3", "isRegex": true, "isEqual": true},
    {"name": "d", "value": "4", "isRegex": true, "isEqual": false}])");

  auto post = ParsePostableSilence(body);

  ASSERT_TRUE(post.ok()) << post.error().message;
  ASSERT_EQ(post->matchers.size(), 4u);
  EXPECT_EQ(post->matchers[0].type(), MatchType::kEqual);
  EXPECT_EQ(post->matchers[1].type(), MatchType::kNotEqual);
  EXPECT_EQ(post->matchers[2].type(), MatchType::kRegex);
  EXPECT_EQ(post->matchers[3].type(), MatchType::kNotRegex);
}

TEST(ParsePostableSilenceTest, IsEqualDefaultsToTrue) {
  json::object body = WithMatchers(R"([{"name": "alertname", "value": "NoIsEq", "isRegex": false}])");

  auto post = ParsePostableSilence(body);

  ASSERT_TRUE(post.ok()) << post.error().message;
  EXPECT_EQ(post->matchers[0].type(), MatchType::kEqual);
}

TEST(ParsePostableSilenceTest, AcceptsASingleNegativeMatcher) {
  json::object body = WithMatchers(R"([{"name": "alertname", "value": "x", "isRegex": false, "isEqual": false}])");

  auto post = ParsePostableSilence(body);

  ASSERT_TRUE(post.ok()) << post.error().message;
  EXPECT_EQ(post->matchers[0].type(), MatchType::kNotEqual);
}

TEST(ParsePostableSilenceTest, ReadsIdAndAnnotations) {
  json::object body = ValidBody();
  body["id"] = "076e76b7-7a95-4282-96ab-f5f3fe541b89";
  body["annotations"] = json::object{{"ticket", "OPS-1"}};

  auto post = ParsePostableSilence(body);

  ASSERT_TRUE(post.ok()) << post.error().message;
  EXPECT_EQ(post->id, "076e76b7-7a95-4282-96ab-f5f3fe541b89");
  EXPECT_EQ(post->annotations, (core::LabelSet{{"ticket", "OPS-1"}}));
}

TEST(ParsePostableSilenceTest, AcceptsGoZeroStartAsYearOne) {
  json::object body = ValidBody();
  body["startsAt"] = "0001-01-01T00:00:00Z";

  auto post = ParsePostableSilence(body);

  ASSERT_TRUE(post.ok()) << post.error().message;
  EXPECT_EQ(core::FormatRfc3339(post->starts_at), "0001-01-01T00:00:00Z");
}

TEST(ParsePostableSilenceTest, RejectsABodyThatIsNotAnObject) {
  json::value body = json::array{};

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().code, core::ErrorCode::kInvalid);
}

TEST(ParsePostableSilenceTest, RejectsEmptyMatchersWithAlertmanagersMessage) {
  json::object body = WithMatchers("[]");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(post.error().message, "matchers in body should have at least 1 items");
  EXPECT_EQ(post.error().field, "/matchers");
}

TEST(ParsePostableSilenceTest, RejectsMissingMatchers) {
  json::object body = ValidBody();
  body.erase("matchers");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().message, "matchers in body is required");
  EXPECT_EQ(post.error().field, "/matchers");
}

TEST(ParsePostableSilenceTest, RejectsMatchersThatAreNotAnArray) {
  json::object body = WithMatchers(R"({"name": "alertname"})");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/matchers");
}

TEST(ParsePostableSilenceTest, RejectsMoreThanTheMaximumNumberOfMatchers) {
  json::array many;
  for (size_t i = 0; i <= kMaxSilenceMatchers; ++i) {
    many.push_back(json::object{{"name", "l" + std::to_string(i)}, {"value", "v"}, {"isRegex", false}});
  }
  json::object body = ValidBody();
  body["matchers"] = std::move(many);

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/matchers");
}

TEST(ParsePostableSilenceTest, RejectsAMatcherWithoutIsRegex) {
  json::object body = WithMatchers(R"([{"name": "alertname", "value": "x", "isEqual": true}])");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().message, "matchers.0.isRegex in body is required");
  EXPECT_EQ(post.error().field, "/matchers/0/isRegex");
}

TEST(ParsePostableSilenceTest, RejectsANonBooleanIsEqual) {
  json::object body = WithMatchers(R"([{"name": "alertname", "value": "x", "isRegex": false, "isEqual": "yes"}])");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/matchers/0/isEqual");
}

TEST(ParsePostableSilenceTest, RejectsAMatcherWithoutAStringValue) {
  json::object body = WithMatchers(R"([{"name": "alertname", "value": 3, "isRegex": false}])");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/matchers/0/value");
}

TEST(ParsePostableSilenceTest, RejectsAnInvalidLabelNameNamingTheMatcher) {
  json::object body = WithMatchers(R"([{"name": "alertname", "value": "x", "isRegex": false},
                                       {"name": "0bad-name", "value": "x", "isRegex": false}])");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().message, "invalid label matcher 1: invalid label name \"0bad-name\"");
  EXPECT_EQ(post.error().field, "/matchers/1/name");
}

TEST(ParsePostableSilenceTest, RejectsABadRegexWithAlertmanagersWording) {
  json::object body = WithMatchers(R"([{"name": "alertname", "value": "(", "isRegex": true}])");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(post.error().message.rfind("invalid label matcher 0: invalid regular expression \"(\": ", 0), 0u)
      << post.error().message;
  EXPECT_EQ(post.error().field, "/matchers/0/value");
}

TEST(ParsePostableSilenceTest, RejectsASilenceWhoseMatchersAllMatchTheEmptyString) {
  json::object body = WithMatchers(R"([{"name": "alertname", "value": ".*", "isRegex": true},
                                       {"name": "team", "value": "", "isRegex": false}])");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().message, "at least one matcher must not match the empty string");
  EXPECT_EQ(post.error().field, "/matchers");
}

TEST(ParsePostableSilenceTest, RejectsMissingCreatedByWithAlertmanagersMessage) {
  json::object body = ValidBody();
  body.erase("createdBy");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().message, "createdBy in body is required");
  EXPECT_EQ(post.error().field, "/createdBy");
}

TEST(ParsePostableSilenceTest, RejectsAnEmptyCreatedBy) {
  json::object body = ValidBody();
  body["createdBy"] = "";

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/createdBy");
}

TEST(ParsePostableSilenceTest, RejectsMissingCommentWithAlertmanagersMessage) {
  json::object body = ValidBody();
  body.erase("comment");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().message, "comment in body is required");
  EXPECT_EQ(post.error().field, "/comment");
}

TEST(ParsePostableSilenceTest, RejectsACommentThatIsNotAString) {
  json::object body = ValidBody();
  body["comment"] = 42;

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/comment");
}

TEST(ParsePostableSilenceTest, RejectsACommentLongerThanTheMaximum) {
  json::object body = ValidBody();
  body["comment"] = std::string(kMaxSilenceComment + 1, 'x');

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/comment");
}

TEST(ParsePostableSilenceTest, AcceptsACommentOfExactlyTheMaximumLength) {
  json::object body = ValidBody();
  body["comment"] = std::string(kMaxSilenceComment, 'x');

  auto post = ParsePostableSilence(body);

  EXPECT_TRUE(post.ok());
}

TEST(ParsePostableSilenceTest, RejectsAStartThatIsNotRfc3339) {
  json::object body = ValidBody();
  body["startsAt"] = "tomorrow";

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/startsAt");
}

TEST(ParsePostableSilenceTest, RejectsAMissingEnd) {
  json::object body = ValidBody();
  body.erase("endsAt");

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().message, "endsAt in body is required");
  EXPECT_EQ(post.error().field, "/endsAt");
}

TEST(ParsePostableSilenceTest, RejectsAnIdThatIsNotAString) {
  json::object body = ValidBody();
  body["id"] = 7;

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/id");
}

TEST(ParsePostableSilenceTest, RejectsAnnotationsThatAreNotAStringMap) {
  json::object body = ValidBody();
  body["annotations"] = json::object{{"a/b", 1}};

  auto post = ParsePostableSilence(body);

  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().field, "/annotations/a~1b");
}

// --- Silence state and matching ---

TEST(SilenceTest, IsPendingBeforeItsStart) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h);

  SilenceState state = s.StateAt(kNow - 1ms);

  EXPECT_EQ(state, SilenceState::kPending);
}

TEST(SilenceTest, IsActiveFromItsStartUntilJustBeforeItsEnd) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h);

  SilenceState at_start = s.StateAt(kNow);
  SilenceState before_end = s.StateAt(kNow + 1h - 1ms);

  EXPECT_EQ(at_start, SilenceState::kActive);
  EXPECT_EQ(before_end, SilenceState::kActive);
}

TEST(SilenceTest, IsExpiredFromItsEndOn) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h);

  SilenceState at_end = s.StateAt(kNow + 1h);

  EXPECT_EQ(at_end, SilenceState::kExpired);
}

TEST(SilenceTest, StatesPrintAsAlertmanagerNamesThem) {
  EXPECT_STREQ(ToString(SilenceState::kPending), "pending");
  EXPECT_STREQ(ToString(SilenceState::kActive), "active");
  EXPECT_STREQ(ToString(SilenceState::kExpired), "expired");
}

TEST(SilenceTest, MatchesOnlyWhenEveryMatcherMatches) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h,
                          {M("alertname", MatchType::kEqual, "DiskFull"), M("cluster", MatchType::kEqual, "eu")});

  bool both = s.Matches({{"alertname", "DiskFull"}, {"cluster", "eu"}, {"instance", "db-1"}});
  bool one = s.Matches({{"alertname", "DiskFull"}, {"cluster", "us"}});

  EXPECT_TRUE(both);
  EXPECT_FALSE(one);
}

TEST(SilenceTest, RegexMatchersAreAnchoredAtBothEnds) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h, {M("instance", MatchType::kRegex, "web-[0-9]+")});

  bool whole = s.Matches({{"instance", "web-12"}});
  bool prefix = s.Matches({{"instance", "web-12.example"}});
  bool suffix = s.Matches({{"instance", "old-web-12"}});

  EXPECT_TRUE(whole);
  EXPECT_FALSE(prefix);
  EXPECT_FALSE(suffix);
}

TEST(SilenceTest, NegativeMatchersMatchAMissingLabel) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h,
                          {M("alertname", MatchType::kRegex, "Amtool.*"), M("severity", MatchType::kNotEqual, "info"),
                           M("team", MatchType::kNotRegex, "db|web")});

  bool missing = s.Matches({{"alertname", "AmtoolTest"}});
  bool excluded_severity = s.Matches({{"alertname", "AmtoolTest"}, {"severity", "info"}});
  bool excluded_team = s.Matches({{"alertname", "AmtoolTest"}, {"team", "web"}});

  EXPECT_TRUE(missing);
  EXPECT_FALSE(excluded_severity);
  EXPECT_FALSE(excluded_team);
}

TEST(SilenceTest, AnEqualityMatcherOnAnEmptyValueMatchesAMissingLabel) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h,
                          {M("alertname", MatchType::kEqual, "DiskFull"), M("team", MatchType::kEqual, "")});

  bool missing = s.Matches({{"alertname", "DiskFull"}});
  bool present = s.Matches({{"alertname", "DiskFull"}, {"team", "db"}});

  EXPECT_TRUE(missing);
  EXPECT_FALSE(present);
}

TEST(MatchingTest, ReturnsTheActiveMatchingSilencesInIdOrder) {
  SilenceMap silences = MapOf({MakeSilence("c", kNow - 1h, kNow + 1h), MakeSilence("a", kNow - 1h, kNow + 1h),
                               MakeSilence("b", kNow - 1h, kNow + 1h, {M("alertname", MatchType::kEqual, "Other")}),
                               MakeSilence("d", kNow + 1min, kNow + 1h), MakeSilence("e", kNow - 1h, kNow - 1min)});

  auto ids = Matching(silences, {{"alertname", "DiskFull"}}, kNow);

  EXPECT_EQ(ids, (std::vector<std::string>{"a", "c"}));
}

TEST(MatchingTest, MutesFromTheStartInstantButNotAtTheEndInstant) {
  SilenceMap silences = MapOf({MakeSilence("s1", kNow, kNow + 1h)});
  core::LabelSet labels{{"alertname", "DiskFull"}};

  auto at_start = Matching(silences, labels, kNow);
  auto at_end = Matching(silences, labels, kNow + 1h);

  EXPECT_EQ(at_start, (std::vector<std::string>{"s1"}));
  EXPECT_TRUE(at_end.empty());
}

// --- DecidePost ---

TEST(DecidePostTest, CreatesANewSilenceWithTheGivenIdKeepingAFutureStart) {
  PostableSilence post = NewPost(kNow + 10min, kNow + 1h);
  post.annotations.Set("ticket", "OPS-1");

  auto change = DecidePost({}, post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_TRUE(change->created);
  EXPECT_FALSE(change->expire_id.has_value());
  EXPECT_EQ(change->silence.id, "new-id");
  EXPECT_EQ(change->silence.starts_at, kNow + 10min);
  EXPECT_EQ(change->silence.ends_at, kNow + 1h);
  EXPECT_EQ(change->silence.updated_at, kNow);
  EXPECT_EQ(change->silence.created_by, "alice");
  EXPECT_EQ(change->silence.comment, "maintenance");
  EXPECT_EQ(change->silence.annotations, (core::LabelSet{{"ticket", "OPS-1"}}));
  EXPECT_EQ(change->silence.StateAt(kNow), SilenceState::kPending);
}

TEST(DecidePostTest, MovesAStartInThePastToNowForANewSilence) {
  PostableSilence post = NewPost(kNow - 5min, kNow + 1h);

  auto change = DecidePost({}, post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_EQ(change->silence.starts_at, kNow);
}

TEST(DecidePostTest, StartsASilenceWithGoZeroStartNow) {
  PostableSilence post = NewPost(At("0001-01-01T00:00:00Z"), kNow + 1h);

  auto change = DecidePost({}, post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_EQ(change->silence.starts_at, kNow);
  EXPECT_EQ(change->silence.StateAt(kNow), SilenceState::kActive);
}

TEST(DecidePostTest, RejectsAnEndThatIsNotAfterTheStart) {
  PostableSilence equal = NewPost(kNow + 1h, kNow + 1h);
  PostableSilence before = NewPost(kNow + 1h, kNow + 30min);

  auto equal_change = DecidePost({}, equal, "new-id", kNow);
  auto before_change = DecidePost({}, before, "new-id", kNow);

  ASSERT_FALSE(equal_change.ok());
  EXPECT_EQ(equal_change.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(equal_change.error().message, "start time must be before end time");
  EXPECT_EQ(equal_change.error().field, "/endsAt");
  ASSERT_FALSE(before_change.ok());
  EXPECT_EQ(before_change.error().message, "start time must be before end time");
}

TEST(DecidePostTest, RejectsAnEndInThePast) {
  PostableSilence post = NewPost(kNow - 2h, kNow - 1h);

  auto change = DecidePost({}, post, "new-id", kNow);

  ASSERT_FALSE(change.ok());
  EXPECT_EQ(change.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(change.error().message, "end time can't be in the past");
  EXPECT_EQ(change.error().field, "/endsAt");
}

TEST(DecidePostTest, UnknownIdIsNotFound) {
  SilenceMap silences = MapOf({MakeSilence("s1", kNow - 1h, kNow + 1h)});
  PostableSilence post = NewPost(kNow, kNow + 1h);
  post.id = "00000000-0000-0000-0000-000000000000";

  auto change = DecidePost(silences, post, "new-id", kNow);

  ASSERT_FALSE(change.ok());
  EXPECT_EQ(change.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(change.error().message, "silence not found");
}

TEST(DecidePostTest, ChangingTheCommentOfAnActiveSilenceKeepsItsId) {
  Silence old = MakeSilence("s1", kNow - 1h, kNow + 1h);
  PostableSilence post = PostFor(old);
  post.comment = "updated comment";

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_FALSE(change->created);
  EXPECT_FALSE(change->expire_id.has_value());
  EXPECT_EQ(change->silence.id, "s1");
  EXPECT_EQ(change->silence.comment, "updated comment");
  EXPECT_EQ(change->silence.starts_at, kNow - 1h);
  EXPECT_EQ(change->silence.updated_at, kNow);
}

TEST(DecidePostTest, ExtendingTheEndOfAnActiveSilenceKeepsItsId) {
  Silence old = MakeSilence("s1", kNow - 1h, kNow + 1h);
  PostableSilence post = PostFor(old);
  post.ends_at = kNow + 2h;

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_FALSE(change->created);
  EXPECT_EQ(change->silence.id, "s1");
  EXPECT_EQ(change->silence.ends_at, kNow + 2h);
}

TEST(DecidePostTest, ShorteningTheEndOfAnActiveSilenceToNowKeepsItsId) {
  Silence old = MakeSilence("s1", kNow - 1h, kNow + 1h);
  PostableSilence post = PostFor(old);
  post.ends_at = kNow;

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_EQ(change->silence.id, "s1");
  EXPECT_EQ(change->silence.StateAt(kNow), SilenceState::kExpired);
}

TEST(DecidePostTest, ChangingTheStartOfAnActiveSilenceExpiresItAndReturnsANewId) {
  Silence old = MakeSilence("s1", kNow - 1h, kNow + 1h);
  PostableSilence post = PostFor(old);
  post.starts_at = kNow + 10min;

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_TRUE(change->created);
  EXPECT_EQ(change->expire_id, "s1");
  EXPECT_EQ(change->silence.id, "new-id");
  EXPECT_EQ(change->silence.starts_at, kNow + 10min);
}

TEST(DecidePostTest, ChangingMatchersExpiresTheOldSilenceAndReturnsANewId) {
  Silence old = MakeSilence("s1", kNow - 1h, kNow + 1h);
  PostableSilence post = PostFor(old);
  post.matchers.push_back(M("cluster", MatchType::kEqual, "x"));

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_TRUE(change->created);
  EXPECT_EQ(change->expire_id, "s1");
  EXPECT_EQ(change->silence.id, "new-id");
  EXPECT_EQ(change->silence.matchers.size(), 2u);
  EXPECT_EQ(change->silence.starts_at, kNow);
}

TEST(DecidePostTest, ChangingOnlyAMatcherTypeCountsAsChangedMatchers) {
  Silence old = MakeSilence("s1", kNow - 1h, kNow + 1h);
  PostableSilence post = PostFor(old);
  post.matchers = {M("alertname", MatchType::kRegex, "DiskFull")};

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_EQ(change->expire_id, "s1");
  EXPECT_EQ(change->silence.id, "new-id");
}

TEST(DecidePostTest, MovingThePendingStartLaterKeepsTheId) {
  Silence old = MakeSilence("s1", kNow + 1h, kNow + 2h);
  PostableSilence post = PostFor(old);
  post.starts_at = kNow + 90min;
  post.ends_at = kNow + 3h;

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_FALSE(change->created);
  EXPECT_EQ(change->silence.id, "s1");
  EXPECT_EQ(change->silence.starts_at, kNow + 90min);
  EXPECT_EQ(change->silence.ends_at, kNow + 3h);
}

TEST(DecidePostTest, MovingThePendingStartToExactlyNowKeepsTheId) {
  Silence old = MakeSilence("s1", kNow + 1h, kNow + 2h);
  PostableSilence post = PostFor(old);
  post.starts_at = kNow;

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_EQ(change->silence.id, "s1");
  EXPECT_EQ(change->silence.StateAt(kNow), SilenceState::kActive);
}

TEST(DecidePostTest, MovingThePendingStartIntoThePastExpiresItAndStartsANewSilenceNow) {
  Silence old = MakeSilence("s1", kNow + 1h, kNow + 2h);
  PostableSilence post = PostFor(old);
  post.starts_at = kNow - 1ms;

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_TRUE(change->created);
  EXPECT_EQ(change->expire_id, "s1");
  EXPECT_EQ(change->silence.id, "new-id");
  EXPECT_EQ(change->silence.starts_at, kNow);
}

TEST(DecidePostTest, UpdatingAnExpiredSilenceCreatesANewOneWithNothingToExpire) {
  Silence old = MakeSilence("s1", kNow - 2h, kNow - 1h);
  PostableSilence post = PostFor(old);
  post.ends_at = kNow + 1h;

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_TRUE(change->created);
  EXPECT_FALSE(change->expire_id.has_value());
  EXPECT_EQ(change->silence.id, "new-id");
  EXPECT_EQ(change->silence.starts_at, kNow);
  EXPECT_EQ(change->silence.ends_at, kNow + 1h);
}

TEST(DecidePostTest, TreatsASilenceEndingExactlyNowAsExpired) {
  Silence old = MakeSilence("s1", kNow - 1h, kNow);
  PostableSilence post = PostFor(old);
  post.ends_at = kNow + 1h;

  auto change = DecidePost(MapOf({old}), post, "new-id", kNow);

  ASSERT_TRUE(change.ok()) << change.error().message;
  EXPECT_EQ(change->silence.id, "new-id");
  EXPECT_FALSE(change->expire_id.has_value());
}

// --- DecideExpire ---

TEST(DecideExpireTest, EndsAnActiveSilenceNow) {
  SilenceMap silences = MapOf({MakeSilence("s1", kNow - 1h, kNow + 1h)});

  auto expired = DecideExpire(silences, "s1", kNow);

  ASSERT_TRUE(expired.ok()) << expired.error().message;
  EXPECT_EQ(expired->starts_at, kNow - 1h);
  EXPECT_EQ(expired->ends_at, kNow);
  EXPECT_EQ(expired->updated_at, kNow);
  EXPECT_EQ(expired->StateAt(kNow), SilenceState::kExpired);
}

TEST(DecideExpireTest, CollapsesAPendingSilenceToNow) {
  SilenceMap silences = MapOf({MakeSilence("s1", kNow + 1h, kNow + 2h)});

  auto expired = DecideExpire(silences, "s1", kNow);

  ASSERT_TRUE(expired.ok()) << expired.error().message;
  EXPECT_EQ(expired->starts_at, kNow);
  EXPECT_EQ(expired->ends_at, kNow);
  EXPECT_EQ(expired->StateAt(kNow), SilenceState::kExpired);
}

TEST(DecideExpireTest, AnAlreadyExpiredSilenceIsAConflict) {
  SilenceMap silences = MapOf({MakeSilence("s1", kNow - 2h, kNow)});

  auto expired = DecideExpire(silences, "s1", kNow);

  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(expired.error().message, "silence already expired");
}

TEST(DecideExpireTest, AnUnknownIdIsNotFound) {
  SilenceMap silences = MapOf({MakeSilence("s1", kNow - 1h, kNow + 1h)});

  auto expired = DecideExpire(silences, "s2", kNow);

  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(expired.error().message, "silence not found");
}

// --- SameSilence and encoding ---

TEST(SameSilenceTest, ComparesMatchersByNameTypeAndValue) {
  Silence a = MakeSilence("s1", kNow, kNow + 1h);
  Silence b = MakeSilence("s1", kNow, kNow + 1h);
  Silence c = MakeSilence("s1", kNow, kNow + 1h, {M("alertname", MatchType::kNotEqual, "DiskFull")});

  bool same = SameSilence(a, b);
  bool different = SameSilence(a, c);

  EXPECT_TRUE(same);
  EXPECT_FALSE(different);
}

TEST(SilenceEncodingTest, RoundTripKeepsEveryFieldAndWorkingRegexes) {
  Silence s = MakeSilence("076e76b7-7a95-4282-96ab-f5f3fe541b89", kNow - 1h, kNow + 1h,
                          {M("alertname", MatchType::kRegex, "Disk.*"), M("severity", MatchType::kNotEqual, "info"),
                           M("team", MatchType::kNotRegex, "db|web"), M("cluster", MatchType::kEqual, "eu")});
  s.updated_at = kNow - 30min;
  s.annotations.Set("ticket", "OPS-1");

  auto decoded = DecodeSilence(EncodeSilence(s));

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(SameSilence(*decoded, s));
  EXPECT_TRUE(decoded->Matches({{"alertname", "DiskFull"}, {"cluster", "eu"}}));
  EXPECT_FALSE(decoded->Matches({{"alertname", "DiskFull"}, {"cluster", "eu"}, {"team", "db"}}));
}

TEST(SilenceEncodingTest, RejectsAnUnknownVersionAsCorrupt) {
  std::string bytes = EncodeSilence(MakeSilence("s1", kNow, kNow + 1h));
  bytes[0] = 2;

  auto decoded = DecodeSilence(bytes);

  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, core::ErrorCode::kCorrupt);
}

TEST(SilenceEncodingTest, RejectsTruncatedAndTrailingBytesAsCorrupt) {
  std::string bytes = EncodeSilence(MakeSilence("s1", kNow, kNow + 1h));

  auto truncated = DecodeSilence(std::string_view(bytes).substr(0, bytes.size() - 1));
  auto trailing = DecodeSilence(bytes + "x");
  auto empty = DecodeSilence("");

  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, core::ErrorCode::kCorrupt);
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().code, core::ErrorCode::kCorrupt);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, core::ErrorCode::kCorrupt);
}

// Writes a version-1 silence with one matcher of the given raw type byte and value.
std::string EncodeWithMatcher(uint8_t type, const std::string& value) {
  journal::Writer w;
  w.U8(1);
  w.Str("s1");
  w.U64(1);
  w.Str("alertname");
  w.U8(type);
  w.Str(value);
  w.Time(kNow);
  w.Time(kNow + 1h);
  w.Time(kNow);
  w.Str("alice");
  w.Str("c");
  w.Labels({});
  return w.Take();
}

TEST(SilenceEncodingTest, RejectsABadRegexAsCorrupt) {
  std::string bytes = EncodeWithMatcher(2, "(");

  auto decoded = DecodeSilence(bytes);

  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, core::ErrorCode::kCorrupt);
}

TEST(SilenceEncodingTest, RejectsAnUnknownMatcherTypeAsCorrupt) {
  std::string bytes = EncodeWithMatcher(4, "x");

  auto decoded = DecodeSilence(bytes);

  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, core::ErrorCode::kCorrupt);
}

// --- ToGettableJson ---

TEST(GettableSilenceTest, HasAlertmanagersShape) {
  Silence s = MakeSilence("076e76b7-7a95-4282-96ab-f5f3fe541b89", At("2026-11-29T11:43:56.445Z"),
                          At("2026-11-29T12:43:56.444Z"), {M("alertname", MatchType::kEqual, "SilProbe52606")});
  s.updated_at = At("2026-11-29T11:43:56.445Z");
  s.created_by = "bench";
  s.comment = "probe";

  json::object out = ToGettableJson(s, At("2026-11-29T11:44:00Z"));

  json::value expected = json::parse(R"({
    "id": "076e76b7-7a95-4282-96ab-f5f3fe541b89",
    "status": {"state": "active"},
    "updatedAt": "2026-11-29T11:43:56.445Z",
    "comment": "probe",
    "createdBy": "bench",
    "endsAt": "2026-11-29T12:43:56.444Z",
    "matchers": [{"isEqual": true, "isRegex": false, "name": "alertname", "value": "SilProbe52606"}],
    "startsAt": "2026-11-29T11:43:56.445Z",
    "annotations": {}
  })");
  EXPECT_EQ(json::value(out), expected) << json::serialize(out);
}

TEST(GettableSilenceTest, ReportsTheStateAtTheGivenTime) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h);

  json::object before = ToGettableJson(s, kNow - 1ms);
  json::object after = ToGettableJson(s, kNow + 1h);

  EXPECT_EQ(before.at("status").at("state"), "pending");
  EXPECT_EQ(after.at("status").at("state"), "expired");
}

TEST(GettableSilenceTest, WritesIsRegexAndIsEqualForEachMatchTypeAndTheAnnotations) {
  Silence s = MakeSilence("s1", kNow, kNow + 1h,
                          {M("a", MatchType::kNotEqual, "1"), M("b", MatchType::kRegex, "2"),
                           M("c", MatchType::kNotRegex, "3")});
  s.annotations.Set("ticket", "OPS-1");

  json::object out = ToGettableJson(s, kNow);

  json::value expected_matchers = json::parse(R"([
    {"name": "a", "value": "1", "isRegex": false, "isEqual": false},
    {"name": "b", "value": "2", "isRegex": true, "isEqual": true},
    {"name": "c", "value": "3", "isRegex": true, "isEqual": false}])");
  EXPECT_EQ(out.at("matchers"), expected_matchers);
  EXPECT_EQ(out.at("annotations"), (json::value{{"ticket", "OPS-1"}}));
}

}  // namespace
}  // namespace correlate
