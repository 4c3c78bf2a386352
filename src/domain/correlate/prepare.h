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
  // The text an incident alert opened for it would carry; only a new alert opens one, so this is optional.
  bool has_text = false;
  std::string details_json;
  std::string summary;
  std::string source;
};

// One Prepared per alert, in order: fingerprint and content, without the text.
std::vector<Prepared> Prepare(const std::vector<ingest::PostableAlert>& alerts);
// Adds the text to `prepared` (Prepare's for `alert`).
void PrepareText(const ingest::PostableAlert& alert, Prepared& prepared);

}  // namespace correlate
