#include "domain/correlate/silence.h"

#include <algorithm>
#include <utility>

#include <boost/json.hpp>

#include "core/json_pointer.h"
#include "journal/codec.h"

namespace correlate {
namespace {

namespace json = boost::json;

constexpr uint8_t kEncodingVersion = 1;

// Prometheus' classic label name rule, which Alertmanager 0.25 applies to silence matchers.
bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// Go's %q, close enough for the ASCII in error messages.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const char* JsonType(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "unknown";
}

// A body field as go-openapi names it in messages ("matchers.0.name") and as a JSON pointer ("/matchers/0/name").
struct Field {
  std::string name;
  std::string pointer;
};

core::Error Required(const Field& f) { return core::Invalid(f.name + " in body is required", f.pointer); }

core::Error WrongType(const Field& f, const char* want, const json::value& got) {
  return core::Invalid(f.name + " in body must be of type " + want + ": " + Quote(JsonType(got)), f.pointer);
}

// Go decodes an explicit null like an absent member, so both read as "missing" here.
const json::value* Member(const json::object& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

core::Result<std::string> RequiredString(const json::object& obj, std::string_view key, const Field& f) {
  const json::value* v = Member(obj, key);
  if (v == nullptr) return Required(f);
  if (!v->is_string()) return WrongType(f, "string", *v);
  return std::string(v->get_string());
}

core::Result<core::Timestamp> RequiredTime(const json::object& obj, std::string_view key) {
  Field f{std::string(key), "/" + std::string(key)};
  auto text = RequiredString(obj, key, f);
  if (!text.ok()) return text.error();
  auto t = core::ParseRfc3339(text.value());
  if (!t.ok()) return core::Invalid(f.name + " in body must be of type date-time: " + Quote(text.value()), f.pointer);
  return t.value();
}

core::Result<core::Matcher> ParseMatcher(const json::value& v, size_t index) {
  const std::string idx = std::to_string(index);
  const Field self{"matchers." + idx, "/matchers/" + idx};
  if (!v.is_object()) return WrongType(self, "object", v);
  const auto& obj = v.get_object();
  const Field name_field{self.name + ".name", self.pointer + "/name"};
  const Field value_field{self.name + ".value", self.pointer + "/value"};
  const Field regex_field{self.name + ".isRegex", self.pointer + "/isRegex"};
  const Field equal_field{self.name + ".isEqual", self.pointer + "/isEqual"};

  auto name = RequiredString(obj, "name", name_field);
  if (!name.ok()) return name.error();
  auto value = RequiredString(obj, "value", value_field);
  if (!value.ok()) return value.error();
  const json::value* is_regex = Member(obj, "isRegex");
  if (is_regex == nullptr) return Required(regex_field);
  if (!is_regex->is_bool()) return WrongType(regex_field, "boolean", *is_regex);
  bool is_equal = true;
  if (const json::value* e = Member(obj, "isEqual"); e != nullptr) {
    if (!e->is_bool()) return WrongType(equal_field, "boolean", *e);
    is_equal = e->get_bool();
  }

  const std::string prefix = "invalid label matcher " + idx + ": ";
  if (!IsValidLabelName(name.value())) {
    return core::Invalid(prefix + "invalid label name " + Quote(name.value()), name_field.pointer);
  }
  core::MatchType type = is_regex->get_bool() ? (is_equal ? core::MatchType::kRegex : core::MatchType::kNotRegex)
                                              : (is_equal ? core::MatchType::kEqual : core::MatchType::kNotEqual);
  auto m = core::Matcher::Create(name.value(), type, value.value());
  if (!m.ok()) {
    // Only a regex can fail once the name is valid. Keep RE2's own explanation, dropping core's prefix so the
    // message reads like Alertmanager's.
    std::string detail = m.error().message;
    const std::string core_prefix = "invalid regex for label '" + name.value() + "': ";
    if (detail.rfind(core_prefix, 0) == 0) detail.erase(0, core_prefix.size());
    return core::Invalid(prefix + "invalid regular expression " + Quote(value.value()) + ": " + detail,
                         value_field.pointer);
  }
  return std::move(m).value();
}

// Alertmanager's matchesEmpty: only = and =~ matchers count. A lone negative matcher such as alertname!="x" also
// matches the empty string, yet Alertmanager accepts that silence (captured), so != and !~ never count here.
bool MatchesEmpty(const core::Matcher& m) {
  bool positive = m.type() == core::MatchType::kEqual || m.type() == core::MatchType::kRegex;
  return positive && m.MatchesValue("");
}

core::Result<std::vector<core::Matcher>> ParseMatchers(const json::object& body) {
  const Field f{"matchers", "/matchers"};
  const json::value* v = Member(body, "matchers");
  if (v == nullptr) return Required(f);
  if (!v->is_array()) return WrongType(f, "array", *v);
  const auto& arr = v->get_array();
  if (arr.empty()) return core::Invalid("matchers in body should have at least 1 items", f.pointer);
  if (arr.size() > kMaxSilenceMatchers) {
    return core::Invalid("matchers in body should have at most " + std::to_string(kMaxSilenceMatchers) + " items",
                         f.pointer);
  }
  std::vector<core::Matcher> out;
  out.reserve(arr.size());
  bool all_match_empty = true;
  for (size_t i = 0; i < arr.size(); ++i) {
    auto m = ParseMatcher(arr[i], i);
    if (!m.ok()) return m.error();
    all_match_empty = all_match_empty && MatchesEmpty(m.value());
    out.push_back(std::move(m).value());
  }
  if (all_match_empty) return core::Invalid("at least one matcher must not match the empty string", f.pointer);
  return out;
}

// createdBy and comment: required, non-empty strings.
core::Result<std::string> RequiredText(const json::object& body, std::string_view key, const char* empty_message) {
  Field f{std::string(key), "/" + std::string(key)};
  auto s = RequiredString(body, key, f);
  if (!s.ok()) return s.error();
  if (s->empty()) return core::Invalid(empty_message, f.pointer);
  return s;
}

core::Result<core::LabelSet> ParseAnnotations(const json::object& body) {
  const Field f{"annotations", "/annotations"};
  core::LabelSet out;
  const json::value* v = Member(body, "annotations");
  if (v == nullptr) return out;
  if (!v->is_object()) return WrongType(f, "object", *v);
  for (const auto& kv : v->get_object()) {
    std::string key(kv.key());
    if (!kv.value().is_string()) {
      return WrongType(Field{f.name + "." + key, core::JsonPointer(f.pointer, key)}, "string", kv.value());
    }
    out.Set(std::move(key), std::string(kv.value().get_string()));
  }
  return out;
}

bool SameMatchers(const std::vector<core::Matcher>& a, const std::vector<core::Matcher>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const core::Matcher& x, const core::Matcher& y) {
    return x.name() == y.name() && x.type() == y.type() && x.value() == y.value();
  });
}

