#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <thread>
#include <utility>

#include "store/postgres/connection.h"
#include "store/postgres/schema.h"

namespace store::postgres {
namespace {

using engine::AlertRow;
using engine::IncidentRow;
using engine::StoredRecord;
using engine::TimelineRow;
using Statement = Connection::Statement;

// bigint is signed 64-bit; larger seqs and ids would wrap and sort wrongly.
constexpr uint64_t kMaxStored = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
constexpr uint32_t kMaxPageSize = 500;
// Records per read in ScanJournal: large enough to amortise the query, small enough to hold in memory.
constexpr int kScanChunk = 512;

constexpr const char* kIncidentColumns =
    "id, service, group_key, title, severity, state, opened_at, acknowledged_at, resolved_at, closed_at, "
    "alert_count, open_alert_count, last_seq, last_actor, merged_into, notifications, notify_due, category, "
    "subcategory, category_rule, major_reason";
constexpr int kIncidentColumnCount = 21;
constexpr const char* kIncidentUpdate =
    " ON CONFLICT (id) DO UPDATE SET service = excluded.service, group_key = excluded.group_key, "
    "title = excluded.title, severity = excluded.severity, state = excluded.state, "
    "opened_at = excluded.opened_at, acknowledged_at = excluded.acknowledged_at, "
    "resolved_at = excluded.resolved_at, closed_at = excluded.closed_at, alert_count = excluded.alert_count, "
    "open_alert_count = excluded.open_alert_count, last_seq = excluded.last_seq, last_actor = excluded.last_actor, "
    "merged_into = excluded.merged_into, notifications = excluded.notifications, notify_due = excluded.notify_due, "
    "category = excluded.category, subcategory = excluded.subcategory, category_rule = excluded.category_rule, "
    "major_reason = excluded.major_reason";
constexpr const char* kAlertColumns =
    "id, incident_id, service, dedup_key, status, summary, source, severity, created_at, updated_at, "
    "event_count, details_json, explanation, suppressed_by";
constexpr int kAlertColumnCount = 14;
// The text columns of an alert upsert depend on whether the rows carry text (AlertRow::text): one statement holds
// rows of one kind.
constexpr const char* kAlertUpdateCommon =
    " ON CONFLICT (id) DO UPDATE SET incident_id = excluded.incident_id, service = excluded.service, "
    "dedup_key = excluded.dedup_key, status = excluded.status, severity = excluded.severity, "
    "created_at = excluded.created_at, updated_at = excluded.updated_at, event_count = excluded.event_count, "
    "explanation = CASE WHEN excluded.explanation <> '' THEN excluded.explanation ELSE alerts.explanation END, "
    "suppressed_by = CASE WHEN excluded.suppressed_by <> '' THEN excluded.suppressed_by ELSE alerts.suppressed_by "
    "END";
constexpr const char* kAlertUpdateText =
    ", summary = excluded.summary, "
    "source = CASE WHEN excluded.source <> '' THEN excluded.source ELSE alerts.source END, "
    "details_json = CASE WHEN excluded.details_json <> '' THEN excluded.details_json ELSE alerts.details_json END";
constexpr const char* kSelectAlerts =
    "SELECT id, incident_id, service, dedup_key, status, summary, source, severity, created_at, updated_at, "
    "event_count, details_json, explanation, suppressed_by FROM alerts ";

int64_t Signed(uint64_t v) { return static_cast<int64_t>(v); }

std::optional<int64_t> OptionalMillis(const std::optional<core::Timestamp>& t) {
  if (!t.has_value()) return std::nullopt;
  return core::ToUnixMillis(*t);
}

std::string_view HashBytes(const journal::Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

journal::Hash ReadHash(const std::string& bytes, bool& bad) {
  journal::Hash h{};
  if (bytes.size() != h.size()) {
    bad = true;
    return h;
  }
  std::memcpy(h.data(), bytes.data(), h.size());
  return h;
}

using Array = Params::Array;

// "INSERT INTO table (columns) SELECT * FROM unnest($1::bigint[], ...)": one array parameter per column, so the
// statement's text is the same for any number of rows and is prepared once. `types` has one letter per column:
// i bigint, t text, b bytea.
std::string InsertUnnest(std::string_view table, std::string_view columns, std::string_view types) {
  std::string out = "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") SELECT * FROM unnest(";
  for (size_t c = 0; c < types.size(); ++c) {
    if (c > 0) out += ", ";
    out += "$" + std::to_string(c + 1) + (types[c] == 'i' ? "::bigint[]" : types[c] == 't' ? "::text[]" : "::bytea[]");
  }
  return out + ")";
}

// One empty array per column of `types` (the letters of InsertUnnest), of the matching kind.
std::vector<Array> ColumnArrays(std::string_view types) {
  std::vector<Array> columns;
  columns.reserve(types.size());
  for (char t : types) columns.emplace_back(t == 'i' ? Array::Of::kInt : t == 't' ? Array::Of::kText : Array::Of::kBytes);
  return columns;
}

constexpr std::string_view kIncidentTypes = "itttttiiiiiiitiiitttt";  // kIncidentColumns, in order
constexpr std::string_view kAlertTypes = "iittttttiiittt";           // kAlertColumns, in order
static_assert(kIncidentTypes.size() == kIncidentColumnCount && kAlertTypes.size() == kAlertColumnCount);

void AddRecordInserts(std::span<const StoredRecord> records, std::vector<Statement>& out) {
  static const std::string sql = InsertUnnest("journal", "seq, type, time_ms, bytes, hash", "iiibb");
  for (size_t i = 0; i < records.size(); i += PostgresStore::kRowsPerStatement) {
    auto chunk = records.subspan(i, std::min(PostgresStore::kRowsPerStatement, records.size() - i));
    Array seq(Array::Of::kInt), type(Array::Of::kInt), time(Array::Of::kInt), bytes(Array::Of::kBytes),
        hash(Array::Of::kBytes);
    for (const StoredRecord& r : chunk) {
      seq.Int(Signed(r.seq));
      type.Int(r.type);
      time.Int(core::ToUnixMillis(r.time));
      bytes.Bytes(r.bytes);
      hash.Bytes(HashBytes(r.hash));
    }
    Statement& s = out.emplace_back();
    s.sql = sql;
    s.name = "incidentd_journal_insert";
    s.params.Add(seq).Add(type).Add(time).Add(bytes).Add(hash);
  }
}

// Splits upsert rows into statements in which every id occurs once (ON CONFLICT DO UPDATE may not touch a row
// twice) and `same_kind` holds for every pair; statements keep the rows' order, so a later row for an id wins.
template <typename Row, typename SameKind>
std::vector<std::vector<const Row*>> UpsertGroups(const std::vector<Row>& rows, SameKind same_kind) {
  std::vector<std::vector<const Row*>> groups;
  std::set<uint64_t> ids;
  for (const Row& row : rows) {
    if (groups.empty() || ids.contains(row.id) || groups.back().size() == PostgresStore::kRowsPerStatement ||
        !same_kind(*groups.back().front(), row)) {
      groups.emplace_back();
      ids.clear();
    }
    groups.back().push_back(&row);
    ids.insert(row.id);
  }
  return groups;
}

void AddIncidentUpserts(const std::vector<IncidentRow>& rows, std::vector<Statement>& out) {
  static const std::string sql = InsertUnnest("incidents", kIncidentColumns, kIncidentTypes) + kIncidentUpdate;
  for (const auto& group : UpsertGroups(rows, [](const IncidentRow&, const IncidentRow&) { return true; })) {
    std::vector<Array> c = ColumnArrays(kIncidentTypes);
    for (const IncidentRow* row : group) {
      c[0].Int(Signed(row->id));
      c[1].Text(row->service);
      c[2].Text(row->group_key);
      c[3].Text(row->title);
      c[4].Text(row->severity);
      c[5].Text(row->state);
      c[6].Int(core::ToUnixMillis(row->opened_at));
      c[7].OptionalInt(OptionalMillis(row->acknowledged_at));
      c[8].OptionalInt(OptionalMillis(row->resolved_at));
      c[9].OptionalInt(OptionalMillis(row->closed_at));
      c[10].Int(row->alert_count);
      c[11].Int(row->open_alert_count);
      c[12].Int(Signed(row->last_seq));
      c[13].Text(row->last_actor);
      c[14].Int(Signed(row->merged_into));
      c[15].Int(row->notifications);
      c[16].OptionalInt(OptionalMillis(row->notify_due));
      c[17].Text(row->category);
      c[18].Text(row->subcategory);
      c[19].Text(row->category_rule);
      c[20].Text(row->major_reason);
    }
    Statement& s = out.emplace_back();
    s.sql = sql;
    s.name = "incidentd_incident_upsert";
    for (const Array& a : c) s.params.Add(a);
  }
}

void AddAlertUpserts(const std::vector<AlertRow>& rows, std::vector<Statement>& out) {
  static const std::string base = InsertUnnest("alerts", kAlertColumns, kAlertTypes) + kAlertUpdateCommon;
  static const std::string with_text = base + kAlertUpdateText;
  for (const auto& group : UpsertGroups(rows, [](const AlertRow& a, const AlertRow& b) { return a.text == b.text; })) {
    std::vector<Array> c = ColumnArrays(kAlertTypes);
    for (const AlertRow* row : group) {
      c[0].Int(Signed(row->id));
      c[1].Int(Signed(row->incident_id));
      c[2].Text(row->service);
      c[3].Text(row->dedup_key);
      c[4].Text(row->status);
      c[5].Text(row->summary);
      c[6].Text(row->source);
      c[7].Text(row->severity);
      c[8].Int(core::ToUnixMillis(row->created_at));
      c[9].Int(core::ToUnixMillis(row->updated_at));
      c[10].Int(row->event_count);
      c[11].Text(row->details_json);
      c[12].Text(row->explanation);
      c[13].Text(row->suppressed_by);
    }
    Statement& s = out.emplace_back();
    const bool text = group.front()->text;
    s.sql = text ? with_text : base;
    s.name = text ? "incidentd_alert_upsert_text" : "incidentd_alert_upsert";
    for (const Array& a : c) s.params.Add(a);
  }
}

void AddTimelineInserts(const std::vector<TimelineRow>& rows, std::vector<Statement>& out) {
  // Rows go in in list order, so entries sharing a seq keep their order through `entry`.
  static const std::string sql = InsertUnnest("timeline", "incident_id, seq, time_ms, actor, kind, text", "iiittt");
  for (size_t i = 0; i < rows.size(); i += PostgresStore::kRowsPerStatement) {
    size_t n = std::min(PostgresStore::kRowsPerStatement, rows.size() - i);
    Array incident(Array::Of::kInt), seq(Array::Of::kInt), time(Array::Of::kInt), actor(Array::Of::kText),
        kind(Array::Of::kText), text(Array::Of::kText);
    for (size_t j = i; j < i + n; ++j) {
      const TimelineRow& row = rows[j];
      incident.Int(Signed(row.incident_id));
      seq.Int(Signed(row.seq));
      time.Int(core::ToUnixMillis(row.time));
      actor.Text(row.actor);
      kind.Text(row.kind);
      text.Text(row.text);
    }
    Statement& s = out.emplace_back();
    s.sql = sql;
    s.name = "incidentd_timeline_insert";
    s.params.Add(incident).Add(seq).Add(time).Add(actor).Add(kind).Add(text);
  }
}

IncidentRow ReadIncident(Rows& r, int i) {
  IncidentRow row;
  auto optional_time = [&](int column) -> std::optional<core::Timestamp> {
    if (r.IsNull(i, column)) return std::nullopt;
    return core::FromUnixMillis(r.Int(i, column));
  };
  row.id = r.U64(i, 0);
  row.service = r.Text(i, 1);
  row.group_key = r.Text(i, 2);
  row.title = r.Text(i, 3);
  row.severity = r.Text(i, 4);
  row.state = r.Text(i, 5);
  row.opened_at = core::FromUnixMillis(r.Int(i, 6));
  row.acknowledged_at = optional_time(7);
  row.resolved_at = optional_time(8);
  row.closed_at = optional_time(9);
  row.alert_count = static_cast<uint32_t>(r.U64(i, 10));
  row.open_alert_count = static_cast<uint32_t>(r.U64(i, 11));
  row.last_seq = r.U64(i, 12);
  row.last_actor = r.Text(i, 13);
  row.merged_into = r.U64(i, 14);
  row.notifications = static_cast<uint32_t>(r.U64(i, 15));
  row.notify_due = optional_time(16);
  row.category = r.Text(i, 17);
  row.subcategory = r.Text(i, 18);
  row.category_rule = r.Text(i, 19);
  row.major_reason = r.Text(i, 20);
  return row;
}

core::Status ReadAlerts(Rows& r, std::string_view context, std::vector<AlertRow>& out) {
  for (int i = 0; i < r.size(); ++i) {
    AlertRow& row = out.emplace_back();
    row.id = r.U64(i, 0);
    row.incident_id = r.U64(i, 1);
    row.service = r.Text(i, 2);
    row.dedup_key = r.Text(i, 3);
    row.status = r.Text(i, 4);
    row.summary = r.Text(i, 5);
    row.source = r.Text(i, 6);
    row.severity = r.Text(i, 7);
    row.created_at = core::FromUnixMillis(r.Int(i, 8));
    row.updated_at = core::FromUnixMillis(r.Int(i, 9));
    row.event_count = static_cast<uint32_t>(r.U64(i, 10));
    row.details_json = r.Text(i, 11);
    row.explanation = r.Text(i, 12);
    row.suppressed_by = r.Text(i, 13);
  }
  return r.Check(context);
}

}  // namespace

PostgresStore::PostgresStore(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> snapshots,
                             std::unique_ptr<ConnectionPool> readers)
    : writer_(std::move(writer)),
      snapshots_(std::move(snapshots)),
      readers_(std::move(readers)) {}

PostgresStore::~PostgresStore() = default;

core::Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url, Options options) {
  const std::string context = "open PostgreSQL store";
  if (options.read_only) {
    auto reader = Connection::Open(url, options.schema, "incidentd-reader");
    if (!reader.ok()) return reader.error().WithContext(context);
    if (auto st = CheckVersion(**reader); !st.ok()) return st.error().WithContext(context);
    return std::unique_ptr<PostgresStore>(
        new PostgresStore(nullptr, nullptr, std::make_unique<ConnectionPool>(url, options.schema, kMaxReaders)));
  }
  auto writer = Connection::Open(url, options.schema, "incidentd-writer");
  if (!writer.ok()) return writer.error().WithContext(context);
  if (auto st = Migrate(**writer, options.schema); !st.ok()) return st.error().WithContext(context);
  auto snapshots = Connection::Open(url, options.schema);
  if (!snapshots.ok()) return snapshots.error().WithContext(context);
  auto readers = std::make_unique<ConnectionPool>(url, options.schema, kMaxReaders);
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::move(writer).value(), std::move(snapshots).value(), std::move(readers)));
}

