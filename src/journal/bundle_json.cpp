// The bundle's JSON form. Parsing is strict on purpose: a value with two spellings (upper-case hex, a time with an
// offset, base64 with stray padding bits) would let a byte change pass unnoticed.
#include <boost/json.hpp>

#include <cstring>
#include <optional>

#include "journal/bundle.h"

namespace journal {
namespace {

namespace json = boost::json;

constexpr std::string_view kFormat = "incidentd-bundle/1";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t n = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                       static_cast<uint8_t>(in[i + 2]);
    out += {kBase64[n >> 18], kBase64[(n >> 12) & 63], kBase64[(n >> 6) & 63], kBase64[n & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out += {kBase64[n >> 18], kBase64[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t n = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8;
    out += {kBase64[n >> 18], kBase64[(n >> 12) & 63], kBase64[(n >> 6) & 63], '='};
  }
  return out;
}

// nullopt unless `text` is exactly what Base64 makes of some bytes.
std::optional<std::string> FromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) return std::nullopt;
      break;
    }
    const char* at = std::strchr(kBase64, c);
    if (c == '\0' || at == nullptr) return std::nullopt;
    acc = acc << 6 | static_cast<uint32_t>(at - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (Base64(out) != text) return std::nullopt;
  return out;
}

std::optional<Hash> FromHex(std::string_view text) {
  Hash h{};
  if (text.size() != h.size() * 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // upper case too: one spelling only
  };
  for (size_t i = 0; i < h.size(); ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    h[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return h;
}

json::object AnchorJson(const Anchor& a) {
  json::object o;
  o["seq"] = a.seq;
  o["hash"] = HashHex(a.hash);
  return o;
}

json::object EntryJson(const BundleEntry& e) {
  const Record& r = e.record;
  json::object o;
  o["seq"] = r.seq;
  if (e.redacted) {
    o["redacted"] = true;
  } else {
    o["time"] = core::FormatRfc3339(r.time);
    o["actor"] = r.actor;
    o["type"] = r.type;
    o["type_name"] = e.description.type_name;
    o["version"] = r.version;
    o["summary"] = e.description.summary;
    o["payload"] = Base64(r.payload);
  }
  o["prev"] = HashHex(r.prev);
  o["hash"] = HashHex(r.hash);
  return o;
}

// Reads one JSON object's fields, each exactly once, and reports the first problem with `where` in front.
class StrictObject {
 public:
  StrictObject(const json::value& v, std::string where, std::initializer_list<std::string_view> allowed)
      : where_(std::move(where)) {
    obj_ = v.if_object();
    if (obj_ == nullptr) {
      Fail("is not a JSON object");
      return;
    }
    for (const auto& kv : *obj_) {
      bool known = false;
      for (std::string_view a : allowed) known = known || kv.key() == a;
      if (!known) Fail("unknown field \"" + std::string(kv.key()) + "\"");
    }
  }

  const json::value* Get(std::string_view key) {
    if (obj_ == nullptr) return nullptr;
    const json::value* v = obj_->if_contains(key);
    if (v == nullptr) Fail("missing field \"" + std::string(key) + "\"");
    return v;
  }

  uint64_t U64(std::string_view key, uint64_t max = UINT64_MAX) {
    const json::value* v = Get(key);
    if (v == nullptr) return 0;
    uint64_t n = 0;
    if (v->is_uint64()) {
      n = v->get_uint64();
    } else if (v->is_int64() && v->get_int64() >= 0) {
      n = static_cast<uint64_t>(v->get_int64());
    } else {
      Fail("\"" + std::string(key) + "\" is not a non-negative integer");
      return 0;
    }
    if (n > max) Fail("\"" + std::string(key) + "\" is above " + std::to_string(max));
    return n;
  }

  std::string Str(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      Fail("\"" + std::string(key) + "\" is not a string");
      return {};
    }
    return std::string(v->get_string());
  }

  Hash HashField(std::string_view key) {
    const json::value* v = Get(key);
    if (v == nullptr) return {};
    const json::string* s = v->if_string();
    std::optional<Hash> h = s ? FromHex(*s) : std::nullopt;
    if (!h) {
      Fail("\"" + std::string(key) + "\" is not 64 lower-case hex digits");
      return {};
    }
    return *h;
  }

  core::Timestamp Time(std::string_view key) {
    std::string text = Str(key);
    if (!error_.empty()) return {};
    auto t = core::ParseRfc3339(text);
    if (!t.ok() || core::FormatRfc3339(*t) != text) {
      Fail("\"" + std::string(key) + "\" is not a UTC RFC 3339 time as incidentd writes it");
      return {};
    }
    return *t;
  }

  bool Has(std::string_view key) const { return obj_ != nullptr && obj_->contains(key); }
  void Fail(std::string what) {
    if (error_.empty()) error_ = where_ + ": " + std::move(what);
  }
  core::Status status() const { return error_.empty() ? core::Ok() : core::Status(core::Corrupt(error_)); }

 private:
  const json::object* obj_ = nullptr;
  std::string where_;
  std::string error_;
};

core::Result<BundleEntry> ParseEntry(const json::value& v, size_t index, uint64_t previous_seq) {
  // Named by its own seq when that reads, else by position: "records[3] (after record 41)".
  std::string where = "records[" + std::to_string(index) + "]" +
                      (index == 0 ? "" : " (after record " + std::to_string(previous_seq) + ")");
  if (const json::object* o = v.if_object()) {
    if (const json::value* s = o->if_contains("seq"); s && (s->is_uint64() || (s->is_int64() && s->get_int64() >= 0))) {
      where = "record " + std::to_string(s->is_uint64() ? s->get_uint64() : static_cast<uint64_t>(s->get_int64()));
    }
  }
  BundleEntry e;
  const bool redacted = v.is_object() && v.as_object().contains("redacted");
  if (redacted) {
    StrictObject f(v, where, {"seq", "redacted", "prev", "hash"});
    e.redacted = true;
    e.record.seq = f.U64("seq");
    if (const json::value* r = f.Get("redacted"); r && !(r->is_bool() && r->get_bool())) {
      f.Fail("\"redacted\" is not true");
    }
    e.record.prev = f.HashField("prev");
    e.record.hash = f.HashField("hash");
    if (auto st = f.status(); !st.ok()) return st.error();
    return e;
  }
  StrictObject f(v, where,
           {"seq", "time", "actor", "type", "type_name", "version", "summary", "payload", "prev", "hash"});
  Record& r = e.record;
  r.seq = f.U64("seq");
  r.time = f.Time("time");
  r.actor = f.Str("actor");
  r.type = static_cast<uint16_t>(f.U64("type", 0xffff));
  e.description.type_name = f.Str("type_name");
  r.version = static_cast<uint16_t>(f.U64("version", 0xffff));
  e.description.summary = f.Str("summary");
  if (f.Has("payload")) {
    std::string text = f.Str("payload");
    if (auto bytes = FromBase64(text)) {
      r.payload = std::move(*bytes);
    } else {
      f.Fail("\"payload\" is not base64 as incidentd writes it");
    }
  } else {
    f.Get("payload");
  }
  r.prev = f.HashField("prev");
  r.hash = f.HashField("hash");
  if (auto st = f.status(); !st.ok()) return st.error();
  return e;
}

// Where a syntax error at byte `offset` is: in the last record whose "seq" starts before it, if any.
std::string NearRecord(std::string_view text, size_t offset) {
  const size_t records = text.find("\"records\"");
  if (records == std::string_view::npos || records > offset) return "";
  const size_t seq = text.substr(0, offset).rfind("\"seq\":");
  if (seq == std::string_view::npos || seq < records) return "";
  // Past the records (in the digest, say) the error belongs to no record.
  const size_t digest = text.substr(0, offset).rfind("\"digest\"");
  if (digest != std::string_view::npos && digest > seq) return "";
  size_t i = seq + 6;
  std::string digits;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits.size() < 20) digits.push_back(text[i++]);
  return digits.empty() ? "" : "record " + digits + ": ";
}

}  // namespace

std::string BundleJson(const Bundle& b) {
  json::object o;
  o["format"] = kFormat;
  json::object incident;
  incident["id"] = b.incident.id;
  incident["title"] = b.incident.title;
  incident["service"] = b.incident.service;
  incident["severity"] = b.incident.severity;
  incident["state"] = b.incident.state;
  o["incident"] = std::move(incident);
  o["exported_at"] = core::FormatRfc3339(b.exported_at);
  o["exporter"] = b.exporter;
  o["anchor_in"] = AnchorJson(b.anchor_in);
  o["journal_head"] = AnchorJson(b.head);
  json::array records;
  records.reserve(b.entries.size());
  for (const BundleEntry& e : b.entries) records.push_back(EntryJson(e));
  o["records"] = std::move(records);
  o["digest"] = HashHex(b.digest);
  return json::serialize(o) + "\n";
}

core::Result<Bundle> ParseBundle(std::string_view text) {
  json::stream_parser parser;
  json::error_code ec;
  const size_t used = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    return core::Corrupt(NearRecord(text, used) + "not valid JSON at byte " + std::to_string(used) + " (" +
                         ec.message() + ")");
  }
  const json::value root = parser.release();
  StrictObject top(root, "bundle",
             {"format", "incident", "exported_at", "exporter", "anchor_in", "journal_head", "records", "digest"});
  if (top.Str("format") != kFormat) top.Fail("format is not \"" + std::string(kFormat) + "\"");
  if (auto st = top.status(); !st.ok()) return st.error();

