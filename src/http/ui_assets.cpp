#include "http/ui_assets.h"

#include <map>

namespace http {

namespace {

const std::map<std::string_view, UiAsset, std::less<>>& Assets() {
  static const std::map<std::string_view, UiAsset, std::less<>> assets = [] {
    std::map<std::string_view, UiAsset, std::less<>> out;
    for (const EmbeddedFile* f = kEmbeddedUiFiles; f->name != nullptr; ++f) {
      UiAsset a;
      a.name = f->name;
      a.bytes = std::string_view(reinterpret_cast<const char*>(f->data), f->size);
      a.content_type = UiContentType(a.name);
      a.etag = f->etag;
      out.emplace(a.name, a);
    }
    return out;
  }();
  return assets;
}

// Trims optional whitespace (spaces and tabs) from both ends.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

// No inline script or style anywhere in the UI: everything comes from the server's own files, nothing from
// elsewhere, and no page may frame it.
const std::string_view kUiHeaders =
    "\r\nCache-Control: no-cache"
    "\r\nContent-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    "\r\nX-Content-Type-Options: nosniff"
    "\r\nReferrer-Policy: no-referrer"
    "\r\nX-Frame-Options: DENY";

const UiAsset* FindUiAsset(std::string_view name) {
  const auto& assets = Assets();
  auto it = assets.find(name);
  return it == assets.end() ? nullptr : &it->second;
}

std::string_view UiContentType(std::string_view name) {
  const size_t dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml; charset=utf-8";
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "json") return "application/json; charset=utf-8";
  if (ext == "png") return "image/png";
  return "application/octet-stream";
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  if (Trim(if_none_match) == "*") return true;
  // Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view tag = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace http