core::Status PostgresStore::Append(std::span<const StoredRecord> records, const engine::Projection& projection) {
  if (records.empty() && projection.empty()) return core::Ok();
  if (auto st = engine::ValidateAppend(records, projection); !st.ok()) return st.error().WithContext("append");
  if (writer_ == nullptr) return core::Unavailable("the store was opened read-only");
  std::lock_guard lock(writer_mutex_);
  std::vector<Statement> statements;
  statements.push_back({"BEGIN", {}});
  if (!records.empty()) {
    const uint64_t expected = records.front().seq - 1;
    Statement& check = statements.emplace_back();
    check.sql = "SELECT incidentd_expect_head($1, $2, $3)";
    check.name = "incidentd_expect_head";
    check.params.Int(Signed(expected));
    if (appended_.has_value() && appended_->seq == expected) {
      check.params.OptionalBytes(HashBytes(appended_->hash));
    } else {
      check.params.OptionalBytes(std::nullopt);
    }
    // The lock itself is checked by the session (lock_session_ below), not by the server: asking pg_locks cost
    // ~45 µs per append.
    check.params.OptionalInt(std::nullopt);
    AddRecordInserts(records, statements);
  }
  AddIncidentUpserts(projection.incidents, statements);
  AddAlertUpserts(projection.alerts, statements);
  AddTimelineInserts(projection.timeline, statements);
  statements.push_back({"COMMIT", {}});

  core::Status st = writer_->Pipeline(statements, "append", nullptr, writer_lock_.has_value() ? lock_session_ : 0);
  if (!st.ok()) {
    appended_.reset();
    return st;
  }
  if (!records.empty()) appended_ = engine::JournalHead{records.back().seq, records.back().hash};
  return core::Ok();
}

