#include "domain/correlate/model.h"

#include <algorithm>
#include <vector>

#include "journal/codec.h"

namespace correlate {
namespace {
constexpr uint8_t kModelFormat = 1;
}

std::string EncodeContent(const core::LabelSet& labels, const core::LabelSet& annotations,
                          std::string_view generator_url) {
  journal::Writer w;
  w.Labels(labels);
  w.Labels(annotations);
  w.Str(generator_url);
  std::string out = w.Take();
  out.shrink_to_fit();
  return out;
}

Content DecodeContent(std::string_view content) {
  journal::Reader r(content);
  Content c;
  c.labels = r.Labels();
  c.annotations = r.Labels();
  c.generator_url = r.Str();
  INCIDENTD_CHECK(r.ok());
  return c;
}

const LabeledAlert* Model::Find(uint64_t key) const {
  auto it = alerts.find(key);
  return it == alerts.end() ? nullptr : &it->second;
}

std::string EncodeModel(const Model& m) {
  journal::Writer w;
  w.U8(kModelFormat);
  // Sorted by key so that equal states encode to equal bytes.
  std::vector<const LabeledAlert*> sorted;
  sorted.reserve(m.alerts.size());
  for (const auto& [key, a] : m.alerts) sorted.push_back(&a);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->key < b->key; });
  w.U64(sorted.size());
  for (const LabeledAlert* a : sorted) {
    w.U64(a->key);
    w.U64(a->fingerprint);
    w.U64(a->alert_id);
    w.U64(a->incident_id);
    w.Time(a->starts_at);
    w.Time(a->ends_at);
    w.Time(a->updated_at);
    w.Time(a->muted_until);
    w.Bool(a->timeout);
    w.Bool(a->webhook);
    w.Str(a->service);
    w.Str(a->group_key);
    w.Str(a->content);
  }
  w.U64(m.silences.size());
  for (const auto& [id, s] : m.silences) w.Str(EncodeSilence(s));
  w.U64(m.silence_drops.size());
  for (const auto& [at, id] : m.silence_drops) {
    w.I64(at);
    w.Str(id);
  }
  return w.Take();
}

core::Result<Model> DecodeModel(std::string_view bytes) {
  journal::Reader r(bytes);
  if (r.U8() != kModelFormat) return core::Corrupt("unknown labelled-alert snapshot format");
  Model m;
  uint64_t n = r.U64();
  if (n > bytes.size()) return core::Corrupt("labelled-alert snapshot: count exceeds the data");
  m.alerts.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    LabeledAlert a;
    a.key = r.U64();
    a.fingerprint = r.U64();
    a.alert_id = r.U64();
    a.incident_id = r.U64();
    a.starts_at = r.Time();
    a.ends_at = r.Time();
    a.updated_at = r.Time();
    a.muted_until = r.Time();
    a.timeout = r.Bool();
    a.webhook = r.Bool();
    a.service = r.Str();
    a.group_key = r.Str();
    a.content = r.Str();
    if (!a.webhook) m.expiries.insert({core::ToUnixMillis(a.ends_at), a.key});
    if (a.muted()) m.mutes.insert({core::ToUnixMillis(a.muted_until), a.key});
    m.alerts.emplace(a.key, std::move(a));
  }
  uint64_t silences = r.U64();
  for (uint64_t i = 0; i < silences && r.ok(); ++i) {
    auto s = DecodeSilence(r.StrView());
    if (!s.ok()) return s.error();
    std::string id = s->id;
    m.silences.emplace(std::move(id), std::move(s).value());
  }
  uint64_t drops = r.U64();
  for (uint64_t i = 0; i < drops && r.ok(); ++i) {
    int64_t at = r.I64();
    m.silence_drops.insert({at, r.Str()});
  }
  if (auto st = r.Finish("labelled-alert snapshot"); !st.ok()) return st.error();
  return m;
}

}  // namespace correlate
