#include "domain/correlate/model.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <vector>

#include "journal/codec.h"

namespace correlate {

// An alert storm holds hundreds of thousands of these: a node of Model::alerts must stay in jemalloc's 160-byte
// class (see LabeledAlert). Growing it costs ~32 bytes per held alert; measure before relaxing this.
static_assert(sizeof(LabeledAlert) <= 144, "LabeledAlert grew past a 160-byte hash node");
namespace {
constexpr uint8_t kModelFormat = 3;  // 2: no fingerprint or incident id per alert; 3: the topology
}

std::string EncodeContent(const core::LabelSet& labels, const core::LabelSet& annotations,
                          std::string_view generator_url) {
  journal::Writer w(256);
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

namespace {

// EncodeContent's layout, split into the names (the shape) and the values. Fills `names` and `values` (cleared
// first) with views into `content`; the first `label_count` names are the labels'.
bool Flatten(std::string_view content, std::vector<std::string_view>& names, std::vector<std::string_view>& values,
             size_t& label_count) {
  names.clear();
  values.clear();
  journal::Reader r(content);
  for (int part = 0; part < 2; ++part) {
    uint64_t n = r.U64();
    if (!r.ok() || n > content.size()) return false;
    for (uint64_t i = 0; i < n; ++i) {
      names.push_back(r.StrView());
      values.push_back(r.StrView());
    }
    if (part == 0) label_count = names.size();
  }
  values.push_back(r.StrView());
  return r.ok() && r.done();
}

// FNV-1a of the label count in decimal, then a 0xff and each name: hashed piece by piece, not joined.
uint64_t ShapeOf(size_t label_count, const std::vector<std::string_view>& names) {
  char digits[24];
  auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), label_count);
  uint64_t h = core::Fnv1a64(std::string_view(digits, static_cast<size_t>(end - digits)));
  for (auto n : names) h = core::Fnv1a64Extend(core::Fnv1a64Extend(h, "\xff"), n);
  return h;
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

}  // namespace

// Packed: U64 template id (0: the content follows as it is), then U64 count and (U64 value index, Str value) for
// each value that differs from the template's.
std::string ContentTable::Pack(std::string_view content) {
  std::vector<std::string_view>& names = names_scratch_;
  std::vector<std::string_view>& values = values_scratch_;
  size_t label_count = 0;
  auto whole = [&] {
    journal::Writer w(content.size() + 1);
    w.U64(0);
    w.Raw(content);
    return w.Take();
  };
  if (!Flatten(content, names, values, label_count)) return whole();
  const uint64_t shape = ShapeOf(label_count, names);
  auto found = by_shape_.find(shape);
  Template* t = nullptr;
  uint64_t id = 0;
  if (found != by_shape_.end()) {
    id = found->second;
    t = &templates_.at(id);
    // A hash collision between two shapes: keep this content whole rather than mis-pack it.
    bool same = t->label_count == label_count && t->names.size() == names.size() &&
                std::equal(t->names.begin(), t->names.end(), names.begin());
    if (!same) return whole();
  } else {
    id = next_id_++;
    Template fresh;
    fresh.shape = shape;
    fresh.label_count = label_count;
    fresh.names.assign(names.begin(), names.end());
    fresh.values.assign(values.begin(), values.end());
    t = &templates_.emplace(id, std::move(fresh)).first->second;
    by_shape_.emplace(shape, id);
  }
  ++t->refs;
  uint64_t differing = 0;
  size_t size = VarintSize(id);
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == t->values[i]) continue;
    ++differing;
    size += VarintSize(i) + VarintSize(values[i].size()) + values[i].size();
  }
  size += VarintSize(differing);
  journal::Writer w(size);
  w.U64(id);
  w.U64(differing);
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == t->values[i]) continue;
    w.U64(i);
    w.Str(values[i]);
  }
  return w.Take();
}

std::string ContentTable::Unpack(std::string_view packed) const {
  journal::Reader r(packed);
  uint64_t id = r.U64();
  if (id == 0) return std::string(packed.substr(1));  // the varint 0 is one byte
  const Template& t = templates_.at(id);
  std::vector<std::string_view> values(t.values.begin(), t.values.end());
  uint64_t n = r.U64();
  for (uint64_t k = 0; k < n && r.ok(); ++k) {
    uint64_t i = r.U64();
    std::string_view v = r.StrView();
    if (i < values.size()) values[i] = v;
  }
  INCIDENTD_CHECK(r.ok());
  journal::Writer w;
  size_t v = 0;
  w.U64(t.label_count);
  for (size_t i = 0; i < t.label_count; ++i) {
    w.Str(t.names[i]);
    w.Str(values[v++]);
  }
  w.U64(t.names.size() - t.label_count);
  for (size_t i = t.label_count; i < t.names.size(); ++i) {
    w.Str(t.names[i]);
    w.Str(values[v++]);
  }
  w.Str(values[v]);
  return w.Take();
}

void ContentTable::Release(std::string_view packed) {
  journal::Reader r(packed);
  uint64_t id = r.U64();
  if (id == 0) return;
  auto it = templates_.find(id);
  INCIDENTD_CHECK(it != templates_.end() && it->second.refs > 0);
  if (--it->second.refs == 0) {
    by_shape_.erase(it->second.shape);
    templates_.erase(it);
  }
}

