#include "domain/correlate/pipeline.h"

#include <algorithm>
#include <unordered_set>

#include <boost/json.hpp>

#include "core/json_string.h"

namespace correlate {
namespace {

using Kind = AlertChange::Kind;
using core::Timestamp;

constexpr size_t kMaxSummary = 1024;

std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  // Cut on a UTF-8 boundary: never leave half a character.
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

std::string Summary(const core::LabelSet& labels, const core::LabelSet& annotations) {
  if (auto s = annotations.Get("summary"); !s.empty()) return Truncate(std::string(s), kMaxSummary);
  if (auto s = annotations.Get("description"); !s.empty()) return Truncate(std::string(s), kMaxSummary);
  std::string name(labels.Get("alertname"));
  return Truncate(name.empty() ? labels.ToString() : name + " " + labels.ToString(), kMaxSummary);
}

std::string Source(const core::LabelSet& labels) {
  for (const char* name : {"instance", "host", "hostname", "node", "pod", "job"}) {
    if (auto v = labels.Get(name); !v.empty()) return std::string(v);
  }
  return {};
}

std::string Title(const core::LabelSet& labels, const core::LabelSet& annotations, const std::string& group_key) {
  std::string name(labels.Get("alertname"));
  if (name.empty()) return Summary(labels, annotations);
  if (group_key.empty() || group_key == "alertname=\"" + name + "\"") return name;
  return Truncate(name + " {" + group_key + "}", kMaxSummary);
}

// {"fingerprint":"…","labels":{…}}, composed in one string: building a json::object per alert (a hash table and its
// rehashes) cost the writer 9% of a new alert. Label names are unique in a label set, so the object stays valid.
std::string Details(uint64_t fingerprint, const core::LabelSet& labels) {
  std::string out;
  size_t size = 48;
  for (const auto& [n, v] : labels.labels()) size += n.size() + v.size() + 6;
  out.reserve(size);
  out += "{\"fingerprint\":\"";
  out += core::FingerprintHex(fingerprint);
  out += "\",\"labels\":{";
  bool first = true;
  for (const auto& [n, v] : labels.labels()) {
    if (!first) out += ',';
    first = false;
    core::AppendJsonString(out, n);
    out += ':';
    core::AppendJsonString(out, v);
  }
  out += "}}";
  return out;
}

Timestamp LatestEnd(const Model& m, const std::vector<std::string>& ids) {
  Timestamp latest{};
  for (const auto& id : ids) {
    auto it = m.silences.find(id);
    if (it != m.silences.end()) latest = std::max(latest, it->second.ends_at);
  }
  return latest;
}

bool IncidentAlertOpen(const View& v, uint64_t alert_id) {
  return alert_id != 0 && v.incidents.alerts.count(alert_id) != 0;
}

// Collects one request's (or one timer pass's) changes into a single alerts.changed record. A key met twice before
// the record is written flushes it first, so each decision sees the state the earlier ones left.
class Batch {
 public:
  Batch(const View& v, Emitter& emit, Cause cause) : v_(v), emit_(emit) { record_.cause = cause; }

  // Before deciding about `key`.
  void Touch(uint64_t key) {
    if (!keys_.insert(key).second) {
      Flush();
      keys_.insert(key);
    }
  }
  void Add(AlertChange change) { record_.changes.push_back(std::move(change)); }
  void Flush() {
    if (!record_.changes.empty()) {
      emit_.Emit(Payload(record_));
      record_.changes.clear();
    }
    keys_.clear();
  }

