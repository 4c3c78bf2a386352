// Silences with Alertmanager's semantics: validation of a postable silence, pending/active/expired states at a given
// time, update-by-id rules, expiry, and matching a label set. Pure: time is always passed in; ids come from the caller.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/value.hpp>

#include "core/labels.h"
#include "core/matcher.h"
#include "core/result.h"
#include "core/time.h"
#include "journal/codec.h"

namespace correlate {

enum class SilenceState { kPending, kActive, kExpired };
const char* ToString(SilenceState state);  // "pending", "active", "expired"

struct Silence {
  std::string id;  // UUID text
  std::vector<core::Matcher> matchers;
  core::Timestamp starts_at{};
  core::Timestamp ends_at{};
  core::Timestamp updated_at{};
  std::string created_by;
  std::string comment;
  core::LabelSet annotations;

  // pending before starts_at, active in [starts_at, ends_at), expired from ends_at on.
  SilenceState StateAt(core::Timestamp now) const;
  // True when every matcher matches (a missing label matches as "").
  bool Matches(const core::LabelSet& labels) const;
};

// Field-by-field equality (matchers compared by name, type and value).
bool SameSilence(const Silence& a, const Silence& b);

// The body of POST /api/v2/silences, validated for shape but not against time or existing silences.
struct PostableSilence {
  std::string id;  // empty: create
  std::vector<core::Matcher> matchers;
  core::Timestamp starts_at{};
  core::Timestamp ends_at{};
  std::string created_by;
  std::string comment;
  core::LabelSet annotations;
};

constexpr size_t kMaxSilenceMatchers = 64;
constexpr size_t kMaxSilenceComment = 10000;

// kInvalid naming the field (JSON pointer) for: not an object; matchers missing, empty or not an array, more than
// kMaxSilenceMatchers; a matcher without a string name/value or boolean isRegex (isEqual defaults to true), a name
// that is not a valid label name, a regex RE2 rejects; startsAt/endsAt missing or not RFC 3339; createdBy or comment
// missing, empty or not a string (comment at most kMaxSilenceComment bytes); annotations not a string map; an id
// that is present but not a string. Also kInvalid ("/matchers") when every matcher matches the empty string (such a
// silence would mute every alert), as Alertmanager refuses it.
core::Result<PostableSilence> ParsePostableSilence(const boost::json::value& body);

// The silences the engine knows, by id (expired ones are kept until GarbageCollect drops them).
using SilenceMap = std::map<std::string, Silence, std::less<>>;

// What posting a silence does.
struct SilenceChange {
  std::optional<std::string> expire_id;  // an existing silence to expire first (ends_at = now)
  Silence silence;                       // the silence to store: updated in place (same id) or new (`new_id`)
  bool created = false;                  // true when `silence.id == new_id`
};

// Decides a POST. Rules (Alertmanager's):
// - without an id: a new silence with id `new_id`; a start in the past is moved to `now`;
// - with an id not in `silences`: kNotFound ("silence not found");
// - with an id: updated in place (same id) when the matchers are unchanged and either the silence is pending and the
//   new start is not in the past, or it is active and the start is unchanged and the new end is not in the past;
//   otherwise the old one is expired (unless already expired) and a new silence with `new_id` is created.
// Always: kInvalid ("/endsAt", "start time must be before end time") when ends <= starts, and kInvalid ("/endsAt",
// "end time can't be in the past") when ends < now. updated_at is set to `now`.
core::Result<SilenceChange> DecidePost(const SilenceMap& silences, const PostableSilence& post, std::string new_id,
                                       core::Timestamp now);

// Decides a DELETE: kNotFound for an unknown id, kConflict ("silence already expired") for an expired one. Returns
// the silence as it is once expired at `now`: a pending silence gets starts_at = ends_at = now, an active one
// ends_at = now.
core::Result<Silence> DecideExpire(const SilenceMap& silences, std::string_view id, core::Timestamp now);

// Ids of the silences active at `now` that match `labels`, in id order.
std::vector<std::string> Matching(const SilenceMap& silences, const core::LabelSet& labels, core::Timestamp now);

// Finds the silences that may match an alert without looking at every silence: a silence with an equality matcher
// (name="value", value not empty) can only match alerts carrying that label pair, so it is filed under the pair;
// the others are checked for every alert. Kept in step with a SilenceMap by its owner.
class SilenceIndex {
 public:
  void Add(const Silence& silence);
  void Remove(const Silence& silence);
  void Clear();
  // Ids of the silences in `silences` active at `now` that match `labels`, in id order.
  std::vector<std::string> Matching(const SilenceMap& silences, const core::LabelSet& labels,
                                    core::Timestamp now) const;
  size_t unanchored() const { return unanchored_.size(); }

 private:
  static uint64_t PairKey(std::string_view name, std::string_view value);
  std::unordered_map<uint64_t, std::vector<std::string>> by_pair_;
  std::vector<std::string> unanchored_;
};

// Matchers in the journal encoding (name, type byte, value), shared by silences, windows and topology rules.
// ReadMatchers: kCorrupt for an unknown type or a regex that no longer compiles.
void WriteMatchers(journal::Writer& w, const std::vector<core::Matcher>& matchers);
core::Status ReadMatchers(journal::Reader& r, std::vector<core::Matcher>& out);

// Compact encoding (journal::Writer/Reader) of a silence, for record payloads and snapshots.
std::string EncodeSilence(const Silence& silence);
core::Result<Silence> DecodeSilence(std::string_view bytes);  // kCorrupt on malformed bytes or a bad regex

// Alertmanager's gettableSilence JSON: id, status{state}, updatedAt, matchers[{name,value,isRegex,isEqual}],
// startsAt, endsAt, createdBy, comment, annotations (always present, possibly {}).
boost::json::object ToGettableJson(const Silence& silence, core::Timestamp now);

}  // namespace correlate
