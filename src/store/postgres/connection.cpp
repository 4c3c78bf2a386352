#include "store/postgres/connection.h"

#include <arpa/inet.h>

#include <cstring>
#include <utility>

#include "core/utf8.h"

namespace store::postgres {
namespace {

// Type OIDs from pg_type (stable across versions).
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8ArrayOid = 1016;
constexpr Oid kTextArrayOid = 1009;
constexpr Oid kByteaArrayOid = 1001;

void PutInt32(std::string& out, int32_t value) {
  const uint32_t v = static_cast<uint32_t>(value);
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                         static_cast<char>(v)};
  out.append(bytes, 4);
}

std::string BigEndian64(int64_t value) {
  uint64_t be = static_cast<uint64_t>(value);
  char bytes[8];
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(be & 0xFF);
    be >>= 8;
  }
  return std::string(bytes, 8);
}

std::string Trimmed(const char* message) {
  std::string out = message != nullptr ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// Valid UTF-8 without NUL, replacing what PostgreSQL text cannot hold by U+FFFD.
std::string ToPgText(std::string_view text) {
  if (text.find('\0') == std::string_view::npos && core::IsValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    std::string_view piece = text.substr(i, n);
    if (piece.size() == n && piece.find('\0') == std::string_view::npos && core::IsValidUtf8(piece)) {
      out.append(piece);
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      i += 1;
    }
  }
  return out;
}

}  // namespace

core::Error ToError(const PGresult* result, PGconn* conn, std::string_view context) {
  const char* state_field = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string state = state_field != nullptr ? state_field : "";
  std::string message = result != nullptr ? Trimmed(PQresultErrorMessage(result)) : "";
  if (message.empty()) message = Trimmed(PQerrorMessage(conn));
  std::string text = std::string(context) + ": " + message + (state.empty() ? "" : " (SQLSTATE " + state + ")");
  if (PQstatus(conn) != CONNECTION_OK || state.empty()) return core::Unavailable(std::move(text));
  if (state == "23505" || state == kStaleHeadState) return core::Conflict(std::move(text));
  const std::string cls = state.substr(0, 2);
  // 08 connection, 53 resources, 57 operator intervention (shutdown, cancel), 58 system error, 40 rollbacks,
  // 55 object not in prerequisite state (lock not available), 25 invalid transaction state (read-only standby).
  if (cls == "08" || cls == "53" || cls == "57" || cls == "58" || cls == "40" || cls == "55" || cls == "25") {
    return core::Unavailable(std::move(text));
  }
  if (cls == "22") return core::Invalid(std::move(text));
  if (cls == "XX") return core::Corrupt(std::move(text));
  return core::Internal(std::move(text));
}

Params& Params::Int(int64_t value) {
  values_.push_back(BigEndian64(value));
  null_.push_back(false);
  types_.push_back(kInt8Oid);
  return *this;
}

Params& Params::OptionalInt(const std::optional<int64_t>& value) {
  if (value.has_value()) return Int(*value);
  values_.emplace_back();
  null_.push_back(true);
  types_.push_back(kInt8Oid);
  return *this;
}

Params& Params::Text(std::string_view value) {
  values_.push_back(ToPgText(value));
  null_.push_back(false);
  types_.push_back(kTextOid);
  return *this;
}

Params& Params::Bytes(std::string_view value) {
  values_.emplace_back(value);
  null_.push_back(false);
  types_.push_back(kByteaOid);
  return *this;
}

Params& Params::OptionalBytes(const std::optional<std::string_view>& value) {
  if (value.has_value()) return Bytes(*value);
  values_.emplace_back();
  null_.push_back(true);
  types_.push_back(kByteaOid);
  return *this;
}

void Params::Array::Element(std::string_view bytes) {
  PutInt32(elements_, static_cast<int32_t>(bytes.size()));
  elements_.append(bytes);
  ++count_;
}

Params::Array& Params::Array::Int(int64_t value) {
  INCIDENTD_CHECK(of_ == Of::kInt);
  Element(BigEndian64(value));
  return *this;
}

Params::Array& Params::Array::OptionalInt(const std::optional<int64_t>& value) {
  if (value.has_value()) return Int(*value);
  INCIDENTD_CHECK(of_ == Of::kInt);
  PutInt32(elements_, -1);
  ++count_;
  has_null_ = true;
  return *this;
}

Params::Array& Params::Array::Text(std::string_view value) {
  INCIDENTD_CHECK(of_ == Of::kText);
  Element(ToPgText(value));
  return *this;
}

Params::Array& Params::Array::Bytes(std::string_view value) {
  INCIDENTD_CHECK(of_ == Of::kBytes);
  Element(value);
  return *this;
}