core::Status PostgresStore::AcquireWriterLock(const std::function<bool()>& stop, core::Duration poll,
                                              const std::function<void()>& on_wait) {
  const std::string context = "take the writer lock";
  if (writer_ == nullptr) return core::Unavailable("the store was opened read-only");
  std::lock_guard lock(writer_mutex_);
  // One lock per journal: the key names the schema the session writes to (Options::schema or the URL's
  // search_path).
  auto key = writer_->Query("SELECT hashtextextended('incidentd.writer:' || coalesce(current_schema(), ''), 0)", {},
                            context);
  if (!key.ok()) return key.error();
  const int64_t lock_key = key->Int(0, 0);
  bool waited = false;
  for (;;) {
    Params params;
    params.Int(lock_key);
    auto taken = writer_->Query("SELECT pg_try_advisory_lock($1)::int", params, context);
    if (!taken.ok()) return taken.error();
    if (taken->Int(0, 0) == 1) break;
    if (!waited && on_wait) on_wait();
    waited = true;
    if (stop()) return core::Unavailable(context + ": stopped while another node held it");
    std::this_thread::sleep_for(poll);
  }
  writer_lock_ = lock_key;
  lock_session_ = writer_->session();
  return core::Ok();
}

core::Status PostgresStore::SetWriterAddress(const std::string& address) {
  if (writer_ == nullptr) return core::Unavailable("the store was opened read-only");
  std::lock_guard lock(writer_mutex_);
  Params record;
  record.Text(address).Int(core::ToUnixMillis(std::chrono::time_point_cast<core::Duration>(
      std::chrono::system_clock::now())));
  auto recorded = writer_->Query("INSERT INTO writer (id, address, since_ms) VALUES (1, $1, $2) "
                                 "ON CONFLICT (id) DO UPDATE SET address = excluded.address, since_ms = excluded.since_ms",
                                 record, "record the writer's address");
  if (!recorded.ok()) return recorded.error();
  return core::Ok();
}

