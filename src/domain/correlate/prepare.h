// What the labelled-alert path derives from a posted alert alone, with no state: computed on the thread that parsed
// the request, before the command reaches the single writer, which then has less to do per alert.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/ingest/alertmanager.h"

namespace correlate {

struct Prepared {
  uint64_t fingerprint = 0;  // the label set's (core::LabelSet::Fingerprint)
  std::string content;       // EncodeContent of labels, annotations and generator URL
  std::string details_json;  // the details an incident alert opened for it carries
  std::string summary;       // and that alert's summary and source
  std::string source;
};

// One Prepared per alert, in order.
std::vector<Prepared> Prepare(const std::vector<ingest::PostableAlert>& alerts);

}  // namespace correlate