const LabeledAlert* Model::Find(uint64_t key) const {
  auto it = alerts.find(key);
  return it == alerts.end() ? nullptr : &it->second;
}

void Model::Reschedule(WindowState& w, core::Timestamp now) {
  if (w.due_ms != 0) window_timers.erase({w.due_ms, w.window.id});
  w.due_ms = NextDue(w, now);
  if (w.due_ms != 0) window_timers.insert({w.due_ms, w.window.id});
}

std::string EncodeModel(const Model& m) {
  journal::Writer w;
  w.U8(kModelFormat);
  // Sorted by key so that equal states encode to equal bytes.
  std::vector<std::pair<uint64_t, const LabeledAlert*>> sorted;
  sorted.reserve(m.alerts.size());
  for (const auto& [key, a] : m.alerts) sorted.emplace_back(key, &a);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.U64(sorted.size());
  for (const auto& [key, a] : sorted) {
    w.U64(key);
    w.U64(a->alert_id);
    w.Time(a->starts_at);
    w.Time(a->ends_at);
    w.Time(a->updated_at);
    w.Time(a->muted_until);
    w.Bool(a->timeout);
    w.Bool(a->webhook);
    w.Str(a->service);
    w.Str(a->group_key);
    w.Str(m.ContentOf(*a));
  }
  w.U64(m.silences.size());
  for (const auto& [id, s] : m.silences) w.Str(EncodeSilence(s));
  w.U64(m.silence_drops.size());
  for (const auto& [at, id] : m.silence_drops) {
    w.I64(at);
    w.Str(id);
  }
  w.Str(EncodeTopology(m.topology.config()));
  w.U64(m.windows.size());
  for (const auto& [id, ws] : m.windows) {
    w.Str(EncodeWindow(ws.window));
    w.Bool(ws.open.has_value());
    if (ws.open) {
      w.Time(ws.open->start);
      w.Time(ws.open->end);
    }
    w.Bool(ws.reminded);
    w.Time(ws.closed_until);
    w.I64(ws.due_ms);
  }
  w.U64(m.open_windows.size());
  for (const auto& id : m.open_windows) w.Str(id);
  return w.Take();
}

core::Result<Model> DecodeModel(std::string_view bytes) {
  journal::Reader r(bytes);
  const uint8_t format = r.U8();
  if (format < 1 || format > kModelFormat) return core::Corrupt("unknown labelled-alert snapshot format");
  Model m;
  uint64_t n = r.U64();
  if (n > bytes.size()) return core::Corrupt("labelled-alert snapshot: count exceeds the data");
  m.alerts.reserve(n);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    LabeledAlert a;
    const uint64_t key = r.U64();
    if (format == 1) r.U64();  // the fingerprint format 1 kept
    a.alert_id = r.U64();
    if (format == 1) r.U64();  // the incident id format 1 kept
    a.starts_at = r.Time();
    a.ends_at = r.Time();
    a.updated_at = r.Time();
    a.muted_until = r.Time();
    a.timeout = r.Bool();
    a.webhook = r.Bool();
    a.service = r.Str();
    a.group_key = r.Str();
    a.packed = m.contents.Pack(r.StrView());
    if (!a.webhook) m.expiries.insert({core::ToUnixMillis(a.ends_at), key});
    if (a.muted()) m.mutes.insert({core::ToUnixMillis(a.muted_until), key});
    m.alerts.emplace(key, std::move(a));
  }
  uint64_t silences = r.U64();
  for (uint64_t i = 0; i < silences && r.ok(); ++i) {
    auto s = DecodeSilence(r.StrView());
    if (!s.ok()) return s.error();
    std::string id = s->id;
    m.silence_index.Add(s.value());
    m.silences.emplace(std::move(id), std::move(s).value());
  }
  uint64_t drops = r.U64();
  for (uint64_t i = 0; i < drops && r.ok(); ++i) {
    int64_t at = r.I64();
    m.silence_drops.insert({at, r.Str()});
  }
  if (format >= 3) {
    auto config = DecodeTopology(r.StrView());
    if (!config.ok()) return config.error();
    auto topology = Topology::Make(std::move(config).value());
    if (!topology.ok()) return core::Corrupt("snapshot topology: " + topology.error().message);
    m.topology = std::move(topology).value();
  }
  if (format >= 3) {
    uint64_t n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      auto window = DecodeWindow(r.StrView());
      if (!window.ok()) return window.error();
      WindowState ws;
      ws.window = std::move(window).value();
      if (r.Bool()) {
        Interval open;
        open.start = r.Time();
        open.end = r.Time();
        ws.open = open;
      }
      ws.reminded = r.Bool();
      ws.closed_until = r.Time();
      ws.due_ms = r.I64();
      auto schedule = Schedule::Make(ws.window.recurrence, ws.window.max_length);
      if (schedule.ok()) ws.schedule = std::move(schedule).value();
      if (ws.due_ms != 0) m.window_timers.insert({ws.due_ms, ws.window.id});
      std::string id = ws.window.id;
      m.windows.emplace(std::move(id), std::move(ws));
    }
    n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) m.open_windows.push_back(r.Str());
  }
  if (auto st = r.Finish("labelled-alert snapshot"); !st.ok()) return st.error();
  return m;
}

}  // namespace correlate
