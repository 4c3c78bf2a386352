#include "domain/escalation/model.h"

#include <algorithm>

#include "domain/escalation/records.h"
#include "journal/codec.h"

namespace escalation {
namespace {

constexpr uint8_t kModelFormat = 2;  // 2: created on-call overrides at the end

void Finish(Model& m, Delivery& d, DeliveryState state, int64_t at) {
  if (d.state == DeliveryState::kPending) m.outbox.erase({d.due_ms, d.id});
  d.state = state;
  d.done_ms = at;
  m.done.push_back(d.id);
  while (m.done.size() > kMaxDone) {
    m.deliveries.erase(m.done.front());
    m.done.pop_front();
  }
}

void SetStep(Model& m, Escalation& e, int64_t next_at_ms) {
  if (e.next_at_ms != 0) m.step_timers.erase({e.next_at_ms, e.incident_id});
  e.next_at_ms = next_at_ms;
  if (next_at_ms != 0) m.step_timers.insert({next_at_ms, e.incident_id});
}

void AddUnique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& s : from) {
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  }
}

void WriteStrings(journal::Writer& w, const std::vector<std::string>& v) {
  w.U64(v.size());
  for (const auto& s : v) w.Str(s);
}
std::vector<std::string> ReadStrings(journal::Reader& r) {
  std::vector<std::string> v;
  uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) v.push_back(r.Str());
  return v;
}

}  // namespace

const char* ToString(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending: return "pending";
    case DeliveryState::kDelivered: return "delivered";
    case DeliveryState::kFailed: return "failed";
    case DeliveryState::kCancelled: return "cancelled";
  }
  return "unknown";
}

const Escalation* Model::FindEscalation(uint64_t incident_id) const {
  auto it = escalations.find(incident_id);
  return it == escalations.end() ? nullptr : &it->second;
}

const Delivery* Model::FindDelivery(uint64_t id) const {
  auto it = deliveries.find(id);
  return it == deliveries.end() ? nullptr : &it->second;
}

std::vector<const Delivery*> Model::DeliveriesOf(uint64_t incident_id) const {
  std::vector<const Delivery*> out;
  for (const auto& [id, d] : deliveries) {
    if (d.incident_id == incident_id) out.push_back(&d);
  }
  return out;
}

uint64_t Model::ArmedRun(std::string_view dedup_key) const {
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    const DrillRun& r = it->second;
    if (!r.finished && r.incident_id == 0 && r.dedup_key == dedup_key) return r.run;
  }
  return 0;
}

void Forget(Model& m, uint64_t incident_id) {
  auto it = m.escalations.find(incident_id);
  if (it == m.escalations.end()) return;
  SetStep(m, it->second, 0);
  m.escalations.erase(it);
}

