#include "journal/codec.h"

#include <gtest/gtest.h>

namespace journal {
namespace {

TEST(CodecTest, VarintsAreSevenBitsALowGroupFirstWithTheHighBitMarkingMore) {
  Writer w;
  w.U64(127);
  w.U64(128);
  w.U64(300);
  w.U64(UINT64_MAX);
  EXPECT_EQ(w.bytes(), std::string("\x7f"
                                   "\x80\x01"
                                   "\xac\x02"
                                   "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"));
}

TEST(CodecTest, RoundTripsEveryType) {
  Writer w;
  w.U64(0);
  w.U64(300);
  w.U64(UINT64_MAX);
  w.I64(-1);
  w.I64(INT64_MIN);
  w.Str("hello");
  w.Bool(true);
  w.Labels(core::LabelSet{{"a", "1"}, {"b", "2"}});

  Reader r(w.bytes());

  EXPECT_EQ(r.U64(), 0u);
  EXPECT_EQ(r.U64(), 300u);
  EXPECT_EQ(r.U64(), UINT64_MAX);
  EXPECT_EQ(r.I64(), -1);
  EXPECT_EQ(r.I64(), INT64_MIN);
  EXPECT_EQ(r.Str(), "hello");
  EXPECT_TRUE(r.Bool());
  EXPECT_EQ(r.Labels(), (core::LabelSet{{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(r.Finish("test").ok());
}

TEST(CodecTest, TruncatedInputFailsWithoutReadingPastTheEnd) {
  Writer w;
  w.Str("a long enough string");
  std::string bytes = w.bytes().substr(0, 5);

  Reader r(bytes);
  std::string s = r.Str();

  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.Finish("test").error().code, core::ErrorCode::kCorrupt);
}

TEST(CodecTest, HugeLengthPrefixIsRejected) {
  Writer w;
  w.U64(UINT64_MAX);

  Reader r(w.bytes());
  (void)r.Str();

  EXPECT_FALSE(r.ok());
}

TEST(CodecTest, TrailingBytesAreCorruption) {
  Writer w;
  w.U64(1);
  w.U64(2);

  Reader r(w.bytes());
  (void)r.U64();

  EXPECT_EQ(r.Finish("test").error().code, core::ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace journal