// Alertmanager's canUpdate: matchers must be identical (in order), and what may change depends on the state.
bool CanUpdateInPlace(const Silence& prev, const PostableSilence& post, core::Timestamp now) {
  if (!SameMatchers(prev.matchers, post.matchers)) return false;
  switch (prev.StateAt(now)) {
    case SilenceState::kPending: return post.starts_at >= now;
    case SilenceState::kActive: return post.starts_at == prev.starts_at && post.ends_at >= now;
    case SilenceState::kExpired: return false;
  }
  return false;
}

uint8_t TypeByte(core::MatchType type) {
  switch (type) {
    case core::MatchType::kEqual: return 0;
    case core::MatchType::kNotEqual: return 1;
    case core::MatchType::kRegex: return 2;
    case core::MatchType::kNotRegex: return 3;
  }
  return 0;
}

}  // namespace

const char* ToString(SilenceState state) {
  switch (state) {
    case SilenceState::kPending: return "pending";
    case SilenceState::kActive: return "active";
    case SilenceState::kExpired: return "expired";
  }
  return "expired";
}

SilenceState Silence::StateAt(core::Timestamp now) const {
  if (now < starts_at) return SilenceState::kPending;
  if (now >= ends_at) return SilenceState::kExpired;
  return SilenceState::kActive;
}

bool Silence::Matches(const core::LabelSet& labels) const {
  return std::all_of(matchers.begin(), matchers.end(), [&](const core::Matcher& m) { return m.Matches(labels); });
}

bool SameSilence(const Silence& a, const Silence& b) {
  return a.id == b.id && SameMatchers(a.matchers, b.matchers) && a.starts_at == b.starts_at &&
         a.ends_at == b.ends_at && a.updated_at == b.updated_at && a.created_by == b.created_by &&
         a.comment == b.comment && a.annotations == b.annotations;
}