core::Status Apply(Model& m, const journal::Record& record) {
  auto decoded = DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error();
  const int64_t now = core::ToUnixMillis(record.time);
  core::Status st;
  auto missing = [&](const char* what, uint64_t id) {
    st = core::Corrupt(std::string(TypeName(record.type)) + " record " + std::to_string(record.seq) + " names " +
                       what + " " + std::to_string(id) + " the state does not have");
  };
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, EscalationStarted>) {
          Escalation& e = m.escalations[p.incident_id];
          SetStep(m, e, 0);
          std::vector<std::string> paged = std::move(e.paged);  // a restart still tells the people already paged
          e = Escalation{};
          e.incident_id = p.incident_id;
          e.policy = std::move(p.policy);
          e.rule = std::move(p.rule);
          e.started_seq = record.seq;
          e.paged = std::move(paged);
          e.active = !e.policy.empty();
          if (!e.active) e.stopped = "no policy";
        } else if constexpr (std::is_same_v<T, EscalationStepped>) {
          auto it = m.escalations.find(p.incident_id);
          if (it == m.escalations.end()) return missing("the escalation of incident", p.incident_id);
          Escalation& e = it->second;
          e.step = p.step;
          e.round = p.round;
          AddUnique(e.paged, p.users);
          AddUnique(e.problems, p.problems);
          SetStep(m, e, p.next_at_ms);
        } else if constexpr (std::is_same_v<T, EscalationStopped>) {
          auto it = m.escalations.find(p.incident_id);
          if (it == m.escalations.end()) return missing("the escalation of incident", p.incident_id);
          SetStep(m, it->second, 0);
          it->second.active = false;
          it->second.stopped = std::move(p.reason);
        } else if constexpr (std::is_same_v<T, DeliveryQueued>) {
          Delivery d;
          d.id = record.seq;
          d.incident_id = p.incident_id;
          d.user = std::move(p.user);
          d.channel = std::move(p.channel);
          d.address = std::move(p.address);
          d.kind = std::move(p.kind);
          d.subject = std::move(p.subject);
          d.text = std::move(p.text);
          d.key = std::move(p.key);
          d.page = p.page;
          d.queued_ms = now;
          d.due_ms = p.due_ms;
          m.outbox.insert({d.due_ms, d.id});
          m.deliveries.emplace(d.id, std::move(d));
        } else if constexpr (std::is_same_v<T, DeliveryAttempted>) {
          auto it = m.deliveries.find(p.delivery_id);
          if (it == m.deliveries.end() || it->second.state != DeliveryState::kPending) {
            return missing("pending delivery", p.delivery_id);
          }
          Delivery& d = it->second;
          d.attempts = p.attempt;
          d.status = p.status;
          d.error = std::move(p.error);
          if (p.ok) {
            Finish(m, d, DeliveryState::kDelivered, now);
          } else if (p.next_at_ms == 0) {
            Finish(m, d, DeliveryState::kFailed, now);
          } else {
            m.outbox.erase({d.due_ms, d.id});
            d.due_ms = p.next_at_ms;
            m.outbox.insert({d.due_ms, d.id});
          }
        } else if constexpr (std::is_same_v<T, DeliveryCancelled>) {
          auto it = m.deliveries.find(p.delivery_id);
          if (it == m.deliveries.end() || it->second.state != DeliveryState::kPending) {
            return missing("pending delivery", p.delivery_id);
          }
          it->second.error = std::move(p.reason);
          Finish(m, it->second, DeliveryState::kCancelled, now);
        } else if constexpr (std::is_same_v<T, DrillStarted>) {
          DrillRun r;
          r.run = record.seq;
          r.drill = p.drill;
          r.dedup_key = std::move(p.dedup_key);
          r.manual = p.manual;
          r.started_ms = now;
          r.deadline_ms = p.deadline_ms;
          if (!p.manual) m.drill_last_ms[p.drill] = now;
          m.runs.emplace(r.run, std::move(r));
          // Keep the newest kMaxRuns of this drill.
          size_t count = 0;
          for (auto it = m.runs.rbegin(); it != m.runs.rend();) {
            if (it->second.drill == p.drill && ++count > kMaxRuns && it->second.finished) {
              m.drill_incidents.erase(it->second.incident_id);
              it = std::make_reverse_iterator(m.runs.erase(std::next(it).base()));
            } else {
              ++it;
            }
          }
        } else if constexpr (std::is_same_v<T, DrillLinked>) {
          auto it = m.runs.find(p.run);
          if (it == m.runs.end()) return missing("drill run", p.run);
          it->second.incident_id = p.incident_id;
          m.drill_incidents[p.incident_id] = p.run;
        } else if constexpr (std::is_same_v<T, DrillFinished>) {
          auto it = m.runs.find(p.run);
          if (it == m.runs.end()) return missing("drill run", p.run);
          DrillRun& r = it->second;
          r.finished = true;
          r.passed = p.passed;
          r.link = std::move(p.link);
          r.detail = std::move(p.detail);
          r.ack_ms = p.ack_ms;
          r.finished_ms = now;
        } else if constexpr (std::is_same_v<T, EscalationForced>) {
          if (m.escalations.find(p.incident_id) == m.escalations.end()) {
            return missing("the escalation of incident", p.incident_id);
          }
        } else if constexpr (std::is_same_v<T, OverrideCreated>) {
          if (p.id < m.next_override_id || (p.kind != "replace" && p.kind != "add" && p.kind != "remove")) {
            st = core::Corrupt("override.created record " + std::to_string(record.seq) + " has a bad id or kind");
            return;
          }
          // Overrides long over only clutter the state: dropped as of this record's time, so replay drops the same.
          std::erase_if(m.overrides, [&](const auto& entry) { return entry.second.end_ms + kOverrideKeepMs < now; });
          CreatedOverride o;
          o.id = p.id;
          o.schedule = std::move(p.schedule);
          o.start_ms = p.start_ms;
          o.end_ms = p.end_ms;
          o.kind = p.kind == "replace" ? oncall::OverrideKind::kReplace
                   : p.kind == "add"   ? oncall::OverrideKind::kAdd
                                       : oncall::OverrideKind::kRemove;
          o.user = std::move(p.user);
          o.replaced_user = std::move(p.replaced_user);
          o.reason = std::move(p.reason);
          o.created_by = std::move(p.actor);
          o.created_ms = now;
          m.next_override_id = p.id + 1;
          m.overrides.emplace(o.id, std::move(o));
        } else if constexpr (std::is_same_v<T, OverrideRemoved>) {
          if (m.overrides.erase(p.id) == 0) return missing("override", p.id);
        }
      },
      decoded.value());
  return st;
}

