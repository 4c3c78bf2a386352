// The web UI's files (ui/ at the repository root), embedded in the binary at build time, and the rules for serving
// them: content types, ETags, the security headers every UI response carries.
#pragma once

#include <cstddef>
#include <string_view>

namespace http {

// One embedded file, as src/http/embed_ui.cmake generates it.
struct EmbeddedFile {
  const char* name;           // "app.js": the file's name in ui/
  const unsigned char* data;  // `size` bytes
  size_t size;
  const char* etag;  // "\"<first 32 hex digits of the SHA-256>\"", quotes included
};

// The generated table, ended by a row whose name is null.
extern const EmbeddedFile kEmbeddedUiFiles[];

// A servable file of the UI.
struct UiAsset {
  std::string_view name;
  std::string_view bytes;
  std::string_view content_type;  // static
  std::string_view etag;          // static, quoted
};

// The file of ui/ named `name` (no folders), or null. Thread-safe; the views live as long as the program.
const UiAsset* FindUiAsset(std::string_view name);

// The media type for a file name by its extension: .js text/javascript, .css text/css, .svg image/svg+xml, .html
// text/html, .png image/png, .json application/json (text types with "; charset=utf-8"); anything else
// application/octet-stream.
std::string_view UiContentType(std::string_view name);

// Whether an If-None-Match header value ("*", or a list of entity tags, weak or strong) matches `etag`.
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

// The headers of every UI response (/, /ui/*): Cache-Control: no-cache, the Content-Security-Policy,
// X-Content-Type-Options, Referrer-Policy and X-Frame-Options; each line as "\r\nName: value" for WriteResponse.
extern const std::string_view kUiHeaders;

}  // namespace http