core::Result<PostableSilence> ParsePostableSilence(const json::value& body) {
  if (!body.is_object()) return WrongType(Field{"silence", ""}, "object", body);
  const auto& obj = body.get_object();
  PostableSilence out;

  if (const json::value* id = Member(obj, "id"); id != nullptr) {
    if (!id->is_string()) return WrongType(Field{"id", "/id"}, "string", *id);
    out.id = std::string(id->get_string());
  }
  auto matchers = ParseMatchers(obj);
  if (!matchers.ok()) return matchers.error();
  out.matchers = std::move(matchers).value();
  // Go's zero time ("0001-01-01T00:00:00Z") parses to year 1; DecidePost moves any past start to now.
  auto starts = RequiredTime(obj, "startsAt");
  if (!starts.ok()) return starts.error();
  out.starts_at = starts.value();
  auto ends = RequiredTime(obj, "endsAt");
  if (!ends.ok()) return ends.error();
  out.ends_at = ends.value();
  auto created_by = RequiredText(obj, "createdBy", "creator information missing");
  if (!created_by.ok()) return created_by.error();
  out.created_by = std::move(created_by).value();
  auto comment = RequiredText(obj, "comment", "comment missing");
  if (!comment.ok()) return comment.error();
  if (comment->size() > kMaxSilenceComment) {
    return core::Invalid("comment in body should be at most " + std::to_string(kMaxSilenceComment) + " chars long",
                         "/comment");
  }
  out.comment = std::move(comment).value();
  auto annotations = ParseAnnotations(obj);
  if (!annotations.ok()) return annotations.error();
  out.annotations = std::move(annotations).value();
  return out;
}

core::Result<SilenceChange> DecidePost(const SilenceMap& silences, const PostableSilence& post, std::string new_id,
                                       core::Timestamp now) {
  // Alertmanager's API checks the posted times before it looks the id up.
  if (post.ends_at <= post.starts_at) return core::Invalid("start time must be before end time", "/endsAt");
  if (post.ends_at < now) return core::Invalid("end time can't be in the past", "/endsAt");
  const Silence* prev = nullptr;
  if (!post.id.empty()) {
    auto it = silences.find(post.id);
    if (it == silences.end()) return core::NotFound("silence not found");
    prev = &it->second;
  }

  SilenceChange change;
  Silence& next = change.silence;
  next.matchers = post.matchers;
  next.starts_at = post.starts_at;
  next.ends_at = post.ends_at;
  next.updated_at = now;
  next.created_by = post.created_by;
  next.comment = post.comment;
  next.annotations = post.annotations;
  if (prev != nullptr && CanUpdateInPlace(*prev, post, now)) {
    next.id = prev->id;
    return change;
  }
  // A replacement: the old silence stops muting now, and the new one cannot start before now.
  if (prev != nullptr && prev->StateAt(now) != SilenceState::kExpired) change.expire_id = prev->id;
  next.id = std::move(new_id);
  next.starts_at = std::max(next.starts_at, now);
  change.created = true;
  return change;
}

core::Result<Silence> DecideExpire(const SilenceMap& silences, std::string_view id, core::Timestamp now) {
  auto it = silences.find(id);
  if (it == silences.end()) return core::NotFound("silence not found");
  Silence s = it->second;
  switch (s.StateAt(now)) {
    case SilenceState::kExpired: return core::Conflict("silence already expired");
    case SilenceState::kPending: s.starts_at = now; break;
    case SilenceState::kActive: break;
  }
  s.ends_at = now;
  s.updated_at = now;
  return s;
}

std::vector<std::string> Matching(const SilenceMap& silences, const core::LabelSet& labels, core::Timestamp now) {
  std::vector<std::string> out;
  for (const auto& [id, s] : silences) {
    // The time test is two comparisons; only silences active now pay for the matchers (and their regexes).
    if (now < s.starts_at || now >= s.ends_at) continue;
    if (s.Matches(labels)) out.push_back(id);
  }
  return out;
}

namespace {

// The equality matcher a silence is filed under: the first name="value" with a non-empty value.
const core::Matcher* Anchor(const Silence& s) {
  for (const auto& m : s.matchers) {
    if (m.type() == core::MatchType::kEqual && !m.value().empty()) return &m;
  }
  return nullptr;
}

}  // namespace

uint64_t SilenceIndex::PairKey(std::string_view name, std::string_view value) {
  return core::Fnv1a64Pair(name, value);
}

void SilenceIndex::Add(const Silence& s) {
  if (const core::Matcher* m = Anchor(s)) {
    by_pair_[PairKey(m->name(), m->value())].push_back(s.id);
  } else {
    unanchored_.push_back(s.id);
  }
}

void SilenceIndex::Remove(const Silence& s) {
  if (const core::Matcher* m = Anchor(s)) {
    auto it = by_pair_.find(PairKey(m->name(), m->value()));
    if (it == by_pair_.end()) return;
    std::erase(it->second, s.id);
    if (it->second.empty()) by_pair_.erase(it);
  } else {
    std::erase(unanchored_, s.id);
  }
}