core::Result<std::string> PostgresStore::WriterAddress() {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext("read the writer's address");
  auto rows = (*lease)->Query("SELECT address FROM writer WHERE id = 1", {}, "read the writer's address");
  if (!rows.ok()) return rows.error();
  if (rows->size() == 0) return std::string();
  return rows->Text(0, 0);
}

core::Result<engine::JournalHead> PostgresStore::Head() {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext("read head");
  auto rows = (*lease)->Query("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", {}, "read head");
  if (!rows.ok()) return rows.error();
  if (rows->size() == 0) return engine::JournalHead{};
  bool bad = false;
  engine::JournalHead head{rows->U64(0, 0), ReadHash(rows->Bytes(0, 1), bad)};
  if (auto st = rows->Check("journal head"); !st.ok()) return st.error();
  if (bad) return core::Corrupt("journal head: stored hash has the wrong length");
  return head;
}

core::Status PostgresStore::ScanJournal(uint64_t after_seq,
                                        const std::function<core::Status(const StoredRecord&)>& visit) {
  std::vector<StoredRecord> chunk;
  uint64_t cursor = after_seq;
  while (cursor < kMaxStored) {
    chunk.clear();
    {
      auto lease = readers_->Acquire();
      if (!lease.ok()) return lease.error().WithContext("scan journal");
      Params params;
      params.Int(Signed(cursor)).Int(kScanChunk);
      auto rows = (*lease)->Query("SELECT seq, type, time_ms, bytes, hash FROM journal WHERE seq > $1 "
                                  "ORDER BY seq LIMIT $2",
                                  params, "scan journal");
      if (!rows.ok()) return rows.error();
      bool bad = false;
      for (int i = 0; i < rows->size(); ++i) {
        StoredRecord& rec = chunk.emplace_back();
        rec.seq = rows->U64(i, 0);
        uint64_t type = rows->U64(i, 1);
        if (type > std::numeric_limits<uint16_t>::max()) bad = true;
        rec.type = static_cast<uint16_t>(type);
        rec.time = core::FromUnixMillis(rows->Int(i, 2));
        rec.bytes = rows->Bytes(i, 3);
        rec.hash = ReadHash(rows->Bytes(i, 4), bad);
        if (bad) return core::Corrupt("scan journal: record " + std::to_string(rec.seq) + ": stored value out of range");
      }
      if (auto st = rows->Check("scan journal"); !st.ok()) return st;
    }
    // The lease is back in the pool: visiting may take long, and may query the store itself.
    for (const StoredRecord& rec : chunk) {
      if (auto st = visit(rec); !st.ok()) return st;
    }
    if (chunk.size() < static_cast<size_t>(kScanChunk)) break;
    cursor = chunk.back().seq;
  }
  return core::Ok();
}

