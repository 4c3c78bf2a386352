// A closed-loop HTTP/1.1 load generator for one thread: N keep-alive connections, each sending its next request as
// soon as the previous answer is read, with a body made per request from a template. It costs a few µs of CPU per
// request, so on a small machine the server under test keeps most of the cores (wrk with a Lua `request()` takes
// about 20 µs per request here). Prints throughput, status counts, latency percentiles and its own CPU per request.
//   http_load --url http://127.0.0.1:PORT/v2/enqueue --connections 16 --seconds 10
//             --header 'Authorization: Bearer …' --body '{"dedup_key":"c{conn}-{seq}","n":{seq%100}}'
// Placeholders in --body: {conn} (connection number), {seq} (the connection's request count), {seq%N}.
// Several --body templates are sent in turn on each connection; {round} counts the turns (request count divided by
// the number of templates) and {round+N} adds N. A steady state of 100,000 open alerts over 16 connections, after
// a first run of `--requests 6250 --body '…"dedup_key":"s{conn}-{seq}"…'`:
//   --body '…"trigger","dedup_key":"s{conn}-{round+6250}"…' --body '…"resolve","dedup_key":"s{conn}-{round}"…'
// --requests N stops each connection after N requests (or at --seconds, whichever comes first).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// One piece of the body template: literal text, or a number computed per request.
struct Piece {
  enum Kind { kText, kConn, kSeq, kSeqMod, kRound } kind = kText;
  std::string text;
  uint64_t mod = 0;  // kSeqMod: the modulus; kRound: the offset added
};

std::vector<Piece> ParseTemplate(std::string_view t) {
  std::vector<Piece> out;
  std::string text;
  while (!t.empty()) {
    size_t open = t.find('{');
    if (open == std::string_view::npos) break;
    text.append(t.substr(0, open + 1));  // a '{' that starts no placeholder (JSON) is kept as written
    t.remove_prefix(open + 1);
    size_t close = t.find('}');
    if (close == std::string_view::npos) continue;
    std::string_view name = t.substr(0, close);
    Piece p;
    if (name == "conn") {
      p.kind = Piece::kConn;
    } else if (name == "seq") {
      p.kind = Piece::kSeq;
    } else if (name.starts_with("seq%")) {
      auto digits = name.substr(4);
      if (std::from_chars(digits.data(), digits.data() + digits.size(), p.mod).ec == std::errc() && p.mod > 0) {
        p.kind = Piece::kSeqMod;
      }
    } else if (name == "round") {
      p.kind = Piece::kRound;
    } else if (name.starts_with("round+")) {
      auto digits = name.substr(6);
      if (std::from_chars(digits.data(), digits.data() + digits.size(), p.mod).ec == std::errc()) {
        p.kind = Piece::kRound;
      }
    }
    if (p.kind == Piece::kText) continue;
    text.pop_back();
    out.push_back(Piece{Piece::kText, std::move(text), 0});
    text.clear();
    out.push_back(std::move(p));
    t.remove_prefix(close + 1);
  }
  text.append(t);
  out.push_back(Piece{Piece::kText, std::move(text), 0});
  return out;
}

void AppendNumber(std::string& s, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

struct Target {
  std::string host;
  uint16_t port = 0;
  std::string path;
};

bool ParseUrl(std::string_view url, Target& t) {
  if (!url.starts_with("http://")) return false;
  url.remove_prefix(7);
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  t.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return false;
  t.host = std::string(authority.substr(0, colon));
  unsigned port = 0;
  auto ps = authority.substr(colon + 1);
  if (std::from_chars(ps.data(), ps.data() + ps.size(), port).ec != std::errc() || port == 0 || port > 65535) {
    return false;
  }
  t.port = static_cast<uint16_t>(port);
  return true;
}

struct Connection {
  int fd = -1;
  unsigned number = 0;
  uint64_t seq = 0;
  std::string out;  // the request being sent
  size_t sent = 0;
  std::string in;   // the answer being read
  Clock::time_point started;
};

// A complete answer at the front of a connection's input: its length (0 while incomplete, -1 when it cannot be
// read: this tool only speaks to servers that send Content-Length), its status code, and whether the server
// closes the connection after it.
struct Answer {
  long length = 0;
  int status = 0;
  bool close = false;
};

Answer CompleteAnswer(const std::string& in) {
  Answer a;
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) {
    a.length = in.size() > 65536 ? -1 : 0;
    return a;
  }
  a.length = -1;
  if (in.size() < 12 || in.compare(0, 5, "HTTP/") != 0) return a;
  a.status = std::atoi(in.c_str() + 9);
  long content_length = -1;
  size_t line = in.find("\r\n") + 2;
  while (line < end) {
    size_t next = in.find("\r\n", line);
    std::string_view h(in.data() + line, next - line);
    if (h.size() > 15 && strncasecmp(h.data(), "content-length:", 15) == 0) {
      content_length = std::atol(std::string(h.substr(15)).c_str());
    } else if (h.size() >= 17 && strncasecmp(h.data(), "connection:", 11) == 0 &&
               h.find("close") != std::string_view::npos) {
      a.close = true;
    }
    line = next + 2;
  }
  if (content_length < 0) return a;
  size_t total = end + 4 + static_cast<size_t>(content_length);
  a.length = in.size() >= total ? static_cast<long>(total) : 0;
  return a;
}