 private:
  const View& v_;
  Emitter& emit_;
  AlertsChanged record_;
  std::unordered_set<uint64_t> keys_;
};

// Opens (or joins) the incident for an alert, or leaves it muted when a silence matches. Fills the change's
// alert_id / incident_id / muted_until.
void Admit(const View& v, const core::LabelSet& labels, const core::LabelSet& annotations, uint64_t fingerprint,
           const std::string& service, const std::string& group_key, ingest::Severity fallback, Emitter& emit,
           AlertChange& change, Prepared* prepared = nullptr) {
  Timestamp now = emit.now();
  auto silenced = SilencedBy(v.alerts, labels, now);
  if (!silenced.empty()) {
    change.alert_id = 0;
    change.incident_id = 0;
    change.muted_until = LatestEnd(v.alerts, silenced);
    return;
  }
  incident::NewAlert a;
  a.service = service;
  a.group_key = group_key;
  a.title = Title(labels, annotations, group_key);
  a.dedup_key = core::FingerprintHex(change.key);
  if (prepared != nullptr && prepared->has_text) {
    // Moved out: an incoming alert is admitted at most once.
    a.summary = std::move(prepared->summary);
    a.source = std::move(prepared->source);
    a.details_json = std::move(prepared->details_json);
  } else {
    a.summary = Summary(labels, annotations);
    a.source = Source(labels);
    a.details_json = Details(fingerprint, labels);
  }
  a.severity = SeverityFromLabel(labels.Get("severity"), fallback);
  a.labels = &labels;
  a.kind_name = std::string(labels.Get("alertname"));
  auto opened = incident::OpenAlert(v.incidents, v.services, a, emit, v.correlator);
  change.alert_id = opened.alert_id;
  change.incident_id = opened.incident_id;
}

struct Incoming {
  uint64_t key = 0;
  uint64_t fingerprint = 0;
  bool webhook = false;
  bool firing = true;
  const core::LabelSet* labels = nullptr;
  const core::LabelSet* annotations = nullptr;
  const std::string* generator_url = nullptr;
  Timestamp starts_at{};
  Timestamp ends_at{};
  bool timeout = false;
  std::string service;    // webhook: from the URL
  std::string group_key;  // webhook: the payload's groupKey
  // Prepared for it before the writer's turn (PostAlerts with `prepared`); null: computed when needed.
  std::string* content = nullptr;
  Prepared* prepared = nullptr;
};

// The alert's EncodeContent bytes: the prepared ones (moved out; an Incoming is decided once), or computed now.
std::string TakeContent(const Incoming& in) {
  return in.content != nullptr ? std::move(*in.content) : EncodeContent(*in.labels, *in.annotations, *in.generator_url);
}

// The route an alert takes, with its service and group key filled in; false when no route matches.
bool Route(const View& v, const Incoming& in, std::string& service, std::string& group_key,
           ingest::Severity& fallback) {
  if (in.webhook) {
    service = in.service;
    group_key = in.group_key;
    fallback = ingest::Severity::kWarning;
    return true;
  }
  const correlate::Route* route = v.config.Match(*in.labels);
  if (route == nullptr || v.services.ByName(route->service) == nullptr) return false;
  service = route->service;
  group_key = GroupKey(*route, *in.labels);
  fallback = route->default_severity;
  return true;
}

// How long an unchanged re-send of a held alert goes unrecorded after the alert's last record (see Upsert).
constexpr core::Duration kQuietRefresh = std::chrono::seconds(1);

// The times a posted alert stands for, Alertmanager's defaults filled in: startsAt = endsAt when only endsAt is
// given, else now; no endsAt means now + resolve_timeout, and the alert is marked timeout-based.
struct PostedTimes {
  Timestamp starts_at{};
  Timestamp ends_at{};
  bool timeout = false;
};
PostedTimes TimesOf(const ingest::PostableAlert& a, Timestamp now, core::Duration resolve_timeout) {
  PostedTimes t;
  if (a.ends_at) {
    t.ends_at = *a.ends_at;
    t.starts_at = a.starts_at ? *a.starts_at : *a.ends_at;
  } else {
    t.starts_at = a.starts_at ? *a.starts_at : now;
    t.ends_at = now + resolve_timeout;
    t.timeout = true;
  }
  return t;
}

// The time half of Quiet: within kQuietRefresh of the held alert's last record (`updated_at`), and startsAt, endsAt
// and timeout as Alertmanager's merge leaves them.
bool QuietTimes(Timestamp held_starts, Timestamp held_ends, bool held_timeout, Timestamp updated_at,
                const PostedTimes& in, bool webhook, Timestamp now) {
  if (now < updated_at || now - updated_at >= kQuietRefresh) return false;
  const Timestamp starts_at = std::min(held_starts, in.starts_at);
  Timestamp ends_at = in.ends_at;
  bool timeout = in.timeout;
  if (!webhook && !held_timeout && held_ends > in.ends_at) {
    ends_at = held_ends;
    timeout = false;
  }
  return starts_at == held_starts && ends_at == held_ends && timeout == held_timeout;
}

// A firing re-send of `existing` that changes nothing but the time it was received (same content, and startsAt,
// endsAt and timeout as Alertmanager's merge leaves them) within kQuietRefresh of the alert's last record, while
// the alert still feeds an open incident alert or is muted. Its state is durable already: nothing is recorded,
// and only updatedAt shows the last recorded receipt. Prometheus re-sending every rule evaluation with an endsAt
// that moves is recorded every time.
bool Quiet(const View& v, const Incoming& in, const LabeledAlert& existing, Timestamp now) {
  if (!in.firing) return false;
  if (!QuietTimes(existing.starts_at, existing.ends_at, existing.timeout, existing.updated_at,
                  PostedTimes{in.starts_at, in.ends_at, in.timeout}, in.webhook, now)) {
    return false;
  }
  if (!existing.muted() && !IncidentAlertOpen(v, existing.alert_id)) return false;
  if (in.content != nullptr) return *in.content == v.alerts.ContentOf(existing);
  return EncodeContent(*in.labels, *in.annotations, *in.generator_url) == v.alerts.ContentOf(existing);
}

// What PostAlerts makes of one posted alert (Alertmanager's defaults for missing times).
Incoming FromPostable(const ingest::PostableAlert& a, Prepared* prepared, Timestamp now,
                      core::Duration resolve_timeout) {
  Incoming in;
  if (prepared != nullptr) {
    in.fingerprint = prepared->fingerprint;
    in.content = &prepared->content;
    in.prepared = prepared;
  } else {
    in.fingerprint = a.labels.Fingerprint();
  }
  in.key = in.fingerprint;
  in.labels = &a.labels;
  in.annotations = &a.annotations;
  in.generator_url = &a.generator_url;
  const PostedTimes t = TimesOf(a, now, resolve_timeout);
  in.starts_at = t.starts_at;
  in.ends_at = t.ends_at;
  in.timeout = t.timeout;
  in.firing = in.ends_at > now;
  return in;
}

void Upsert(const View& v, const Incoming& in, Batch& batch, Emitter& emit, PostSummary& sum) {
  batch.Touch(in.key);
  const LabeledAlert* existing = v.alerts.Find(in.key);
  if (existing != nullptr) {
    if (!in.webhook) sum.resent.push_back(in.key);
    if (!in.firing) {
      if (IncidentAlertOpen(v, existing->alert_id)) incident::CloseAlert(v.incidents, v.services, existing->alert_id, emit);
      AlertChange c;
      c.kind = Kind::kResolve;
      c.key = in.key;
      c.ends_at = in.ends_at;
      batch.Add(std::move(c));
      ++sum.resolved;
      return;
    }
    if (Quiet(v, in, *existing, emit.now())) {
      ++sum.updated;
      return;
    }
    AlertChange c;
    c.key = in.key;
    c.starts_at = std::min(existing->starts_at, in.starts_at);  // the earliest start wins
    c.ends_at = in.ends_at;
    c.timeout = in.timeout;
    // Alertmanager's merge: an end the client set explicitly and that lies later than the new one wins.
    if (!in.webhook && !existing->timeout && existing->ends_at > in.ends_at) {
      c.ends_at = existing->ends_at;
      c.timeout = false;
    }
    std::string content = TakeContent(in);
    if (content == v.alerts.ContentOf(*existing)) {
      c.kind = Kind::kRefresh;
    } else {
      c.kind = Kind::kUpdate;
      c.content = std::move(content);
    }
    batch.Add(std::move(c));
    ++sum.updated;
    // Still firing although a person resolved its incident: it starts a new one, as a re-trigger would.
    if (!existing->muted() && !IncidentAlertOpen(v, existing->alert_id)) {
      std::string service, group_key;
      ingest::Severity fallback;
      if (Route(v, in, service, group_key, fallback)) {
        AlertChange link;
        link.kind = Kind::kLink;
        link.key = in.key;
        Admit(v, *in.labels, *in.annotations, in.fingerprint, service, group_key, fallback, emit, link, in.prepared);
        if (link.alert_id == 0) link.kind = Kind::kMute;  // a silence holds it now
        batch.Add(std::move(link));
      }
    }
    return;
  }
  if (!in.firing) {
    ++sum.ignored;
    return;
  }
  std::string service, group_key;
  ingest::Severity fallback;
  if (!Route(v, in, service, group_key, fallback)) {
    ++sum.ignored;
    return;
  }
  AlertChange c;
  c.kind = Kind::kNew;
  c.key = in.key;
  c.fingerprint = in.fingerprint;
  c.webhook = in.webhook;
  c.service = service;
  if (in.webhook) c.group_key = group_key;
  c.content = TakeContent(in);
  c.starts_at = in.starts_at;
  c.ends_at = in.ends_at;
  c.timeout = in.timeout;
  Admit(v, *in.labels, *in.annotations, in.fingerprint, service, group_key, fallback, emit, c, in.prepared);
  if (c.alert_id == 0) {
    ++sum.muted;
  } else {
    ++sum.opened;
  }
  batch.Add(std::move(c));
}

// Muted alerts whose silences no longer hold them enter incidents; the others get their next look-again time.
size_t RecheckMuted(const View& v, Emitter& emit, Batch& batch, Timestamp now, size_t limit,
                  bool only_due) {
  size_t linked = 0;
  std::vector<uint64_t> keys;
  for (const auto& [at, key] : v.alerts.mutes) {
    if (only_due && at > core::ToUnixMillis(now)) break;
    if (keys.size() >= limit) break;
    keys.push_back(key);
  }
  for (uint64_t key : keys) {
    // Touch before Find: when this pass already resolved the alert, the flush erases it, and a pointer taken
    // earlier would dangle.
    batch.Touch(key);
    const LabeledAlert* a = v.alerts.Find(key);
    if (a == nullptr || !a->muted()) continue;
    Content content = DecodeContent(v.alerts.ContentOf(*a));
    auto silenced = SilencedBy(v.alerts, content.labels, now);
    if (!silenced.empty()) {
      Timestamp until = LatestEnd(v.alerts, silenced);
      if (until != a->muted_until) {
        AlertChange c;
        c.kind = Kind::kMute;
        c.key = key;
        c.muted_until = until;
        batch.Add(std::move(c));
      }
      continue;
    }
    Incoming in;
    in.key = key;
    in.webhook = a->webhook;
    in.labels = &content.labels;
    in.service = a->service;
    in.group_key = a->group_key;
    std::string service, group_key;
    ingest::Severity fallback;
    AlertChange c;
    c.key = key;
    if (!Route(v, in, service, group_key, fallback)) {
      // The routes changed under it: look again after a resolve_timeout rather than every tick.
      c.kind = Kind::kMute;
      c.muted_until = now + v.config.resolve_timeout;
      batch.Add(std::move(c));
      continue;
    }
    c.kind = Kind::kLink;
    Admit(v, content.labels, content.annotations, content.labels.Fingerprint(), service, group_key, fallback, emit,
          c);
    if (c.alert_id == 0) {
      c.kind = Kind::kMute;
    } else {
      ++linked;
    }
    batch.Add(std::move(c));
  }
  return linked;
}

// The replay rule of maintenance windows, for silences: whoever silenced is told what is still firing.
void SilenceSummary(const std::string& what, const std::string& to, size_t linked, Emitter& emit) {
  if (linked == 0) return;
  emit.Emit(incident::NotificationRequested{
      0, incident::NotificationRequested::Kind::kMaintenance,
      what + ": " + std::to_string(linked) + " silenced alerts still firing entered incidents", to});
}

int64_t DropAt(const View& v, const Silence& s) { return core::ToUnixMillis(s.ends_at + v.config.silence_retention); }

}  // namespace

std::vector<std::string> SilencedBy(const Model& model, const core::LabelSet& labels, Timestamp now) {
  if (model.silences.empty()) return {};
  return model.silence_index.Matching(model.silences, labels, now);
}

std::vector<Prepared> Prepare(const std::vector<ingest::PostableAlert>& alerts) {
  std::vector<Prepared> out(alerts.size());
  for (size_t i = 0; i < alerts.size(); ++i) {
    const ingest::PostableAlert& a = alerts[i];
    out[i].fingerprint = a.labels.Fingerprint();
    out[i].content = EncodeContent(a.labels, a.annotations, a.generator_url);
  }
  return out;
}

void PrepareText(const ingest::PostableAlert& alert, Prepared& prepared) {
  prepared.details_json = Details(prepared.fingerprint, alert.labels);
  prepared.summary = Summary(alert.labels, alert.annotations);
  prepared.source = Source(alert.labels);
  prepared.has_text = true;
}

core::Result<PostSummary> PostAlerts(const View& v, const std::vector<ingest::PostableAlert>& alerts, Emitter& emit,
                                     std::vector<Prepared>* prepared) {
  if (v.config.routes.empty()) {
    return core::Unavailable("no Alertmanager route is configured (alertmanager.routes in the configuration)");
  }
  if (prepared != nullptr && prepared->size() != alerts.size()) {
    return core::Invalid("prepared alerts do not match the posted ones (" + std::to_string(prepared->size()) +
                         " for " + std::to_string(alerts.size()) + ")");
  }
  const Timestamp now = emit.now();
  PostSummary sum;
  sum.received = alerts.size();
  Batch batch(v, emit, Cause::kApi);
  for (size_t i = 0; i < alerts.size(); ++i) {
    Prepared* p = prepared != nullptr ? &(*prepared)[i] : nullptr;
    Upsert(v, FromPostable(alerts[i], p, now, v.config.resolve_timeout), batch, emit, sum);
  }
  batch.Flush();
  return sum;
}

core::Result<PostSummary> ReceiveWebhook(const View& v, std::string_view service,
                                         const ingest::WebhookPayload& payload, Emitter& emit) {
  if (v.services.ByName(service) == nullptr) {
    return core::NotFound("service '" + std::string(service) + "' is not configured");
  }
  const Timestamp now = emit.now();
  PostSummary sum;
  sum.received = payload.alerts.size();
  Batch batch(v, emit, Cause::kWebhook);
  for (const auto& a : payload.alerts) {
    Incoming in;
    in.fingerprint = a.fingerprint;
    std::string identity = std::string(service) + '\xff' + payload.group_key + '\xff' + core::FingerprintHex(a.fingerprint);
    in.key = core::Fnv1a64(identity);
    in.webhook = true;
    in.firing = a.firing;
    in.labels = &a.labels;
    in.annotations = &a.annotations;
    in.generator_url = &a.generator_url;
    in.starts_at = a.starts_at.value_or(now);
    in.ends_at = a.ends_at.value_or(now);
    in.service = std::string(service);
    in.group_key = payload.group_key;
    Upsert(v, in, batch, emit, sum);
  }
  batch.Flush();
  return sum;
}

std::optional<QuietStamp> QuietStampOf(const View& v, uint64_t key) {
  const LabeledAlert* held = v.alerts.Find(key);
  if (held == nullptr || held->webhook) return std::nullopt;
  if (!held->muted() && !IncidentAlertOpen(v, held->alert_id)) return std::nullopt;
  return QuietStamp{held->starts_at, held->ends_at, held->updated_at, held->timeout, v.alerts.ContentOf(*held)};
}

bool QuietResend(const QuietStamp& held, const ingest::PostableAlert& alert, const Prepared& prepared,
                 Timestamp now, core::Duration resolve_timeout) {
  const PostedTimes t = TimesOf(alert, now, resolve_timeout);
  if (t.ends_at <= now) return false;  // not firing: a resolve is always recorded
  return QuietTimes(held.starts_at, held.ends_at, held.timeout, held.updated_at, t, false, now) &&
         prepared.content == held.content;
}

core::Result<std::string> PostSilence(const View& v, const PostableSilence& post, std::string new_id, Emitter& emit) {
  const Timestamp now = emit.now();
  auto change = DecidePost(v.alerts.silences, post, std::move(new_id), now);
  if (!change.ok()) return change.error();
  bool recheck = false;
  if (change->expire_id) {
    auto expired = DecideExpire(v.alerts.silences, *change->expire_id, now);
    if (expired.ok()) {
      emit.Emit(Payload(SilenceSaved{expired.value(), DropAt(v, expired.value())}));
      recheck = true;
    }
  } else if (auto it = v.alerts.silences.find(change->silence.id);
             it != v.alerts.silences.end() && change->silence.ends_at < it->second.ends_at) {
    recheck = true;  // shortened in place: muted alerts may be free sooner than they were told
  }
  std::string id = change->silence.id;
  emit.Emit(Payload(SilenceSaved{change->silence, DropAt(v, change->silence)}));
  if (recheck) {
    Batch batch(v, emit, Cause::kSilence);
    size_t linked = RecheckMuted(v, emit, batch, now, SIZE_MAX, false);
    batch.Flush();
    SilenceSummary("Silence " + (change->expire_id ? *change->expire_id : id) + " ended (replaced)",
                   change->silence.created_by, linked, emit);
  }
  return id;
}

core::Status ExpireSilence(const View& v, std::string_view id, Emitter& emit) {
  const Timestamp now = emit.now();
  auto expired = DecideExpire(v.alerts.silences, id, now);
  // Expiring an expired silence succeeds and changes nothing, as in Alertmanager.
  if (!expired.ok()) return expired.error().code == core::ErrorCode::kConflict ? core::Ok() : expired.error();
  emit.Emit(Payload(SilenceSaved{expired.value(), DropAt(v, expired.value())}));
  Batch batch(v, emit, Cause::kSilence);
  size_t linked = RecheckMuted(v, emit, batch, now, SIZE_MAX, false);
  batch.Flush();
  SilenceSummary("Silence " + std::string(id) + " (" + expired->comment + ") was expired", expired->created_by, linked,
                 emit);
  return core::Ok();
}

namespace {

// Closes a window's open occurrence and replays what it held: alerts still firing enter incidents (their
// notifications grouped by group_wait as usual), and the owner gets one summary.
void CloseWindow(const View& v, const WindowState& ws, const std::string& why, Emitter& emit) {
  const std::string id = ws.window.id;
  const std::string name = ws.window.name;
  const std::string owner = ws.window.owner;
  auto held = v.incidents.SuppressedBy(id);
  emit.Emit(Payload(WindowClosed{id}));
  std::string reason = "maintenance window '" + name + "' " + why;
  // Still firing after the window: one incident per service for the lot, one announcement each.
  std::string group = "Still firing after maintenance window '" + name + "' (" + id + ")";
  auto incidents = incident::LinkSuppressed(v.incidents, v.services, held, reason, group, emit, v.correlator);
  std::string text = "Maintenance window '" + name + "' (" + id + ") " + why + ": ";
  if (held.empty()) {
    text += "no suppressed alert is still firing";
  } else {
    text += std::to_string(held.size()) + " suppressed alerts still firing entered incidents";
    for (size_t i = 0; i < incidents.size(); ++i) text += (i ? ", " : " ") + std::to_string(incidents[i]);
  }
  text += "; every alert it suppressed: GET /api/v1/maintenance/" + id;
  emit.Emit(incident::NotificationRequested{0, incident::NotificationRequested::Kind::kMaintenance, text, owner});
}

// Opens an occurrence; with cancel_pending, in-scope incidents' notifications still pending are not sent.
void OpenWindow(const View& v, const WindowState& ws, const Interval& occ, Emitter& emit) {
  emit.Emit(Payload(WindowOpened{ws.window.id, core::ToUnixMillis(occ.start), core::ToUnixMillis(occ.end)}));
  if (!ws.window.cancel_pending || ws.window.services.empty()) return;
  std::vector<uint64_t> pending;
  for (const auto& [at, id] : v.incidents.notify_timers) {
    const incident::Incident* inc = v.incidents.FindIncident(id);
    if (inc != nullptr && inc->open() &&
        std::find(ws.window.services.begin(), ws.window.services.end(), inc->service) != ws.window.services.end()) {
      pending.push_back(id);
    }
  }
  for (uint64_t id : pending) {
    emit.Emit(incident::NotificationCancelled{id, "maintenance window '" + ws.window.name + "' opened"});
  }
}

void FireWindows(const View& v, Emitter& emit) {
  const Timestamp now = emit.now();
  const int64_t now_ms = core::ToUnixMillis(now);
  std::vector<std::string> due;
  for (const auto& [at, id] : v.alerts.window_timers) {
    if (at > now_ms) break;
    due.push_back(id);
  }
  for (const auto& id : due) {
    auto it = v.alerts.windows.find(id);
    if (it == v.alerts.windows.end()) continue;
    const WindowState& ws = it->second;
    if (ws.open) {
      Timestamp end = OpenEnd(ws);
      if (now >= end) {
        CloseWindow(v, ws, "ended", emit);
      } else if (!ws.reminded && now >= end - ws.window.remind_before) {
        Timestamp limit = ws.open->start + ws.window.max_length;
        std::string text = "Maintenance window '" + ws.window.name + "' (" + ws.window.id + ") ends at " +
                           core::FormatRfc3339(end) + "; " +
                           (end < limit ? "it can be extended until " + core::FormatRfc3339(limit)
                                        : "it is at its maximum length and cannot be extended");
        emit.Emit(Payload(WindowReminded{ws.window.id}));
        emit.Emit(incident::NotificationRequested{0, incident::NotificationRequested::Kind::kMaintenance, text,
                                                  ws.window.owner});
      }
      continue;
    }
    if (ws.window.cancelled_at || !ws.schedule) continue;
    if (auto occ = ws.schedule->ActiveAt(now); occ && occ->end > ws.closed_until) OpenWindow(v, ws, *occ, emit);
  }
}

}  // namespace

core::Status SaveWindow(const View& v, Window window, Emitter& emit) {
  if (v.alerts.windows.count(window.id) != 0) return core::Conflict("maintenance window " + window.id + " exists");
  std::string id = window.id;
  emit.Emit(Payload(WindowSaved{std::move(window)}));
  const WindowState& ws = v.alerts.windows.at(id);
  if (auto occ = ws.schedule ? ws.schedule->ActiveAt(emit.now()) : std::nullopt) OpenWindow(v, ws, *occ, emit);
  return core::Ok();
}

core::Status ExtendWindow(const View& v, std::string_view id, Timestamp until, Emitter& emit) {
  auto it = v.alerts.windows.find(id);
  if (it == v.alerts.windows.end()) return core::NotFound("maintenance window " + std::string(id) + " not found");
  const WindowState& ws = it->second;
  if (!ws.open) return core::Conflict("maintenance window " + std::string(id) + " is not open");
  if (until <= emit.now()) return core::Invalid("the new end must be in the future", "/until");
  if (until <= OpenEnd(ws)) {
    return core::Conflict("maintenance window '" + ws.window.name + "' already runs until " +
                          core::FormatRfc3339(OpenEnd(ws)) + "; to end it sooner, end it");
  }
  Timestamp limit = ws.open->start + ws.window.max_length;
  if (until > limit) {
    return core::Conflict("maintenance window '" + ws.window.name + "' cannot run past its maximum length (" +
                          core::FormatDuration(ws.window.max_length) + "): the latest end is " +
                          core::FormatRfc3339(limit));
  }
  Window w = ws.window;
  w.extended_end = until;
  emit.Emit(Payload(WindowSaved{std::move(w)}));
  return core::Ok();
}

core::Status EndWindow(const View& v, std::string_view id, bool cancel, Emitter& emit) {
  auto it = v.alerts.windows.find(id);
  if (it == v.alerts.windows.end()) return core::NotFound("maintenance window " + std::string(id) + " not found");
  if (!it->second.open && !cancel) {
    return core::Conflict("maintenance window " + std::string(id) + " is not open");
  }
  Window w = it->second.window;
  const bool open = it->second.open.has_value();
  if (cancel && !open && w.cancelled_at) return core::Ok();  // cancelled already: nothing changes
  if (open) w.ended_early = emit.now();
  if (cancel) w.cancelled_at = emit.now();
  emit.Emit(Payload(WindowSaved{std::move(w)}));
  if (open) CloseWindow(v, v.alerts.windows.at(std::string(id)), cancel ? "was cancelled" : "was ended early", emit);
  return core::Ok();
}

void FireTimers(const View& v, Emitter& emit, size_t limit) {
  FireWindows(v, emit);
  const Timestamp now = emit.now();
  const int64_t now_ms = core::ToUnixMillis(now);
  Batch batch(v, emit, Cause::kTimer);
  std::vector<uint64_t> ending;
  for (const auto& [at, key] : v.alerts.expiries) {
    if (at > now_ms || ending.size() >= limit) break;
    ending.push_back(key);
  }
  for (uint64_t key : ending) {
    const LabeledAlert* a = v.alerts.Find(key);
    if (a == nullptr) continue;
    batch.Touch(key);
    if (IncidentAlertOpen(v, a->alert_id)) incident::CloseAlert(v.incidents, v.services, a->alert_id, emit);
    AlertChange c;
    c.kind = Kind::kResolve;
    c.key = key;
    c.ends_at = a->ends_at;
    batch.Add(std::move(c));
  }
  size_t linked = RecheckMuted(v, emit, batch, now, limit, true);
  batch.Flush();
  SilenceSummary("Silences ended", {}, linked, emit);
  std::vector<std::string> drops;
  for (const auto& [at, id] : v.alerts.silence_drops) {
    if (at > now_ms) break;
    drops.push_back(id);
  }
  for (auto& id : drops) emit.Emit(Payload(SilenceDropped{std::move(id)}));
}

core::Result<bool> SaveTopology(const View& v, TopologyConfig topology, Emitter& emit) {
  if (auto compiled = Topology::Make(topology); !compiled.ok()) return compiled.error();
  if (EncodeTopology(topology) == EncodeTopology(v.alerts.topology.config())) return false;
  emit.Emit(Payload(TopologySaved{std::move(topology)}));
  return true;
}

core::Status Apply(Model& m, const journal::Record& record) {
  auto decoded = DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error();
  return Apply(m, record, std::move(decoded).value());
}

core::Status Apply(Model& m, const journal::Record& record, Payload payload) {
  const Timestamp t = record.time;
  auto missing = [&](uint64_t key) {
    return core::Corrupt("alerts.changed names alert " + core::FingerprintHex(key) + ", which is not held");
  };
  auto erase_drop = [&](const std::string& id) {
    for (auto it = m.silence_drops.begin(); it != m.silence_drops.end(); ++it) {
      if (it->second == id) {
        m.silence_drops.erase(it);
        return;
      }
    }
  };
  if (auto* p = std::get_if<AlertsChanged>(&payload)) {
    for (auto& c : p->changes) {
      if (c.kind == Kind::kNew) {
        LabeledAlert a;
        a.alert_id = c.alert_id;
        a.starts_at = c.starts_at;
        a.ends_at = c.ends_at;
        a.updated_at = t;
        a.muted_until = c.muted_until;
        a.timeout = c.timeout;
        a.webhook = c.webhook;
        a.service = std::move(c.service);
        a.group_key = std::move(c.group_key);
        a.packed = m.contents.Pack(c.content);
        auto [it, fresh] = m.alerts.try_emplace(c.key, std::move(a));
        if (!fresh) return core::Corrupt("alerts.changed adds alert " + core::FingerprintHex(c.key) + " twice");
        const LabeledAlert& stored = it->second;
        if (!stored.webhook) m.expiries.insert({core::ToUnixMillis(stored.ends_at), c.key});
        if (stored.muted()) m.mutes.insert({core::ToUnixMillis(stored.muted_until), c.key});
        continue;
      }
      auto it = m.alerts.find(c.key);
      if (it == m.alerts.end()) return missing(c.key);
      LabeledAlert& a = it->second;
      switch (c.kind) {
        case Kind::kUpdate:
          m.contents.Release(a.packed);
          a.packed = m.contents.Pack(c.content);
          [[fallthrough]];
        case Kind::kRefresh:
          a.starts_at = c.starts_at;
          if (!a.webhook) {
            m.expiries.erase({core::ToUnixMillis(a.ends_at), c.key});
            m.expiries.insert({core::ToUnixMillis(c.ends_at), c.key});
          }
          a.ends_at = c.ends_at;
          a.timeout = c.timeout;
          a.updated_at = t;
          break;
        case Kind::kResolve:
          if (!a.webhook) m.expiries.erase({core::ToUnixMillis(a.ends_at), c.key});
          if (a.muted()) m.mutes.erase({core::ToUnixMillis(a.muted_until), c.key});
          m.contents.Release(a.packed);
          m.alerts.erase(it);
          break;
        case Kind::kLink:
          if (a.muted()) m.mutes.erase({core::ToUnixMillis(a.muted_until), c.key});
          a.alert_id = c.alert_id;
          a.muted_until = Timestamp{};
          break;
        case Kind::kMute:
          if (a.muted()) m.mutes.erase({core::ToUnixMillis(a.muted_until), c.key});
          a.alert_id = 0;
          a.muted_until = c.muted_until;
          m.mutes.insert({core::ToUnixMillis(a.muted_until), c.key});
          break;
        case Kind::kNew:
          break;
      }
    }
    return core::Ok();
  }
  if (auto* s = std::get_if<SilenceSaved>(&payload)) {
    std::string id = s->silence.id;
    erase_drop(id);
    m.silence_drops.insert({s->drop_at_ms, id});
    if (auto old = m.silences.find(id); old != m.silences.end()) m.silence_index.Remove(old->second);
    m.silence_index.Add(s->silence);
    m.silences.insert_or_assign(std::move(id), std::move(s->silence));
    return core::Ok();
  }
  if (auto* ws = std::get_if<WindowSaved>(&payload)) {
    auto& state = m.windows[ws->window.id];
    if (state.window.id.empty() || state.window.recurrence.rrule != ws->window.recurrence.rrule ||
        state.window.recurrence.start_local != ws->window.recurrence.start_local ||
        state.window.recurrence.time_zone != ws->window.recurrence.time_zone ||
        state.window.recurrence.duration != ws->window.recurrence.duration || !state.schedule) {
      auto schedule = Schedule::Make(ws->window.recurrence, ws->window.max_length);
      if (!schedule.ok()) return core::Corrupt("window.saved: " + schedule.error().message);
      state.schedule = std::move(schedule).value();
    }
    // An extension moves the end: the owner is reminded again before the new one.
    if (state.window.extended_end != ws->window.extended_end) state.reminded = false;
    state.window = std::move(ws->window);
    m.Reschedule(state, t);
    return core::Ok();
  }
  if (auto* o = std::get_if<WindowOpened>(&payload)) {
    auto it = m.windows.find(o->id);
    if (it == m.windows.end()) return core::Corrupt("window.opened names window " + o->id + ", which is not held");
    WindowState& ws = it->second;
    ws.open = Interval{core::FromUnixMillis(o->start_ms), core::FromUnixMillis(o->end_ms)};
    ws.reminded = false;
    ws.window.extended_end.reset();
    ws.window.ended_early.reset();
    if (std::find(m.open_windows.begin(), m.open_windows.end(), o->id) == m.open_windows.end()) {
      m.open_windows.push_back(o->id);
    }
    m.Reschedule(ws, t);
    return core::Ok();
  }
  if (auto* c = std::get_if<WindowClosed>(&payload)) {
    auto it = m.windows.find(c->id);
    if (it == m.windows.end()) return core::Corrupt("window.closed names window " + c->id + ", which is not held");
    WindowState& ws = it->second;
    if (ws.open) ws.closed_until = std::max(ws.open->end, OpenEnd(ws));
    ws.open.reset();
    ws.reminded = false;
    ws.window.extended_end.reset();
    ws.window.ended_early.reset();
    std::erase(m.open_windows, c->id);
    m.Reschedule(ws, t);
    return core::Ok();
  }
  if (auto* rm = std::get_if<WindowReminded>(&payload)) {
    auto it = m.windows.find(rm->id);
    if (it == m.windows.end()) return core::Corrupt("window.reminded names window " + rm->id + ", which is not held");
    it->second.reminded = true;
    m.Reschedule(it->second, t);
    return core::Ok();
  }
  if (auto* t = std::get_if<TopologySaved>(&payload)) {
    auto topology = Topology::Make(std::move(t->topology));
    if (!topology.ok()) return core::Corrupt("topology.saved: " + topology.error().message);
    m.topology = std::move(topology).value();
    return core::Ok();
  }
  const auto& d = std::get<SilenceDropped>(payload);
  auto dropped = m.silences.find(d.id);
  if (dropped == m.silences.end()) return core::Corrupt("silence.dropped names silence " + d.id + ", which is not held");
  m.silence_index.Remove(dropped->second);
  m.silences.erase(dropped);
  erase_drop(d.id);
  return core::Ok();
}

}  // namespace correlate