core::Status PostgresStore::SaveSnapshot(const engine::Snapshot& snapshot) {
  if (snapshots_ == nullptr) return core::Unavailable("the store was opened read-only");
  if (snapshot.seq > kMaxStored) return core::Invalid("save snapshot: seq above INT64_MAX");
  const std::string context = "save snapshot " + std::to_string(snapshot.seq);
  std::vector<Statement> statements;
  statements.push_back({"BEGIN", {}});
  Statement& upsert = statements.emplace_back();
  upsert.sql =
      "INSERT INTO snapshots (seq, hash, taken_at, state) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash, taken_at = excluded.taken_at, state = excluded.state";
  upsert.params.Int(Signed(snapshot.seq))
      .Bytes(HashBytes(snapshot.hash))
      .Int(core::ToUnixMillis(snapshot.taken_at))
      .Bytes(snapshot.state);
  Statement& prune = statements.emplace_back();
  // With fewer rows than kept the subquery is NULL and nothing goes.
  prune.sql = "DELETE FROM snapshots WHERE seq < (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 1 OFFSET $1)";
  prune.params.Int(kKeptSnapshots - 1);
  statements.push_back({"COMMIT", {}});
  std::lock_guard lock(snapshot_mutex_);
  return snapshots_->Pipeline(statements, context);
}

