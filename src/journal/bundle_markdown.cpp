// The bundle for people. Everything here comes from the Bundle, so a Markdown file says no more than the JSON one
// that `incidentctl journal verify --bundle` checks.
#include <sstream>

#include "journal/bundle.h"

namespace journal {
namespace {

// Text from the journal inside a table cell or a sentence: one line, no table breaks, no markup or raw HTML.
std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\n':
      case '\r':
      case '\t':
        out.push_back(' ');
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\\':
      case '|':
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '#':
        out.push_back('\\');
        out.push_back(c);
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Code(const Hash& h) { return "`" + HashHex(h) + "`"; }

}  // namespace

std::string BundleMarkdown(const Bundle& b) {
  std::ostringstream md;
  uint64_t own = 0;
  for (const BundleEntry& e : b.entries) own += e.redacted ? 0 : 1;
  const BundleEntry* first = b.entries.empty() ? nullptr : &b.entries.front();
  const BundleEntry* last = b.entries.empty() ? nullptr : &b.entries.back();

  md << "# Incident " << b.incident.id << ": " << Escape(b.incident.title) << "\n\n";
  md << "| | |\n|---|---|\n";
  md << "| Service | " << Escape(b.incident.service) << " |\n";
  md << "| Severity | " << Escape(b.incident.severity) << " |\n";
  md << "| State at export | " << Escape(b.incident.state) << " |\n";
  md << "| Exported | " << core::FormatRfc3339(b.exported_at) << " by " << Escape(b.exporter) << " |\n";
  if (first != nullptr) {
    md << "| Journal segment | records " << first->record.seq << " to " << last->record.seq << ": "
       << b.entries.size() << " records, " << own << " of this incident, " << b.entries.size() - own
       << " redacted |\n";
    md << "| Hash of record " << last->record.seq << " | " << Code(last->record.hash) << " |\n";
  }
  md << "| Journal head at export | record " << b.head.seq << ", " << Code(b.head.hash) << " |\n";
  md << "| Bundle digest | " << Code(b.digest) << " |\n\n";

  md << "## Summary\n\n";
  if (first != nullptr) {
    md << "Incident " << b.incident.id << " (" << Escape(b.incident.service) << ", " << Escape(b.incident.severity)
       << ") was " << Escape(b.incident.state) << " when " << Escape(b.exporter) << " exported it. Its " << own
       << " journal records run from record " << first->record.seq << " ("
       << core::FormatRfc3339(first->record.time) << ") to record " << last->record.seq << " ("
       << core::FormatRfc3339(last->record.time) << "). The " << b.entries.size() - own
       << " records between them that belong to other incidents or to no incident are listed by their hashes only.\n\n";
  }

  md << "## Timeline\n\n| Seq | Time | Actor | Type | Summary |\n|---|---|---|---|---|\n";
  for (const BundleEntry& e : b.entries) {
    if (e.redacted) continue;
    md << "| " << e.record.seq << " | " << core::FormatRfc3339(e.record.time) << " | " << Escape(e.record.actor)
       << " | " << Escape(e.description.type_name) << " | " << Escape(e.description.summary) << " |\n";
  }

  md << "\n## Hashes\n\nEach record's previous hash is the hash of the record before it; the first one's is the hash "
        "of record "
     << b.anchor_in.seq << ", " << Code(b.anchor_in.hash) << ".\n\n";
  md << "| Seq | Record | Previous hash | Hash |\n|---|---|---|---|\n";
  for (size_t i = 0; i < b.entries.size(); ++i) {
    const BundleEntry& e = b.entries[i];
    if (!e.redacted) {
      md << "| " << e.record.seq << " | " << Escape(e.description.type_name) << " | " << Code(e.record.prev) << " | "
         << Code(e.record.hash) << " |\n";
      continue;
    }
    // A run of redacted records in one row: the previous hash of its first, the hash of its last.
    size_t j = i;
    while (j + 1 < b.entries.size() && b.entries[j + 1].redacted) ++j;
    const uint64_t n = j - i + 1;
    md << "| " << e.record.seq;
    if (n > 1) md << "–" << b.entries[j].record.seq;
    md << " | redacted (" << n << (n == 1 ? " record" : " records") << ") | " << Code(e.record.prev) << " | "
       << Code(b.entries[j].record.hash) << " |\n";
    i = j;
  }

  md << "\n## Checking it\n\nThis page is a rendering. Check the JSON form of the bundle offline with "
        "`incidentctl journal verify --bundle FILE`, then compare the hash of record "
     << (last != nullptr ? last->record.seq : 0)
     << " above with the live journal's (`incidentctl journal hash "
     << (last != nullptr ? last->record.seq : 0)
     << "`): equal hashes mean every record listed here, redacted or not, is in the journal as shown.\n";
  return md.str();
}

}  // namespace journal
