// The engine's follow mode (engine.h: StartFollowing, CatchUp): a node that is not the writer folds the records the
// writer appends, checked link by link, so it can serve reads from its own state and take over from where it is.
#include <chrono>

#include "core/thread_name.h"
#include "engine/engine.h"
#include "engine/journal_tools.h"

namespace engine {
namespace {

// Records folded under one exclusive hold of the state: enough to amortise the lock, short enough that readers
// never wait long behind a follower catching up on a long tail.
constexpr size_t kFoldChunk = 256;

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What the writer publishes for a record is the first timeline line folding it produced (and its incident), else
// Describe's line; this observer catches that line while the record is applied.
class FirstTimelineLine final : public incident::Observer {
 public:
  void AlertChanged(const incident::Alert&, const incident::AlertText*) override {}
  void IncidentChanged(const incident::Incident&) override {}
  void TimelineEntry(uint64_t incident_id, std::string_view, std::string text) override {
    if (incident_id_ != 0) return;
    incident_id_ = incident_id;
    text_ = std::move(text);
  }

  // The record as the writer would have published it.
  Published For(const journal::Record& r) {
    Published p = PublishedFor(r, incident_id_, std::move(text_));
    incident_id_ = 0;
    text_.clear();
    return p;
  }

 private:
  uint64_t incident_id_ = 0;
  std::string text_;
};

}  // namespace

void Engine::StartFollowing(core::Duration poll) {
  {
    std::lock_guard lock(mu_);
    following_ = true;
  }
  follower_ = std::thread([this, poll] {
    core::NameThisThread("follower");
    RunFollower(poll);
  });
}

void Engine::RunFollower(core::Duration poll) {
  for (;;) {
    auto folded = CatchUp();
    if (!folded.ok() && folded.error().code == core::ErrorCode::kCorrupt) {
      // The journal another node wrote does not verify: serving from it, or taking over from it, would spread
      // the damage. Stop here and let the process report it.
      Fail(folded.error().WithContext("follow the journal"));
      return;
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, poll, [&] { return stopping_; })) return;
  }
}

core::Result<uint64_t> Engine::CatchUp() {
  bool want_published;
  {
    std::lock_guard lock(sub_mu_);
    want_published = !subscribers_.empty();
  }
  journal::Verifier verifier(chain_.last_seq(), chain_.last_hash());
  std::vector<journal::Record> verified;  // checked, not applied yet
  uint64_t folded = 0;

  // Applies the verified records in one hold of the state, then tells the subscribers.
  auto fold = [&]() -> core::Status {
    if (verified.empty()) return core::Ok();
    std::vector<Published> published;
    FirstTimelineLine line;
    core::Status st = core::Ok();
    {
      std::unique_lock turn(turnstile_);
      std::unique_lock state_lock(state_mu_);
      turn.unlock();
      for (const journal::Record& r : verified) {
        st = ApplyRecord(state_, r, want_published ? &line : nullptr);
        if (!st.ok()) {
          st = st.error().WithContext("apply record " + std::to_string(r.seq));
          break;
        }
        chain_ = journal::Chain(r.seq, r.hash);
        if (r.time > last_time_) last_time_ = r.time;
        if (want_published) published.push_back(line.For(r));
        ++folded;
      }
      UpdateStateStats();
    }
    verified.clear();
    stats_.last_seq = chain_.last_seq();
    stats_.records = chain_.last_seq();
    if (!published.empty()) {
      std::lock_guard lock(sub_mu_);
      for (auto& [id, sub] : subscribers_) sub(published);
    }
    if (!st.ok()) return core::Corrupt(st.error().message);
    return core::Ok();
  };

  core::Status scanned = store_.ScanJournal(chain_.last_seq(), [&](const StoredRecord& stored) -> core::Status {
    auto rec = verifier.Next(stored.bytes, stored.hash);
    if (!rec.ok()) return rec.error();
    verified.push_back(std::move(rec).value());
    if (verified.size() >= kFoldChunk) return fold();
    return core::Ok();
  });
  // What verified before a failure is as good as any other record: fold it, so the state stops right before the
  // record at fault (or where the store went away).
  core::Status tail = fold();
  if (!scanned.ok()) return scanned.error().WithContext("journal");
  if (!tail.ok()) return tail.error().WithContext("journal");
  stats_.followed_at_ms = SteadyMillis();
  return folded;
}

}  // namespace engine
