// The SQLite store's write-ahead batch log: each appended batch (records and query rows) is one checksummed frame
// written into one of two preallocated files and made durable by one fdatasync; SQLite receives it afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/store.h"

namespace store::sqlite {

// One appended batch, as the log stores it.
struct LogBatch {
  std::vector<engine::StoredRecord> records;
  engine::Projection projection;
};
std::string EncodeBatch(std::span<const engine::StoredRecord> records, const engine::Projection& projection);
core::Result<LogBatch> DecodeBatch(std::string_view payload);
// The same into `batch`, whose rows are overwritten in place (a reader of many frames allocates only for growth).
// On an error `batch` holds no meaningful content.
core::Status DecodeBatch(std::string_view payload, LogBatch& batch);

// Two files, "<base>.log0" and "<base>.log1", written in turn. A frame is a header (magic, payload length, frame
// number, CRC-32 of number and payload) and the payload. Frame numbers rise by one across the log's whole life, so
// at open the frames still to apply are the run of consecutive numbers after the last one applied; an old frame
// left behind in a reused file, or a torn last frame, ends a run and is never taken for a new one.
//
// A file is written again only once every frame in it is applied and durable in SQLite (the `retire` callback of
// Write), so the log holds at most two files' worth of batches that SQLite does not have yet.
//
// Thread safety: Write from one thread at a time; Sync from any thread, concurrently with Write.
class BatchLog {
 public:
  static constexpr uint64_t kDefaultFileBytes = uint64_t{16} << 20;
  static constexpr size_t kHeaderBytes = 24;

  struct Frame {
    uint64_t number = 0;
    std::string payload;
  };

  // Opens both files, creating and preallocating missing ones, and locks the first so that one process at a time
  // writes them (kUnavailable when another holds the lock, or a file cannot be opened).
  static core::Result<std::unique_ptr<BatchLog>> Open(const std::string& base, uint64_t file_bytes);
  ~BatchLog();

  // The frames numbered after `applied`, in order. kCorrupt when there are some but they do not start right
  // after `applied` (frames are missing), naming the file.
  core::Result<std::vector<Frame>> ReadAfter(uint64_t applied);

  // Writing starts at the beginning of the first file with frame number `next`; every frame numbered below it
  // must already be durable in SQLite.
  void Restart(uint64_t next);

  // Callbacks for Write: `request(n)` asks, without waiting, for frames up to n to be made durable in SQLite;
  // `wait(n)` waits until they are (its error is Write's).
  struct Retire {
    std::function<void(uint64_t)> request;
    std::function<core::Status(uint64_t)> wait;
  };
  // Writes one frame and returns its number. The frame is durable once a Sync that started after it returns ok.
  core::Result<uint64_t> Write(std::string_view payload, const Retire& retire);
  // fdatasync of each file with writes no finished Sync covered. Every frame written before the call is durable
  // when it returns ok, also when another Sync runs at the same time.
  core::Status Sync();

 private:
  BatchLog(std::string base, int fd0, int fd1, uint64_t file_bytes);
  std::string FileName(int i) const;
  core::Status ReadRun(int file, std::vector<Frame>& out);

  const std::string base_;
  const uint64_t file_bytes_;
  int fds_[2] = {-1, -1};
  std::mutex mu_;  // guards the fields below
  int active_ = 0;
  uint64_t offset_ = 0;
  uint64_t next_ = 1;
  uint64_t last_in_[2] = {0, 0};  // the highest frame number written to each file since Restart
  // Per file: writes counted as they complete, and the count a finished fdatasync covered. A Sync syncs a file
  // whose writes outnumber what is known synced, so two Syncs at once each cover what was written before they
  // started, whichever ends first.
  uint64_t written_[2] = {0, 0};
  uint64_t synced_[2] = {0, 0};
};

}  // namespace store::sqlite