Params& Params::Add(const Array& array) {
  // Binary array form: dimensions, has-nulls flag, element type, then per dimension its length and lower bound.
  Oid element = kInt8Oid;
  Oid type = kInt8ArrayOid;
  if (array.of_ == Array::Of::kText) {
    element = kTextOid;
    type = kTextArrayOid;
  } else if (array.of_ == Array::Of::kBytes) {
    element = kByteaOid;
    type = kByteaArrayOid;
  }
  std::string out;
  out.reserve(20 + array.elements_.size());
  PutInt32(out, array.count_ == 0 ? 0 : 1);
  PutInt32(out, array.has_null_ ? 1 : 0);
  PutInt32(out, static_cast<int32_t>(element));
  if (array.count_ > 0) {
    PutInt32(out, static_cast<int32_t>(array.count_));
    PutInt32(out, 1);
  }
  out.append(array.elements_);
  values_.push_back(std::move(out));
  null_.push_back(false);
  types_.push_back(type);
  return *this;
}

int64_t Rows::Int(int row, int column) {
  if (IsNull(row, column)) {
    bad_ = true;
    return 0;
  }
  const char* v = PQgetvalue(result_.get(), row, column);
  int len = PQgetlength(result_.get(), row, column);
  if (len == 8) {
    uint64_t out = 0;
    for (int i = 0; i < 8; ++i) out = (out << 8) | static_cast<unsigned char>(v[i]);
    return static_cast<int64_t>(out);
  }
  if (len == 4) {
    uint32_t out = 0;
    for (int i = 0; i < 4; ++i) out = (out << 8) | static_cast<unsigned char>(v[i]);
    return static_cast<int32_t>(out);
  }
  bad_ = true;
  return 0;
}

uint64_t Rows::U64(int row, int column) {
  int64_t v = Int(row, column);
  if (v < 0) {
    bad_ = true;
    return 0;
  }
  return static_cast<uint64_t>(v);
}

std::string Rows::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

core::Status Rows::Check(std::string_view what) const {
  if (bad_) return core::Corrupt(std::string(what) + ": stored value out of range");
  return core::Ok();
}

core::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url, const std::string& schema,
                                                           const std::string& application_name) {
  // Defaults first: the URL's own settings override them (expand_dbname).
  const char* keys[] = {"connect_timeout",     "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "application_name",    "dbname",          nullptr};
  const char* values[] = {"5", "10", "5", "3", application_name.c_str(), url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) return core::Unavailable("connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return core::Unavailable("connect to PostgreSQL: " + message);
  }
  // Notices ("schema already exists, skipping") are not errors, and stderr is not the place for them.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  std::unique_ptr<Connection> c(new Connection(conn, schema));
  if (auto st = c->Setup(); !st.ok()) return st.error();
  return c;
}

Connection::~Connection() { PQfinish(conn_); }

core::Status Connection::Setup() {
  // Durability is the COMMIT's answer, whatever the server's default; text is exchanged as UTF-8.
  std::string sql = "SET synchronous_commit TO on; SET client_encoding TO 'UTF8'";
  if (!schema_.empty()) sql += "; SET search_path TO " + QuoteIdentifier(schema_);
  PGresult* res = PQexec(conn_, sql.c_str());
  core::Status st = PQresultStatus(res) == PGRES_COMMAND_OK ? core::Ok() : core::Status(ToError(res, conn_, "set up session"));
  PQclear(res);
  return st;
}

core::Status Connection::EnsureConnected(std::string_view context) {
  if (PQstatus(conn_) == CONNECTION_OK) return core::Ok();
  prepared_.clear();  // a new session has none
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return core::Unavailable(std::string(context) + ": reconnect to PostgreSQL: " + Trimmed(PQerrorMessage(conn_)));
  }
  ++session_;
  return Setup();
}

core::Status Connection::Exec(std::string_view sql, std::string_view context) {
  if (auto st = EnsureConnected(context); !st.ok()) return st;
  PGresult* res = PQexec(conn_, std::string(sql).c_str());
  ExecStatusType status = PQresultStatus(res);
  core::Status st = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? core::Ok()
                                                                              : core::Status(ToError(res, conn_, context));
  PQclear(res);
  return st;
}

namespace {

struct Wire {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
};

Wire ToWire(const std::vector<std::string>& values, const std::vector<bool>& null) {
  Wire w;
  for (size_t i = 0; i < values.size(); ++i) {
    w.values.push_back(null[i] ? nullptr : values[i].data());
    w.lengths.push_back(static_cast<int>(values[i].size()));
    w.formats.push_back(1);
  }
  return w;
}

}  // namespace