// The p-th percentile of latencies in ns, in ms.
double PercentileMs(std::vector<uint32_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k] / 1e6;
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Closed-loop HTTP/1.1 load generator (one thread, keep-alive connections)."};
  std::string url, method = "POST";
  std::vector<std::string> headers, bodies;
  unsigned connections = 16;
  double seconds = 10;
  uint64_t requests = 0;
  app.add_option("--url", url, "http://HOST:PORT/PATH (a numeric IPv4 host)")->required();
  app.add_option("--connections,-c", connections, "keep-alive connections, each with one request in flight")
      ->check(CLI::Range(1u, 4096u));
  app.add_option("--seconds,-d", seconds, "how long to send")->check(CLI::Range(0.1, 86400.0));
  app.add_option("--method", method, "request method");
  app.add_option("--header,-H", headers, "a request header, 'Name: value' (repeatable)");
  app.add_option("--body", bodies,
                 "body template: {conn}, {seq}, {seq%N}, {round} and {round+N} are filled in per request; repeated, "
                 "the templates are sent in turn");
  app.add_option("--requests", requests, "requests per connection, then it stops (0: until --seconds)");
  CLI11_PARSE(app, argc, argv);

  Target target;
  if (!ParseUrl(url, target)) {
    std::fprintf(stderr, "http_load: --url must be http://IPv4:PORT/PATH, got %s\n", url.c_str());
    return 2;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(target.port);
  if (inet_pton(AF_INET, target.host.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "http_load: %s is not a numeric IPv4 address\n", target.host.c_str());
    return 2;
  }
  std::string head = method + " " + target.path + " HTTP/1.1\r\nHost: " + target.host + ":" +
                     std::to_string(target.port) + "\r\n";
  for (const auto& h : headers) head += h + "\r\n";
  if (!bodies.empty() && std::none_of(headers.begin(), headers.end(), [](const std::string& h) {
        return strncasecmp(h.c_str(), "content-type:", 13) == 0;
      })) {
    head += "Content-Type: application/json\r\n";
  }
  head += "Content-Length: ";
  std::vector<std::vector<Piece>> templates;
  for (const auto& b : bodies) templates.push_back(ParseTemplate(b));
  if (templates.empty()) templates.push_back(ParseTemplate(""));

  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<Connection> conns(connections);
  std::string scratch;
  auto make_request = [&](Connection& c) {
    scratch.clear();
    const uint64_t round = c.seq / templates.size();
    for (const auto& p : templates[c.seq % templates.size()]) {
      switch (p.kind) {
        case Piece::kText: scratch += p.text; break;
        case Piece::kConn: AppendNumber(scratch, c.number); break;
        case Piece::kSeq: AppendNumber(scratch, c.seq); break;
        case Piece::kSeqMod: AppendNumber(scratch, c.seq % p.mod); break;
        case Piece::kRound: AppendNumber(scratch, round + p.mod); break;
      }
    }
    c.out.assign(head);
    AppendNumber(c.out, scratch.size());
    c.out += "\r\n\r\n";
    c.out += scratch;
    c.sent = 0;
    ++c.seq;
  };
  // Sends what the socket takes; true while the connection is usable.
  auto send_some = [](Connection& c) {
    while (c.sent < c.out.size()) {
      ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN;
      c.sent += static_cast<size_t>(n);
    }
    return true;
  };

  // Level-triggered: EPOLLIN always, EPOLLOUT only while a request is partly sent.
  auto watch = [&](Connection& c, bool out, int op) {
    epoll_event ev{};
    ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
    ev.data.u32 = c.number - 1;
    return epoll_ctl(ep, op, c.fd, &ev) == 0;
  };
  auto open_connection = [&](Connection& c) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (c.fd < 0 || setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        ::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        fcntl(c.fd, F_SETFL, O_NONBLOCK) != 0 || !watch(c, false, EPOLL_CTL_ADD)) {
      std::fprintf(stderr, "http_load: connect %s:%u: %s\n", target.host.c_str(), target.port, std::strerror(errno));
      if (c.fd >= 0) ::close(c.fd);
      c.fd = -1;
      return false;
    }
    c.in.clear();
    return true;
  };
  for (unsigned i = 0; i < connections; ++i) {
    conns[i].number = i + 1;
    if (!open_connection(conns[i])) return 1;
  }

  std::vector<uint32_t> latencies_ns;
  latencies_ns.reserve(1 << 20);
  std::map<int, uint64_t> statuses;
  uint64_t errors = 0;
  unsigned open = connections;
  auto drop = [&](Connection& c, bool error) {
    errors += error ? 1 : 0;
    ::close(c.fd);
    c.fd = -1;
    --open;
  };
  // Starts the connection's next request; false when the connection had to be dropped.
  auto start_request = [&](Connection& c, Clock::time_point now) {
    make_request(c);
    c.started = now;
    if (!send_some(c)) {
      drop(c, true);
      return false;
    }
    if (c.sent < c.out.size() && !watch(c, true, EPOLL_CTL_MOD)) {
      drop(c, true);
      return false;
    }
    return true;
  };
  const double cpu0 = CpuSeconds();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(seconds));
  for (auto& c : conns) start_request(c, Clock::now());
  std::vector<epoll_event> events(connections);
  char buf[16384];
  while (open > 0) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    Clock::time_point now = Clock::now();
    const bool sending = now < deadline;
    for (int e = 0; e < n; ++e) {
      Connection& c = conns[events[e].data.u32];
      if (c.fd < 0) continue;
      if ((events[e].events & EPOLLOUT) && c.sent < c.out.size()) {
        if (!send_some(c)) {
          drop(c, true);
          continue;
        }
        if (c.sent == c.out.size() && !watch(c, false, EPOLL_CTL_MOD)) {
          drop(c, true);
          continue;
        }
      }
      if (!(events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) {  // closed or reset with a request outstanding
        drop(c, true);
        continue;
      }
      c.in.append(buf, static_cast<size_t>(r));
      Answer answer = CompleteAnswer(c.in);
      if (answer.length < 0) {
        drop(c, true);
        continue;
      }
      if (answer.length == 0) continue;
      now = Clock::now();
      latencies_ns.push_back(static_cast<uint32_t>(
          std::min<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.started).count(),
                            UINT32_MAX)));
      ++statuses[answer.status];
      c.in.erase(0, static_cast<size_t>(answer.length));
      if (!sending || (requests != 0 && c.seq >= requests)) {
        drop(c, false);
        continue;
      }
      if (answer.close) {  // the server ends the connection after this answer: open a new one, as a client would
        ::close(c.fd);
        if (!open_connection(c)) {
          --open;
          ++errors;
          continue;
        }
      }
      start_request(c, now);
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu0;
  uint64_t total = latencies_ns.size(), non2xx = 0;
  for (auto [s, count] : statuses) {
    if (s < 200 || s > 299) non2xx += count;
  }
  std::printf("requests %llu in %.2f s: %.0f requests/s, non-2xx %llu, socket errors %llu\n",
              static_cast<unsigned long long>(total), elapsed, static_cast<double>(total) / elapsed,
              static_cast<unsigned long long>(non2xx), static_cast<unsigned long long>(errors));
  std::printf("status");
  for (auto [s, count] : statuses) std::printf(" %d: %llu", s, static_cast<unsigned long long>(count));
  std::printf("\n");
  // Latencies are kept in ns (to 4.29 s), printed in ms.
  auto pct = [&](double p) { return PercentileMs(latencies_ns, p); };
  double p50 = pct(50), p90 = pct(90), p99 = pct(99), p999 = pct(99.9);
  double max = latencies_ns.empty() ? 0 : *std::max_element(latencies_ns.begin(), latencies_ns.end()) / 1e6;
  std::printf("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n", p50, p90, p99, p999,
              max);
  std::printf("load generator CPU %.2f s, %.1f us per request\n", cpu,
              total ? cpu * 1e6 / static_cast<double>(total) : 0.0);
  ::close(ep);
  return errors == 0 ? 0 : 1;
}