core::Result<std::optional<engine::Snapshot>> PostgresStore::LatestSnapshot() {
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext("read latest snapshot");
  auto rows = (*lease)->Query("SELECT seq, hash, taken_at, state FROM snapshots ORDER BY seq DESC LIMIT 1", {},
                              "read latest snapshot");
  if (!rows.ok()) return rows.error();
  if (rows->size() == 0) return std::optional<engine::Snapshot>();
  bool bad = false;
  engine::Snapshot snapshot{rows->U64(0, 0), ReadHash(rows->Bytes(0, 1), bad), core::FromUnixMillis(rows->Int(0, 2)),
                            rows->Bytes(0, 3)};
  if (auto st = rows->Check("latest snapshot"); !st.ok()) return st.error();
  if (bad) return core::Corrupt("latest snapshot: stored hash has the wrong length");
  return std::optional<engine::Snapshot>(std::move(snapshot));
}

core::Result<engine::IncidentPage> PostgresStore::ListIncidents(const engine::IncidentQuery& query) {
  std::vector<std::string> states = query.states;
  std::sort(states.begin(), states.end());
  states.erase(std::unique(states.begin(), states.end()), states.end());
  if (states.size() > kMaxQueryStates) {
    return core::Invalid("list incidents: at most " + std::to_string(kMaxQueryStates) + " states", "states");
  }
  const uint32_t limit = std::clamp<uint32_t>(query.limit, 1, kMaxPageSize);
  const bool bounded = query.before_id != 0 && query.before_id <= kMaxStored;

  Params params;
  std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE true";
  auto next = [&] { return "$" + std::to_string(params.size()); };
  if (!states.empty()) {
    sql += " AND state IN (";
    for (size_t i = 0; i < states.size(); ++i) {
      params.Text(states[i]);
      sql += (i == 0 ? "" : ", ") + next();
    }
    sql += ")";
  }
  if (!query.service.empty()) {
    params.Text(query.service);
    sql += " AND service = " + next();
  }
  if (!query.severity.empty()) {
    params.Text(query.severity);
    sql += " AND severity = " + next();
  }
  if (bounded) {
    params.Int(Signed(query.before_id));
    sql += " AND id < " + next();
  }
  params.Int(int64_t{limit} + 1);  // one extra row tells whether another page follows
  sql += " ORDER BY id DESC LIMIT " + next();

  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext("list incidents");
  auto rows = (*lease)->Query(sql, params, "list incidents");
  if (!rows.ok()) return rows.error();
  engine::IncidentPage page;
  for (int i = 0; i < rows->size(); ++i) {
    if (page.incidents.size() == limit) {
      page.next_before_id = page.incidents.back().id;
      break;
    }
    page.incidents.push_back(ReadIncident(*rows, i));
  }
  if (auto st = rows->Check("list incidents"); !st.ok()) return st.error();
  return page;
}