  Bundle b;
  if (const json::value* v = top.Get("incident")) {
    StrictObject f(*v, "incident", {"id", "title", "service", "severity", "state"});
    b.incident.id = f.U64("id");
    b.incident.title = f.Str("title");
    b.incident.service = f.Str("service");
    b.incident.severity = f.Str("severity");
    b.incident.state = f.Str("state");
    if (auto st = f.status(); !st.ok()) return st.error();
  }
  b.exported_at = top.Time("exported_at");
  b.exporter = top.Str("exporter");
  for (auto [key, anchor] : {std::pair{"anchor_in", &b.anchor_in}, std::pair{"journal_head", &b.head}}) {
    if (const json::value* v = top.Get(key)) {
      StrictObject f(*v, key, {"seq", "hash"});
      anchor->seq = f.U64("seq");
      anchor->hash = f.HashField("hash");
      if (auto st = f.status(); !st.ok()) return st.error();
    }
  }
  b.digest = top.HashField("digest");
  const json::value* records = top.Get("records");
  if (records != nullptr && !records->is_array()) top.Fail("\"records\" is not an array");
  if (auto st = top.status(); !st.ok()) return st.error();

  const json::array& list = records->get_array();
  b.entries.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    auto entry = ParseEntry(list[i], i, b.entries.empty() ? 0 : b.entries.back().record.seq);
    if (!entry.ok()) return entry.error();
    b.entries.push_back(std::move(entry).value());
  }
  return b;
}

core::Result<BundleCheck> VerifyBundleJson(std::string_view text, const Describer& describe) {
  auto bundle = ParseBundle(text);
  if (!bundle.ok()) return bundle.error();
  auto check = VerifyBundle(*bundle, describe);
  if (!check.ok()) return check.error();
  if (BundleJson(*bundle) != text) {
    return core::Corrupt("bundle: its records verify, but the text is not byte for byte as incidentd wrote it "
                         "(whitespace or field order changed)");
  }
  return check;
}

}  // namespace journal
