#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "channels/channel.h"
#include "channels/format.h"
#include "core/time.h"

namespace channels {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// 2025-02-13T09:05:03Z; `date -u -d @1739437503 -R` gives "Thu, 13 Feb 2025 09:05:03 +0000".
const core::Timestamp kNow = core::FromUnixMillis(1739437503000);

ChannelConfig MailChannel() {
  ChannelConfig c;
  c.type = ChannelType::kEmail;
  c.url = "smtp://mail.example.com:587";
  c.from = "incidentd@example.com";
  return c;
}

Message Page() {
  Message m;
  m.idempotency_key = "incident-42.page.alice";
  m.address = "alice@example.com";
  m.subject = "Checkout is down";
  m.text = "line one\nline two";
  return m;
}

// The header block and the body of a message built by EmailMessage.
std::pair<std::string, std::string> Split(const std::string& message) {
  const size_t end = message.find("\r\n\r\n");
  if (end == std::string::npos) return {message, ""};
  return {message.substr(0, end + 2), message.substr(end + 4)};
}

TEST(EmailMessageTest, HasTheHeadersAMailReaderNeeds) {
  const auto [headers, body] = Split(EmailMessage(MailChannel(), Page(), kNow));

  EXPECT_EQ(headers,
            "From: incidentd@example.com\r\n"
            "To: alice@example.com\r\n"
            "Subject: Checkout is down\r\n"
            "Date: Thu, 13 Feb 2025 09:05:03 +0000\r\n"
            "Message-ID: <incident-42.page.alice@incidentd>\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n");
}

TEST(EmailMessageTest, BodyLinesEndInCrlfAndAreNotDotStuffed) {
  Message m = Page();
  m.text = "first\r\n.starts with a dot\rlone cr\n\nlast";

  const auto [headers, body] = Split(EmailMessage(MailChannel(), m, kNow));

  EXPECT_EQ(body, "first\r\n.starts with a dot\r\nlone cr\r\n\r\nlast\r\n");
}

TEST(EmailMessageTest, AckUrlFollowsTheTextAfterABlankLine) {
  Message m = Page();
  m.ack_url = "https://incidentd.example.com/ack/abc";

  const auto [headers, body] = Split(EmailMessage(MailChannel(), m, kNow));

  EXPECT_EQ(body, "line one\r\nline two\r\n\r\nAcknowledge: https://incidentd.example.com/ack/abc\r\n");
}

TEST(EmailMessageTest, NonAsciiSubjectIsEncoded) {
  Message m = Page();
  m.subject = "Ünïcödé incident — db-01 is down";

  const std::string message = EmailMessage(MailChannel(), m, kNow);

  // printf 'Ünïcödé incident — db-01 is down' | base64
  EXPECT_THAT(message, HasSubstr("\r\nSubject: =?UTF-8?B?w5xuw69jw7Zkw6kgaW5jaWRlbnQg4oCUIGRiLTAxIGlzIGRvd24=?=\r\n"));
}

TEST(EmailMessageTest, LongLinesGoQuotedPrintable) {
  Message m = Page();
  m.text = std::string(1200, 'x') + " caf\xC3\xA9=\nshort ";

  const auto [headers, body] = Split(EmailMessage(MailChannel(), m, kNow));

  EXPECT_THAT(headers, HasSubstr("Content-Transfer-Encoding: quoted-printable\r\n"));
  size_t start = 0;
  while (start < body.size()) {
    const size_t eol = body.find("\r\n", start);
    ASSERT_NE(eol, std::string::npos);
    EXPECT_LE(eol - start, 76u);
    start = eol + 2;
  }
  EXPECT_THAT(body, HasSubstr(" caf=C3=A9=3D\r\n"));
  EXPECT_THAT(body, HasSubstr("\r\nshort=20\r\n"));
}

TEST(EncodeHeaderTextTest, LeavesPlainAsciiAlone) {
  EXPECT_EQ(EncodeHeaderText("Checkout is down (p1)"), "Checkout is down (p1)");
  EXPECT_EQ(EncodeHeaderText(""), "");
}

TEST(EncodeHeaderTextTest, EncodesTextThatLooksLikeAnEncodedWord) {
  EXPECT_THAT(EncodeHeaderText("=?UTF-8?B?x?="), StartsWith("=?UTF-8?B?"));
}

TEST(EncodeHeaderTextTest, FoldsLongTextWithoutSplittingACharacter) {
  // 38 ASCII bytes, then 'é' (2 bytes) across the 39-byte word limit: it must move whole to the second word.
  const std::string text = std::string(38, 'a') + "\xC3\xA9!";

  const std::string encoded = EncodeHeaderText(text);

  // printf 'a%.0s' $(seq 38) | base64; printf 'é!' | base64
  EXPECT_EQ(encoded, "=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=?=\r\n =?UTF-8?B?w6kh?=");
}

TEST(MessageIdTest, KeepsDotAtomKeys) {
  EXPECT_EQ(MessageId("incident-42.page.alice"), "<incident-42.page.alice@incidentd>");
  EXPECT_EQ(MessageId("a/b+c_d"), "<a/b+c_d@incidentd>");
}

TEST(MessageIdTest, EscapesEverythingElseReversibly) {
  EXPECT_EQ(MessageId("inc 42:page=1"), "<inc=2042=3Apage=3D1@incidentd>");
  EXPECT_EQ(MessageId(".a..b."), "<=2Ea.=2Eb=2E@incidentd>");
  EXPECT_EQ(MessageId("<x@y>\r\n"), "<=3Cx=40y=3E=0D=0A@incidentd>");
}

TEST(MessageIdTest, EmptyKeyGetsARandomId) {
  const std::string a = MessageId("");
  const std::string b = MessageId("");

  EXPECT_NE(a, b);
  EXPECT_THAT(a, testing::MatchesRegex("<[0-9a-f]{32}@incidentd>"));
}

TEST(FromHeaderTest, DisplayNamesAreQuotedOrEncoded) {
  ChannelConfig c = MailChannel();
  c.from = "Incidentd <incidentd@example.com>";
  EXPECT_THAT(EmailMessage(c, Page(), kNow), StartsWith("From: Incidentd <incidentd@example.com>\r\n"));
  c.from = "Ops, Team <ops@example.com>";
  EXPECT_THAT(EmailMessage(c, Page(), kNow), StartsWith("From: \"Ops, Team\" <ops@example.com>\r\n"));
  c.from = "Störungsdienst <ops@example.com>";
  EXPECT_THAT(EmailMessage(c, Page(), kNow),
              StartsWith("From: =?UTF-8?B?U3TDtnJ1bmdzZGllbnN0?= <ops@example.com>\r\n"));
}

TEST(EnvelopeAddressTest, TakesTheAddressOutOfADisplayForm) {
  EXPECT_EQ(EnvelopeAddress("Incidentd <incidentd@example.com>"), "incidentd@example.com");
  EXPECT_EQ(EnvelopeAddress(" incidentd@example.com "), "incidentd@example.com");
}

TEST(FormatEmailDateTest, UsesEnglishNamesAndUtc) {
  EXPECT_EQ(FormatEmailDate(core::FromUnixMillis(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(FormatEmailDate(kNow), "Thu, 13 Feb 2025 09:05:03 +0000");
}

}  // namespace
}  // namespace channels
