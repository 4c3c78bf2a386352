#include "engine/journal_tools.h"

#include <functional>
#include <optional>
#include <vector>

#include "domain/classify/records.h"
#include "domain/coord/records.h"
#include "domain/pools/records.h"
#include "domain/escalation/paging.h"

#include "domain/correlate/records.h"

#include "domain/incident/records.h"
#include "engine/state.h"

namespace engine {
namespace {

// Store::ScanJournal has no upper bound: a visitor ends the scan by returning an error. This one marks itself, so
// the caller tells "reached `last`" from a real failure.
core::Status ScanRange(Store& store, uint64_t first, uint64_t last,
                       const std::function<core::Status(const StoredRecord&)>& visit) {
  bool reached = false;
  core::Status st = store.ScanJournal(first - 1, [&](const StoredRecord& stored) -> core::Status {
    if (stored.seq > last) {
      reached = true;
      return core::Conflict("past the range");
    }
    if (auto v = visit(stored); !v.ok()) return v;
    if (stored.seq == last) {
      reached = true;
      return core::Conflict("end of the range");
    }
    return core::Ok();
  });
  if (reached) return core::Ok();
  return st;
}

// Seqs of the incident's timeline entries, ascending, without repeats (one record may make several entries).
core::Result<std::vector<uint64_t>> IncidentSeqs(Store& store, uint64_t incident_id) {
  constexpr uint32_t kPage = 500;
  std::vector<uint64_t> seqs;
  uint64_t after = 0;
  for (;;) {
    auto rows = store.Timeline(incident_id, after, kPage);
    if (!rows.ok()) return rows.error();
    for (const TimelineRow& row : *rows) {
      if (seqs.empty() || seqs.back() != row.seq) seqs.push_back(row.seq);
    }
    if (rows->size() < kPage) break;
    after = rows->back().seq;
    if (seqs.size() > kMaxBundleRecords) break;  // too many already: the span check below refuses it
  }
  return seqs;
}

}  // namespace


VerifyReport VerifyJournal(Store& store) {
  VerifyReport report;
  journal::Verifier verifier;
  core::Status st = store.ScanJournal(0, [&](const StoredRecord& stored) -> core::Status {
    auto rec = verifier.Next(stored.bytes, stored.hash);
    if (!rec.ok()) return rec.error();
    return core::Ok();
  });
  report.records = verifier.count();
  report.head_seq = verifier.last_seq();
  report.head_hash = verifier.last_hash();
  if (!st.ok()) {
    report.ok = false;
    report.error = st.error().message;
  }
  return report;
}

Published PublishedFor(const journal::Record& record, uint64_t incident_id, std::string summary) {
  Published p;
  p.seq = record.seq;
  p.time = record.time;
  p.actor = record.actor;
  p.type = RecordTypeName(record.type);
  if (incident_id != 0) {
    p.incident_id = incident_id;
    p.summary = std::move(summary);
  } else if (auto d = Describe(record); d.ok()) {
    p = std::move(d).value();
  }
  return p;
}

core::Result<Published> Describe(const journal::Record& record) {
  Published p;
  p.seq = record.seq;
  p.time = record.time;
  p.actor = record.actor;
  p.type = RecordTypeName(record.type);
  if (record.type >= correlate::kFirstType && record.type <= correlate::kLastType) {
    auto c = correlate::DecodePayload(record.type, record.version, record.payload);
    if (!c.ok()) return c.error().WithContext("record " + std::to_string(record.seq));
    if (const auto* a = std::get_if<correlate::AlertsChanged>(&c.value())) {
      size_t counts[6] = {};
      for (const auto& ch : a->changes) ++counts[static_cast<size_t>(ch.kind)];
      p.summary = std::to_string(a->changes.size()) + " alert changes (" + correlate::ToString(a->cause) +
                  "): " + std::to_string(counts[0]) + " new, " + std::to_string(counts[1] + counts[2]) +
                  " re-sent, " + std::to_string(counts[3]) + " resolved";
    } else if (const auto* s = std::get_if<correlate::SilenceSaved>(&c.value())) {
      p.summary = "Silence " + s->silence.id + " saved by " + record.actor + ": ends " +
                  core::FormatRfc3339(s->silence.ends_at);
    } else if (const auto* d = std::get_if<correlate::SilenceDropped>(&c.value())) {
      p.summary = "Silence " + d->id + " dropped after retention";
    } else if (const auto* ts = std::get_if<correlate::TopologySaved>(&c.value())) {
      const auto& t = ts->topology;
      p.summary = "Topology saved by " + record.actor + ": " + std::to_string(t.services.size()) + " services, " +
                  std::to_string(t.hosts.size()) + " hosts, " + std::to_string(t.segments.size()) + " segments";
    } else if (const auto* ws = std::get_if<correlate::WindowSaved>(&c.value())) {
      p.summary = "Maintenance window '" + ws->window.name + "' (" + ws->window.id + ") saved by " + record.actor;
    } else if (const auto* wo = std::get_if<correlate::WindowOpened>(&c.value())) {
      p.summary = "Maintenance window " + wo->id + " open until " +
                  core::FormatRfc3339(core::FromUnixMillis(wo->end_ms));
    } else if (const auto* wc = std::get_if<correlate::WindowClosed>(&c.value())) {
      p.summary = "Maintenance window " + wc->id + " closed";
    } else if (const auto* wr = std::get_if<correlate::WindowReminded>(&c.value())) {
      p.summary = "Owner of maintenance window " + wr->id + " reminded of its end";
    }
    return p;
  }
  if (record.type >= classify::kFirstType && record.type <= classify::kLastType) {
    auto c = classify::DecodePayload(record.type, record.version, record.payload);
    if (!c.ok()) return c.error().WithContext("record " + std::to_string(record.seq));
    if (const auto* s = std::get_if<classify::SliRecorded>(&c.value())) {
      p.summary = std::to_string(s->samples.size()) + " SLI samples for " + s->service + "/" + s->slo;
    } else if (const auto* m = std::get_if<classify::IncidentMajor>(&c.value())) {
      p.incident_id = m->incident_id;
      p.summary = "Promoted to major incident: " + m->reason;
    } else if (const auto* f = std::get_if<classify::RegulatoryFact>(&c.value())) {
      p.incident_id = f->incident_id;
      p.summary = "Regulatory fact: " + f->fact;
    } else if (const auto* x = std::get_if<classify::RegulatorySubmitted>(&c.value())) {
      p.incident_id = x->incident_id;
      p.summary = "Submitted " + x->regime + " " + x->stage;
    } else if (const auto* own = std::get_if<classify::OwnerAssigned>(&c.value())) {
      p.incident_id = own->incident_id;
      p.summary = "Primary owner: " + own->team;
    } else if (const auto* rem = std::get_if<classify::RegulatoryReminded>(&c.value())) {
      p.incident_id = rem->incident_id;
      p.summary = "Regulatory reminder " + rem->key;
    } else if (const auto* cc = std::get_if<classify::ConfigChanged>(&c.value())) {
      p.summary = "Configuration changed by " + record.actor + ": ";
      for (size_t i = 0; i < cc->changes.size(); ++i) p.summary += (i ? "; " : "") + cc->changes[i];
    } else {
      const auto& v = std::get<classify::SloVerdict>(c.value());
      p.summary = std::string("SLO verdict ") + classify::ToString(v.verdict) + ": " + v.reason;
    }
    return p;
  }
  if (record.type >= escalation::kFirstType && record.type <= escalation::kLastType) {
    auto e = escalation::DecodePayload(record.type, record.version, record.payload);
    if (!e.ok()) return e.error().WithContext("record " + std::to_string(record.seq));
    // Without the state at hand: the lines that need it (which delivery an attempt belongs to) say less.
    if (auto line = escalation::Describe(escalation::Model{}, e.value())) {
      p.incident_id = line->incident_id;
      p.summary = std::move(line->text);
    } else if (const auto* q = std::get_if<escalation::DeliveryQueued>(&e.value())) {
      p.summary = q->kind + " notification for " + q->user + " via " + q->channel + " queued";
    } else if (const auto* a = std::get_if<escalation::DeliveryAttempted>(&e.value())) {
      p.summary = "Delivery " + std::to_string(a->delivery_id) + " attempt " + std::to_string(a->attempt) + ": " +
                  (a->ok ? std::string("delivered") : a->error);
    } else if (const auto* c = std::get_if<escalation::DeliveryCancelled>(&e.value())) {
      p.summary = "Delivery " + std::to_string(c->delivery_id) + " cancelled: " + c->reason;
    } else if (const auto* d = std::get_if<escalation::DrillStarted>(&e.value())) {
      p.summary = "Drill " + d->drill + " started" + (d->manual ? " on request" : "");
    } else if (const auto* f = std::get_if<escalation::DrillFinished>(&e.value())) {
      p.summary = "Drill run " + std::to_string(f->run) + (f->passed ? " passed" : " failed at " + f->link);
    } else if (const auto* oc = std::get_if<escalation::OverrideCreated>(&e.value())) {
      p.summary = "On-call override " + std::to_string(oc->id) + " on schedule " + oc->schedule + ": " + oc->kind +
                  " " + oc->user + (oc->replaced_user.empty() ? "" : " for " + oc->replaced_user) + " from " +
                  core::FormatRfc3339(core::FromUnixMillis(oc->start_ms)) + " to " +
                  core::FormatRfc3339(core::FromUnixMillis(oc->end_ms)) + " by " + oc->actor;
    } else if (const auto* orm = std::get_if<escalation::OverrideRemoved>(&e.value())) {
      p.summary = "On-call override " + std::to_string(orm->id) + " removed from schedule " + orm->schedule + " by " +
                  orm->actor;
    }
    return p;
  }
  if (record.type >= coord::kFirstType && record.type <= coord::kLastType) {
    auto c = coord::DecodePayload(record.type, record.version, record.payload);
    if (!c.ok()) return c.error().WithContext("record " + std::to_string(record.seq));
    p.incident_id = coord::IncidentOf(c.value());
    p.summary = coord::Describe(c.value(), record.actor);
    return p;
  }
  if (record.type >= pools::kFirstType && record.type <= pools::kLastType) {
    auto c = pools::DecodePayload(record.type, record.version, record.payload);
    if (!c.ok()) return c.error().WithContext("record " + std::to_string(record.seq));
    p.incident_id = pools::IncidentOf(c.value());
    p.summary = pools::Describe(c.value(), record.actor);
    return p;
  }
  auto decoded = incident::DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error().WithContext("record " + std::to_string(record.seq));
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        using namespace incident;
        if constexpr (std::is_same_v<T, IncidentOpened>) {
          p.incident_id = x.incident_id;
          p.summary = "Incident opened: " + x.title + " (service " + x.service + ")";
        } else if constexpr (std::is_same_v<T, AlertTriggered>) {
          p.incident_id = x.incident_id;
          p.summary = "Alert '" + x.dedup_key + "' triggered: " + x.summary;
        } else if constexpr (std::is_same_v<T, AlertRetriggered>) {
          p.summary = "Alert " + std::to_string(x.alert_id) + " triggered again: " + x.summary;
        } else if constexpr (std::is_same_v<T, AlertAcknowledged>) {
          p.summary = "Alert " + std::to_string(x.alert_id) + " acknowledged";
        } else if constexpr (std::is_same_v<T, AlertResolved>) {
          p.summary = "Alert " + std::to_string(x.alert_id) + " resolved";
        } else if constexpr (std::is_same_v<T, IncidentAcknowledged>) {
          p.incident_id = x.incident_id;
          p.summary = "Acknowledged by " + record.actor;
        } else if constexpr (std::is_same_v<T, IncidentUnacknowledged>) {
          p.incident_id = x.incident_id;
          p.summary = "Back to triggered: " + x.reason;
        } else if constexpr (std::is_same_v<T, IncidentResolved>) {
          p.incident_id = x.incident_id;
          p.summary = "Resolved by " + record.actor + (x.note.empty() ? "" : ": " + x.note);
        } else if constexpr (std::is_same_v<T, IncidentClosed>) {
          p.incident_id = x.incident_id;
          p.summary = "Closed";
        } else if constexpr (std::is_same_v<T, NoteAdded>) {
          p.incident_id = x.incident_id;
          p.summary = x.text;
        } else if constexpr (std::is_same_v<T, SeverityRaised>) {
          p.incident_id = x.incident_id;
          p.summary = std::string("Severity raised to ") + ingest::ToString(x.severity);
        } else if constexpr (std::is_same_v<T, IncidentMerged>) {
          p.incident_id = x.into;
          p.summary = "Incident " + std::to_string(x.incident_id) + " merged into incident " + std::to_string(x.into) +
                      ": " + x.parent + " down (rule " + x.rule + ")";
        } else if constexpr (std::is_same_v<T, NotificationRequested>) {
          p.incident_id = x.incident_id;
          p.summary = std::string("Notification (") + ToString(x.kind) + "): " + x.text;
        } else if constexpr (std::is_same_v<T, AlertLinked>) {
          p.incident_id = x.incident_id;
          p.summary = "Alert " + std::to_string(x.alert_id) + " joined incident " + std::to_string(x.incident_id) +
                      ": " + x.reason;
        } else if constexpr (std::is_same_v<T, AlertFlapping>) {
          p.summary = "Alert '" + x.dedup_key + "' of " + x.service + (x.started ? " started" : " stopped") +
                      " flapping";
        } else if constexpr (std::is_same_v<T, FlapsPruned>) {
          p.summary = "Flap histories of quiet alerts pruned";
        } else if constexpr (std::is_same_v<T, NotificationCancelled>) {
          p.incident_id = x.incident_id;
          p.summary = "Pending notification cancelled: " + x.reason;
        } else if constexpr (std::is_same_v<T, IncidentReclassified>) {
          p.incident_id = x.incident_id;
          p.summary = "Reclassified as " + x.category + (x.subcategory.empty() ? "" : "/" + x.subcategory);
        } else if constexpr (std::is_same_v<T, EventDropped>) {
          p.summary = std::string("Dropped ") + ingest::ToString(x.action) + " for '" + x.dedup_key + "' on " +
                      x.service + ": " + x.reason;
        }
      },
      decoded.value());
  return p;
}