core::Result<Rows> Connection::Query(const std::string& sql, const Params& params, std::string_view context) {
  if (auto st = EnsureConnected(context); !st.ok()) return st.error();
  Wire w = ToWire(params.values_, params.null_);
  PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), params.types_.data(),
                               w.values.data(), w.lengths.data(), w.formats.data(), 1);
  ExecStatusType status = PQresultStatus(res);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    core::Error error = ToError(res, conn_, context);
    PQclear(res);
    return error;
  }
  return Rows(res);
}

core::Status Connection::Pipeline(const std::vector<Statement>& statements, std::string_view context,
                                  size_t* failed_index, uint64_t expected_session) {
  if (auto st = EnsureConnected(context); !st.ok()) return st;
  if (expected_session != 0 && expected_session != session_) {
    if (failed_index != nullptr) *failed_index = 0;
    return core::Conflict(std::string(context) +
                          ": this node no longer holds the writer lock (its PostgreSQL session was lost)");
  }
  if (PQenterPipelineMode(conn_) != 1) return ToError(nullptr, conn_, context);
  core::Status first_error = core::Ok();
  // What was sent, in order: each yields its result(s) and then NULL. A named statement not yet prepared in this
  // session is prepared first, in the same pipeline.
  struct Sent {
    size_t statement;
    bool prepare;
  };
  std::vector<Sent> sent;
  sent.reserve(statements.size() + 4);
  std::set<std::string> preparing;
  bool ok = true;
  for (size_t i = 0; i < statements.size() && ok; ++i) {
    const Statement& s = statements[i];
    const int n = static_cast<int>(s.params.size());
    if (!s.name.empty() && !prepared_.contains(s.name) && preparing.insert(s.name).second) {
      ok = PQsendPrepare(conn_, s.name.c_str(), s.sql.c_str(), n, s.params.types_.data()) == 1;
      sent.push_back({i, true});
      if (!ok) break;
    }
    Wire w = ToWire(s.params.values_, s.params.null_);
    if (s.name.empty()) {
      ok = PQsendQueryParams(conn_, s.sql.c_str(), n, s.params.types_.data(), w.values.data(), w.lengths.data(),
                             w.formats.data(), 1) == 1;
    } else {
      ok = PQsendQueryPrepared(conn_, s.name.c_str(), n, w.values.data(), w.lengths.data(), w.formats.data(), 1) == 1;
    }
    sent.push_back({i, false});
  }
  if (!ok || PQpipelineSync(conn_) != 1) {
    first_error = ToError(nullptr, conn_, context);
    PQexitPipelineMode(conn_);
    if (failed_index != nullptr) *failed_index = statements.size();
    return first_error;
  }
  // Each statement yields its result and then NULL; the sync yields PGRES_PIPELINE_SYNC.
  size_t index = 0;
  bool synced = false;
  while (!synced) {
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {
      if (PQstatus(conn_) != CONNECTION_OK) break;  // the session died mid-pipeline
      ++index;
      continue;
    }
    ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_PIPELINE_SYNC) {
      synced = true;
    } else if (status == PGRES_FATAL_ERROR && first_error.ok()) {
      first_error = ToError(res, conn_, context);
      if (failed_index != nullptr) *failed_index = index < sent.size() ? sent[index].statement : statements.size();
    } else if (status == PGRES_COMMAND_OK && index < sent.size() && sent[index].prepare) {
      prepared_.insert(statements[sent[index].statement].name);
    }
    PQclear(res);
  }
  if (!synced && first_error.ok()) {
    first_error = ToError(nullptr, conn_, context);
    if (failed_index != nullptr) *failed_index = index < sent.size() ? sent[index].statement : statements.size();
  }
  PQexitPipelineMode(conn_);
  // An error inside BEGIN ... COMMIT leaves the explicit transaction aborted; end it so the session is usable.
  if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    PQclear(PQexec(conn_, "ROLLBACK"));
  }
  // After a failure, which names the session holds is uncertain: start over with none.
  if (!first_error.ok() && !prepared_.empty() && PQstatus(conn_) == CONNECTION_OK) {
    PQclear(PQexec(conn_, "DEALLOCATE ALL"));
    prepared_.clear();
  }
  if (PQstatus(conn_) != CONNECTION_OK) prepared_.clear();
  return first_error;
}

core::Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
    if (open_ < max_open_) {
      ++open_;
      lock.unlock();
      auto opened = Connection::Open(url_, schema_);
      if (!opened.ok()) {
        lock.lock();
        --open_;
        released_.notify_one();
        return opened.error();
      }
      return Lease(this, std::move(opened).value());
    }
    released_.wait(lock);
  }
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    if (connection->broken()) {
      --open_;  // dropped: the next Acquire connects afresh
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  released_.notify_one();
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace store::postgres
