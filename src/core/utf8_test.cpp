#include "core/utf8.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(Utf8Test, AcceptsAsciiAndMultibyte) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Störung – 障害 🚨"));
}

TEST(Utf8Test, RejectsMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("ok\x80"));            // stray continuation byte
}

TEST(Utf8Test, FindsABadByteAtEveryOffsetOfALongAsciiText) {
  // Long ASCII runs are checked a word at a time: a bad byte must be found wherever it falls in or after a word.
  const std::string ascii(40, 'a');
  EXPECT_TRUE(IsValidUtf8(ascii));
  for (size_t at = 0; at < ascii.size(); ++at) {
    std::string bad = ascii;
    bad[at] = '\x80';
    EXPECT_FALSE(IsValidUtf8(bad)) << "stray continuation byte at " << at;
    std::string good = ascii;
    good.replace(at, 1, "\xc3\xa9");  // é
    EXPECT_TRUE(IsValidUtf8(good)) << "two-byte sequence at " << at;
    std::string cut = ascii.substr(0, at) + "\xe2\x82";  // a truncated three-byte sequence at the end
    EXPECT_FALSE(IsValidUtf8(cut)) << "truncated sequence after " << at << " ASCII bytes";
  }
}

}  // namespace
}  // namespace core