core::Result<journal::Description> DescribeForBundle(const journal::Record& record) {
  auto d = Describe(record);
  if (!d.ok()) return d.error();
  return journal::Description{RecordTypeName(record.type), std::move(d->summary)};
}

core::Result<journal::Bundle> ExportIncident(Store& store, uint64_t incident_id, core::Timestamp now,
                                             const std::string& exporter) {
  const std::string context = "export incident " + std::to_string(incident_id);
  auto row = store.GetIncident(incident_id);
  if (!row.ok()) return row.error();
  // The timeline first: records appended while this runs are simply not part of this export.
  auto seqs = IncidentSeqs(store, incident_id);
  if (!seqs.ok()) return seqs.error().WithContext(context);
  if (seqs->empty()) return core::Internal(context + ": its timeline is empty");
  const uint64_t first = seqs->front();
  const uint64_t last = seqs->back();
  if (last - first + 1 > kMaxBundleRecords) {
    return core::Conflict(context + ": it spans " + std::to_string(last - first + 1) + " journal records (" +
                          std::to_string(first) + " to " + std::to_string(last) + "), more than a bundle holds (" +
                          std::to_string(kMaxBundleRecords) + ")");
  }

  std::vector<journal::Record> segment;
  segment.reserve(last - first + 1);
  std::optional<journal::Verifier> verifier;
  size_t next_own = 0;
  core::Status st = ScanRange(store, first, last, [&](const StoredRecord& stored) -> core::Status {
    if (!verifier) {
      // The segment's first record links to one outside it: the bundle's anchor, trusted as stored.
      auto head = journal::Decode(stored.bytes);
      if (!head.ok()) return head.error().WithContext("record " + std::to_string(stored.seq));
      verifier.emplace(first - 1, head->prev);
    }
    auto rec = verifier->Next(stored.bytes, stored.hash);
    if (!rec.ok()) return rec.error();
    journal::Record r = std::move(rec).value();
    while (next_own < seqs->size() && (*seqs)[next_own] < r.seq) ++next_own;
    if (next_own == seqs->size() || (*seqs)[next_own] != r.seq) {
      // Another incident's record: MakeBundle keeps only its hashes, so do not hold its contents meanwhile.
      r.actor.clear();
      r.payload.clear();
    }
    segment.push_back(std::move(r));
    return core::Ok();
  });
  if (!st.ok()) return st.error().WithContext(context);
  if (segment.size() != last - first + 1) {
    return core::Corrupt(context + ": the journal ends before record " + std::to_string(last) +
                         " of its timeline");
  }
  auto head = store.Head();
  if (!head.ok()) return head.error().WithContext(context);

  journal::BundleIncident incident{row->id, row->title, row->service, row->severity, row->state};
  auto bundle = journal::MakeBundle(std::move(incident), now, exporter, journal::Anchor{head->seq, head->hash},
                                    segment, *seqs, DescribeForBundle);
  if (!bundle.ok()) return bundle.error().WithContext(context);
  return bundle;
}

core::Result<journal::Record> ReadRecord(Store& store, uint64_t seq) {
  const std::string context = "read record " + std::to_string(seq);
  if (seq == 0) return core::NotFound("there is no record 0");
  std::optional<journal::Record> found;
  core::Status st = ScanRange(store, seq, seq, [&](const StoredRecord& stored) -> core::Status {
    auto rec = journal::Decode(stored.bytes);
    if (!rec.ok()) return rec.error().WithContext(context);
    if (rec->seq != seq || stored.seq != seq) return core::Corrupt(context + ": stored under another seq");
    rec->hash = journal::Sha256(stored.bytes);
    if (rec->hash != stored.hash) return core::Corrupt(context + ": content does not match its hash");
    found = std::move(rec).value();
    return core::Ok();
  });
  if (!st.ok()) return st.error();
  if (!found) return core::NotFound("no record " + std::to_string(seq) + " in the journal");
  return std::move(*found);
}

}  // namespace engine
