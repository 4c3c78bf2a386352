#include "http/ui_assets.h"

#include <gtest/gtest.h>

#include <set>

namespace http {
namespace {

TEST(UiAssetsTest, TheShellIsEmbeddedAsHtml) {
  const UiAsset* index = FindUiAsset("index.html");

  ASSERT_NE(index, nullptr);
  EXPECT_FALSE(index->bytes.empty());
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->etag.size(), 34u);  // 32 hex digits in quotes
}

TEST(UiAssetsTest, EveryFileOfTheFolderIsFoundByNameWithItsBytesAndADistinctTag) {
  size_t files = 0;
  std::set<std::string_view> tags;

  for (const EmbeddedFile* f = kEmbeddedUiFiles; f->name != nullptr; ++f) {
    const UiAsset* asset = FindUiAsset(f->name);
    ASSERT_NE(asset, nullptr) << f->name;
    EXPECT_EQ(asset->bytes.size(), f->size) << f->name;
    tags.insert(asset->etag);
    ++files;
  }

  EXPECT_GE(files, 2u);  // the shell and at least one script
  EXPECT_EQ(tags.size(), files);
}

TEST(UiAssetsTest, UnknownNamesAndPathsAreNotServed) {
  EXPECT_EQ(FindUiAsset("nope.js"), nullptr);
  EXPECT_EQ(FindUiAsset("../CMakeLists.txt"), nullptr);
  EXPECT_EQ(FindUiAsset(""), nullptr);
}

TEST(UiAssetsTest, ContentTypeByExtension) {
  EXPECT_EQ(UiContentType("a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(UiContentType("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(UiContentType("favicon.svg"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(UiContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(UiContentType("logo.png"), "image/png");
  EXPECT_EQ(UiContentType("m.json"), "application/json; charset=utf-8");
  EXPECT_EQ(UiContentType("README"), "application/octet-stream");
}

TEST(UiAssetsTest, IfNoneMatchMatchesListsWeakTagsAndStar) {
  EXPECT_TRUE(EtagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("\"x\", W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches(" * ", "\"abc\""));
  EXPECT_FALSE(EtagMatches("\"abd\"", "\"abc\""));
  EXPECT_FALSE(EtagMatches("abc", "\"abc\""));
  EXPECT_FALSE(EtagMatches("", "\"abc\""));
}

TEST(UiAssetsTest, EveryUiResponseCarriesTheSecurityHeaders) {
  EXPECT_NE(kUiHeaders.find("\r\nContent-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                            "form-action 'self'"),
            std::string_view::npos);
  EXPECT_NE(kUiHeaders.find("\r\nX-Content-Type-Options: nosniff"), std::string_view::npos);
  EXPECT_NE(kUiHeaders.find("\r\nReferrer-Policy: no-referrer"), std::string_view::npos);
  EXPECT_NE(kUiHeaders.find("\r\nX-Frame-Options: DENY"), std::string_view::npos);
  EXPECT_NE(kUiHeaders.find("\r\nCache-Control: no-cache"), std::string_view::npos);
}

}  // namespace
}  // namespace http