std::string EncodeModel(const Model& m) {
  journal::Writer w;
  w.U8(kModelFormat);
  w.U64(m.escalations.size());
  for (const auto& [id, e] : m.escalations) {
    w.U64(id);
    w.Str(e.policy);
    w.Str(e.rule);
    w.U64(e.started_seq);
    w.Bool(e.active);
    w.U64(e.step);
    w.U64(e.round);
    w.I64(e.next_at_ms);
    WriteStrings(w, e.paged);
    WriteStrings(w, e.problems);
    w.Str(e.stopped);
  }
  w.U64(m.deliveries.size());
  for (const auto& [id, d] : m.deliveries) {
    w.U64(id);
    w.U64(d.incident_id);
    for (const std::string* s : {&d.user, &d.channel, &d.address, &d.kind, &d.subject, &d.text, &d.key}) w.Str(*s);
    w.Bool(d.page);
    w.U8(static_cast<uint8_t>(d.state));
    w.I64(d.queued_ms);
    w.I64(d.due_ms);
    w.U64(d.attempts);
    w.I64(d.status);
    w.Str(d.error);
    w.I64(d.done_ms);
  }
  w.U64(m.done.size());
  for (uint64_t id : m.done) w.U64(id);
  w.U64(m.runs.size());
  for (const auto& [id, r] : m.runs) {
    w.U64(id);
    w.Str(r.drill);
    w.Str(r.dedup_key);
    w.Bool(r.manual);
    w.I64(r.started_ms);
    w.I64(r.deadline_ms);
    w.U64(r.incident_id);
    w.Bool(r.finished);
    w.Bool(r.passed);
    w.Str(r.link);
    w.Str(r.detail);
    w.I64(r.ack_ms);
    w.I64(r.finished_ms);
  }
  w.U64(m.drill_incidents.size());
  for (const auto& [inc, run] : m.drill_incidents) {
    w.U64(inc);
    w.U64(run);
  }
  w.U64(m.drill_last_ms.size());
  for (const auto& [name, ms] : m.drill_last_ms) {
    w.Str(name);
    w.I64(ms);
  }
  w.U64(m.next_override_id);
  w.U64(m.overrides.size());
  for (const auto& [id, o] : m.overrides) {
    w.U64(id);
    w.Str(o.schedule);
    w.I64(o.start_ms);
    w.I64(o.end_ms);
    w.U8(static_cast<uint8_t>(o.kind));
    for (const std::string* s : {&o.user, &o.replaced_user, &o.reason, &o.created_by}) w.Str(*s);
    w.I64(o.created_ms);
  }
  return w.Take();
}

core::Result<Model> DecodeModel(std::string_view bytes) {
  Model m;
  if (bytes.empty()) return m;  // state written before paging existed
  journal::Reader r(bytes);
  const uint8_t format = r.U8();
  if (format < 1 || format > kModelFormat) return core::Corrupt("unknown paging state format");
  uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    Escalation e;
    e.incident_id = r.U64();
    e.policy = r.Str();
    e.rule = r.Str();
    e.started_seq = r.U64();
    e.active = r.Bool();
    e.step = static_cast<uint32_t>(r.U64());
    e.round = static_cast<uint32_t>(r.U64());
    e.next_at_ms = r.I64();
    e.paged = ReadStrings(r);
    e.problems = ReadStrings(r);
    e.stopped = r.Str();
    if (e.next_at_ms != 0) m.step_timers.insert({e.next_at_ms, e.incident_id});
    m.escalations.emplace(e.incident_id, std::move(e));
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    Delivery d;
    d.id = r.U64();
    d.incident_id = r.U64();
    for (std::string* s : {&d.user, &d.channel, &d.address, &d.kind, &d.subject, &d.text, &d.key}) *s = r.Str();
    d.page = r.Bool();
    uint8_t state = r.U8();
    if (state > static_cast<uint8_t>(DeliveryState::kCancelled)) return core::Corrupt("bad delivery state");
    d.state = static_cast<DeliveryState>(state);
    d.queued_ms = r.I64();
    d.due_ms = r.I64();
    d.attempts = static_cast<uint32_t>(r.U64());
    d.status = static_cast<int32_t>(r.I64());
    d.error = r.Str();
    d.done_ms = r.I64();
    if (d.state == DeliveryState::kPending) m.outbox.insert({d.due_ms, d.id});
    m.deliveries.emplace(d.id, std::move(d));
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) m.done.push_back(r.U64());
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    DrillRun run;
    run.run = r.U64();
    run.drill = r.Str();
    run.dedup_key = r.Str();
    run.manual = r.Bool();
    run.started_ms = r.I64();
    run.deadline_ms = r.I64();
    run.incident_id = r.U64();
    run.finished = r.Bool();
    run.passed = r.Bool();
    run.link = r.Str();
    run.detail = r.Str();
    run.ack_ms = r.I64();
    run.finished_ms = r.I64();
    m.runs.emplace(run.run, std::move(run));
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    uint64_t inc = r.U64();
    m.drill_incidents[inc] = r.U64();
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::string name = r.Str();
    m.drill_last_ms[name] = r.I64();
  }
  if (format >= 2) {  // format 1 predates created overrides: none
    m.next_override_id = r.U64();
    n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      CreatedOverride o;
      o.id = r.U64();
      o.schedule = r.Str();
      o.start_ms = r.I64();
      o.end_ms = r.I64();
      const uint8_t kind = r.U8();
      if (kind > static_cast<uint8_t>(oncall::OverrideKind::kRemove)) return core::Corrupt("bad override kind");
      o.kind = static_cast<oncall::OverrideKind>(kind);
      for (std::string* s : {&o.user, &o.replaced_user, &o.reason, &o.created_by}) *s = r.Str();
      o.created_ms = r.I64();
      m.overrides.emplace(o.id, std::move(o));
    }
  }
  if (auto st = r.Finish("paging state"); !st.ok()) return st.error();
  return m;
}

}  // namespace escalation