core::Result<IncidentRow> PostgresStore::GetIncident(uint64_t id) {
  const std::string context = "get incident " + std::to_string(id);
  if (id > kMaxStored) return core::NotFound(context + ": no such incident");
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext(context);
  Params params;
  params.Int(Signed(id));
  auto rows = (*lease)->Query(std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE id = $1", params,
                              context);
  if (!rows.ok()) return rows.error();
  if (rows->size() == 0) return core::NotFound(context + ": no such incident");
  IncidentRow row = ReadIncident(*rows, 0);
  if (auto st = rows->Check(context); !st.ok()) return st.error();
  return row;
}

core::Result<std::vector<TimelineRow>> PostgresStore::Timeline(uint64_t incident_id, uint64_t after_seq,
                                                               uint32_t limit) {
  std::vector<TimelineRow> out;
  if (limit == 0 || incident_id > kMaxStored || after_seq >= kMaxStored) return out;
  const std::string context = "read timeline of incident " + std::to_string(incident_id);
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext(context);
  Params params;
  params.Int(Signed(incident_id)).Int(Signed(after_seq)).Int(limit);
  auto rows = (*lease)->Query("SELECT incident_id, seq, time_ms, actor, kind, text FROM timeline "
                              "WHERE incident_id = $1 AND seq > $2 ORDER BY seq, entry LIMIT $3",
                              params, context);
  if (!rows.ok()) return rows.error();
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(TimelineRow{rows->U64(i, 0), rows->U64(i, 1), core::FromUnixMillis(rows->Int(i, 2)),
                              rows->Text(i, 3), rows->Text(i, 4), rows->Text(i, 5)});
  }
  if (auto st = rows->Check(context); !st.ok()) return st.error();
  return out;
}

core::Result<std::vector<AlertRow>> PostgresStore::IncidentAlerts(uint64_t incident_id) {
  std::vector<AlertRow> out;
  if (incident_id > kMaxStored) return out;
  const std::string context = "read alerts of incident " + std::to_string(incident_id);
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext(context);
  Params params;
  params.Int(Signed(incident_id));
  auto rows = (*lease)->Query(std::string(kSelectAlerts) + "WHERE incident_id = $1 ORDER BY id", params, context);
  if (!rows.ok()) return rows.error();
  if (auto st = ReadAlerts(*rows, context, out); !st.ok()) return st.error();
  return out;
}

core::Result<std::vector<AlertRow>> PostgresStore::WindowAlerts(std::string_view window_id, uint32_t limit) {
  std::vector<AlertRow> out;
  if (window_id.empty() || limit == 0) return out;
  const std::string context = "read alerts of maintenance window " + std::string(window_id);
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext(context);
  Params params;
  params.Text(window_id).Int(limit);
  auto rows = (*lease)->Query(std::string(kSelectAlerts) + "WHERE suppressed_by = $1 ORDER BY id LIMIT $2", params,
                              context);
  if (!rows.ok()) return rows.error();
  if (auto st = ReadAlerts(*rows, context, out); !st.ok()) return st.error();
  return out;
}

}  // namespace store::postgres
