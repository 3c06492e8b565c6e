#include "controllers/common/job_naming.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace lifeboat::controllers {

std::string StableHash(std::string_view text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

namespace {

std::string Sanitize(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    out.push_back(ok ? c : '-');
  }
  return out;
}

std::string TrimDashes(std::string text) {
  while (!text.empty() && text.back() == '-') text.pop_back();
  size_t start = 0;
  while (start < text.size() && text[start] == '-') ++start;
  return text.substr(start);
}

}  // namespace

std::string DeterministicJobName(std::string_view parent, std::string_view run) {
  const std::string full = Sanitize(parent) + "-" + Sanitize(run);
  if (full.size() <= kMaxJobNameLength && full == TrimDashes(full)) return full;
  // "<parent prefix>-<run>-<hash8>" (or a shortened run when the run itself is long).
  const std::string hash = StableHash(std::string(parent) + "\n" + std::string(run)).substr(0, 8);
  std::string run_part = TrimDashes(Sanitize(run));
  if (run_part.size() > 24) run_part = TrimDashes(run_part.substr(0, 24));
  const size_t room = kMaxJobNameLength - hash.size() - run_part.size() - 2;
  std::string parent_part = TrimDashes(TrimDashes(Sanitize(parent)).substr(0, room));
  std::string name = parent_part.empty() ? "" : parent_part + "-";
  if (!run_part.empty()) name += run_part + "-";
  name += hash;
  if (!name.empty() && !(name[0] >= 'a' && name[0] <= 'z') && !(name[0] >= '0' && name[0] <= '9')) name = "j" + name;
  return name.substr(0, kMaxJobNameLength);
}

std::string ScheduledRunPart(WallTime scheduled_time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(scheduled_time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::snprintf(out, sizeof out, "%04d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min);
  return out;
}

std::string OnDemandRunPart(std::string_view token) { return "now-" + StableHash(token).substr(0, 10); }

}  // namespace lifeboat::controllers