void SilenceIndex::Clear() {
  by_pair_.clear();
  unanchored_.clear();
}

std::vector<std::string> SilenceIndex::Matching(const SilenceMap& silences, const core::LabelSet& labels,
                                                core::Timestamp now) const {
  std::vector<std::string> out;
  auto check = [&](const std::string& id) {
    auto it = silences.find(id);
    if (it == silences.end()) return;
    const Silence& s = it->second;
    if (now < s.starts_at || now >= s.ends_at) return;
    if (s.Matches(labels)) out.push_back(id);
  };
  if (!by_pair_.empty()) {
    for (const auto& [name, value] : labels.labels()) {
      auto it = by_pair_.find(PairKey(name, value));
      if (it == by_pair_.end()) continue;
      for (const auto& id : it->second) check(id);
    }
  }
  for (const auto& id : unanchored_) check(id);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void WriteMatchers(journal::Writer& w, const std::vector<core::Matcher>& matchers) {
  w.U64(matchers.size());
  for (const auto& m : matchers) {
    w.Str(m.name());
    w.U8(TypeByte(m.type()));
    w.Str(m.value());
  }
}

core::Status ReadMatchers(journal::Reader& r, std::vector<core::Matcher>& out) {
  uint64_t count = r.U64();
  // No reserve(count): a corrupt count must not allocate; the loop stops at the first failed read.
  for (uint64_t i = 0; i < count && r.ok(); ++i) {
    std::string name = r.Str();
    uint8_t type = r.U8();
    std::string value = r.Str();
    if (!r.ok()) break;
    if (type > 3) return core::Corrupt("unknown matcher type " + std::to_string(type));
    auto m = core::Matcher::Create(std::move(name), static_cast<core::MatchType>(type), std::move(value));
    if (!m.ok()) return core::Corrupt(m.error().message);
    out.push_back(std::move(m).value());
  }
  return core::Ok();
}

std::string EncodeSilence(const Silence& silence) {
  journal::Writer w;
  w.U8(kEncodingVersion);
  w.Str(silence.id);
  WriteMatchers(w, silence.matchers);
  w.Time(silence.starts_at);
  w.Time(silence.ends_at);
  w.Time(silence.updated_at);
  w.Str(silence.created_by);
  w.Str(silence.comment);
  w.Labels(silence.annotations);
  return w.Take();
}

core::Result<Silence> DecodeSilence(std::string_view bytes) {
  journal::Reader r(bytes);
  uint8_t version = r.U8();
  if (!r.ok()) return core::Corrupt("truncated silence");
  if (version != kEncodingVersion) {
    return core::Corrupt("unsupported silence encoding version " + std::to_string(version));
  }
  Silence s;
  s.id = r.Str();
  if (auto st = ReadMatchers(r, s.matchers); !st.ok()) return st.error().WithContext("silence " + s.id);
  s.starts_at = r.Time();
  s.ends_at = r.Time();
  s.updated_at = r.Time();
  s.created_by = r.Str();
  s.comment = r.Str();
  s.annotations = r.Labels();
  if (auto st = r.Finish("silence"); !st.ok()) return st.error();
  return s;
}

json::object ToGettableJson(const Silence& silence, core::Timestamp now) {
  json::array matchers;
  matchers.reserve(silence.matchers.size());
  for (const auto& m : silence.matchers) {
    bool is_regex = m.type() == core::MatchType::kRegex || m.type() == core::MatchType::kNotRegex;
    bool is_equal = m.type() == core::MatchType::kEqual || m.type() == core::MatchType::kRegex;
    matchers.push_back(json::object{{"name", m.name()}, {"value", m.value()}, {"isRegex", is_regex},
                                    {"isEqual", is_equal}});
  }
  json::object annotations;
  for (const auto& [k, v] : silence.annotations.labels()) annotations[k] = v;

  json::object out;
  out["id"] = silence.id;
  out["status"] = json::object{{"state", ToString(silence.StateAt(now))}};
  out["updatedAt"] = core::FormatRfc3339(silence.updated_at);
  out["matchers"] = std::move(matchers);
  out["startsAt"] = core::FormatRfc3339(silence.starts_at);
  out["endsAt"] = core::FormatRfc3339(silence.ends_at);
  out["createdBy"] = silence.created_by;
  out["comment"] = silence.comment;
  out["annotations"] = std::move(annotations);
  return out;
}

}  // namespace correlate
