#include "journal/bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace journal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Payloads are the summaries; an empty one does not decode.
core::Result<Description> DescribeTestRecord(const Record& r) {
  if (r.payload.empty()) return core::Corrupt("empty payload");
  return Description{"test.note", "note: " + r.payload};
}

// Records 1..n; record i says "incident 7 step i" when i is in `own`, else another incident's secret.
std::vector<Record> MakeJournal(int n, const std::vector<uint64_t>& own) {
  Chain chain;
  std::vector<Record> out;
  for (int i = 1; i <= n; ++i) {
    Record r;
    r.time = core::FromUnixMillis(1700000000000 + i * 1000 + 7);
    r.actor = "token:admin";
    r.type = 7;
    const bool mine = std::find(own.begin(), own.end(), static_cast<uint64_t>(i)) != own.end();
    r.payload =
        mine ? "incident 7 step " + std::to_string(i) + " \x01\xff|<b>" : "incident 9 secret " + std::to_string(i);
    chain.Link(r);
    out.push_back(r);
  }
  return out;
}

class BundleTest : public ::testing::Test {
 protected:
  // Journal of 10 records; incident 7 owns 3, 5 and 8: the segment is 3..8 with 4, 6, 7 redacted.
  BundleTest() : journal_(MakeJournal(10, {3, 5, 8})) {}

  Bundle Make() {
    std::span<const Record> segment(journal_.data() + 2, 6);
    auto b = MakeBundle(BundleIncident{7, "db-1 is down", "checkout", "critical", "acknowledged"},
                        core::FromUnixMillis(1700000100000), "token:admin", Anchor{10, journal_.back().hash}, segment,
                        own_, DescribeTestRecord);
    EXPECT_TRUE(b.ok()) << b.error().message;
    return b.ok() ? std::move(b).value() : Bundle{};
  }

  // Parses and verifies the JSON text as `incidentctl journal verify --bundle` does.
  static core::Result<BundleCheck> CheckJson(const std::string& text) {
    return VerifyBundleJson(text, DescribeTestRecord);
  }

  static BundleEntry& Entry(Bundle& b, uint64_t seq) { return b.entries[seq - b.entries.front().record.seq]; }

  std::vector<Record> journal_;
  std::vector<uint64_t> own_{3, 5, 8};
};

TEST_F(BundleTest, ABundleVerifies) {
  Bundle b = Make();

  auto check = VerifyBundle(b, DescribeTestRecord);

  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_EQ(check->records, 6u);
  EXPECT_EQ(check->incident_records, 3u);
  EXPECT_EQ(check->first_seq, 3u);
  EXPECT_EQ(check->last_seq, 8u);
  EXPECT_EQ(check->last_hash, journal_[7].hash);
  EXPECT_EQ(b.anchor_in.seq, 2u);
  EXPECT_EQ(b.anchor_in.hash, journal_[1].hash);
}

TEST_F(BundleTest, JsonRoundTripVerifies) {
  Bundle b = Make();

  auto parsed = ParseBundle(BundleJson(b));

  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->entries.size(), 6u);
  EXPECT_EQ(parsed->entries[0].record, b.entries[0].record);
  EXPECT_EQ(parsed->digest, b.digest);
  EXPECT_TRUE(VerifyBundle(*parsed, DescribeTestRecord).ok());
}

TEST_F(BundleTest, RedactedRecordsCarryOnlyTheirHashes) {
  const std::string text = BundleJson(Make());

  EXPECT_THAT(text, Not(HasSubstr("secret")));
  EXPECT_THAT(text, HasSubstr(R"({"seq":4,"redacted":true,"prev":")" + HashHex(journal_[2].hash) + R"(","hash":")" +
                              HashHex(journal_[3].hash) + R"("})"));
  EXPECT_THAT(text, HasSubstr("\"summary\":\"note: incident 7 step 5"));
}

TEST_F(BundleTest, OneByteChangedInAFullRecordsPayloadFailsNamingThatRecord) {
  Bundle b = Make();
  Entry(b, 5).record.payload[0] ^= 1;

  auto check = CheckJson(BundleJson(b));

  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().message, "record 5: hash mismatch (contents changed)");
}

TEST_F(BundleTest, ChangedRedactedHashFailsNamingTheNextRecord) {
  Bundle b = Make();
  Entry(b, 6).record.hash[31] ^= 1;

  auto check = VerifyBundle(b, DescribeTestRecord);

  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().message, "record 7: previous hash does not link to record 6");
}

TEST_F(BundleTest, MissingRecordFailsNamingTheRecordAfterTheGap) {
  Bundle b = Make();
  b.entries.erase(b.entries.begin() + 3);  // record 6

  auto check = VerifyBundle(b, DescribeTestRecord);

  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().message, "record 7: record 6 is missing before it");
}

TEST_F(BundleTest, ReorderedRecordsFail) {
  Bundle b = Make();
  std::swap(b.entries[2], b.entries[3]);  // 5 and 6

  auto check = VerifyBundle(b, DescribeTestRecord);

  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().message, "record 6: out of order (expected record 5)");
}

TEST_F(BundleTest, ChangedSummaryFailsNamingTheRecord) {
  Bundle b = Make();
  Entry(b, 8).description.summary = "note: nothing happened";

  auto check = VerifyBundle(b, DescribeTestRecord);

  ASSERT_FALSE(check.ok());
  EXPECT_THAT(check.error().message, StartsWith("record 8: summary does not match the payload"));
}

TEST_F(BundleTest, ChangedExporterFailsTheDigest) {
  Bundle b = Make();
  b.exporter = "token:someone-else";

  auto check = VerifyBundle(b, DescribeTestRecord);

  ASSERT_FALSE(check.ok());
  EXPECT_THAT(check.error().message, HasSubstr("digest mismatch"));
}

TEST_F(BundleTest, AnyOneByteChangeOfTheJsonFailsVerification) {
  const std::string text = BundleJson(Make());
  ASSERT_TRUE(CheckJson(text).ok());

  for (size_t i = 0; i < text.size(); ++i) {
    for (char flip : {char{0x01}, char{0x20}}) {
      std::string changed = text;
      changed[i] = static_cast<char>(changed[i] ^ flip);

      auto check = CheckJson(changed);

      EXPECT_FALSE(check.ok()) << "byte " << i << " ('" << text[i] << "' to '" << changed[i]
                               << "') changed and still verified: ..." << text.substr(i > 40 ? i - 40 : 0, 80);
    }
  }
}

TEST_F(BundleTest, ReformattedJsonFailsAfterItsRecordsVerify) {
  std::string text = BundleJson(Make());
  text.insert(text.find("\"records\""), " ");

  auto check = CheckJson(text);

  ASSERT_FALSE(check.ok());
  EXPECT_THAT(check.error().message, HasSubstr("not byte for byte as incidentd wrote it"));
}

TEST_F(BundleTest, SyntaxErrorNamesTheRecordItIsIn) {
  std::string text = BundleJson(Make());
  const size_t at = text.find("\"seq\":5,");
  text[text.find(",\"actor\"", at)] = ';';

  auto check = CheckJson(text);

  ASSERT_FALSE(check.ok());
  EXPECT_THAT(check.error().message, StartsWith("record 5: not valid JSON"));
}

TEST_F(BundleTest, UndecodableIncidentRecordIsNotBundled) {
  journal_[4].payload.clear();  // record 5: re-link the chain after it so only the payload is wrong
  Chain chain(4, journal_[3].hash);
  for (size_t i = 4; i < journal_.size(); ++i) chain.Link(journal_[i]);

  std::span<const Record> segment(journal_.data() + 2, 6);
  auto b = MakeBundle(BundleIncident{}, core::Timestamp{}, "x", Anchor{10, journal_.back().hash}, segment, own_,
                      DescribeTestRecord);

  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "record 5: empty payload");
}

TEST_F(BundleTest, SegmentMustStartAndEndWithTheIncidentsRecords) {
  std::span<const Record> segment(journal_.data() + 1, 7);  // starts at record 2

  auto b = MakeBundle(BundleIncident{}, core::Timestamp{}, "x", Anchor{10, journal_.back().hash}, segment, own_,
                      DescribeTestRecord);

  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, core::ErrorCode::kInvalid);
}

TEST_F(BundleTest, MarkdownShowsTheTimelineAndCollapsesRedactedRuns) {
  const std::string md = BundleMarkdown(Make());

  EXPECT_THAT(md, StartsWith("# Incident 7: db-1 is down\n"));
  EXPECT_THAT(md, HasSubstr("| 5 | 2023-11-14T22:13:25.007Z | token:admin | test.note | note: incident 7 step 5"));
  EXPECT_THAT(md, HasSubstr("\\|&lt;b&gt;"));
  EXPECT_THAT(md, HasSubstr("| 6–7 | redacted (2 records) | `" + HashHex(journal_[4].hash) + "` | `" +
                                HashHex(journal_[6].hash) + "` |"));
  EXPECT_THAT(md, Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace journal
