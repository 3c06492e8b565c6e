#include "operator/agent/retention.h"

#include <nlohmann/json.hpp>

#include "operator/agent/snapshot_tags.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {

StatusOr<std::vector<std::string>> BuildForgetArgs(const RetentionRules& rules, const std::string& policy) {
  LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("the policy name", policy));
  std::vector<std::string> args{"--tag", Tag(kTagRole, kRoleManifest) + "," + Tag(kTagPolicy, policy), "--group-by", "host"};
  bool any = false;
  auto add = [&](const char* flag, int value, const char* name) -> Status {
    if (value < 0) return InvalidArgumentError(std::string(name) + " must not be negative, got " + std::to_string(value));
    if (value > 0) {
      args.push_back(flag);
      args.push_back(std::to_string(value));
      any = true;
    }
    return Status::Ok();
  };
  LIFEBOAT_RETURN_IF_ERROR(add("--keep-last", rules.keep_last, "keepLast"));
  LIFEBOAT_RETURN_IF_ERROR(add("--keep-hourly", rules.keep_hourly, "keepHourly"));
  LIFEBOAT_RETURN_IF_ERROR(add("--keep-daily", rules.keep_daily, "keepDaily"));
  LIFEBOAT_RETURN_IF_ERROR(add("--keep-weekly", rules.keep_weekly, "keepWeekly"));
  LIFEBOAT_RETURN_IF_ERROR(add("--keep-monthly", rules.keep_monthly, "keepMonthly"));
  LIFEBOAT_RETURN_IF_ERROR(add("--keep-yearly", rules.keep_yearly, "keepYearly"));
  if (!rules.keep_within.empty()) {
    // restic durations: one or more <number><unit> with unit y, m, d or h.
    const std::string& w = rules.keep_within;
    bool digits = false, valid = true;
    for (char c : w) {
      if (c >= '0' && c <= '9') {
        digits = true;
      } else if ((c == 'y' || c == 'm' || c == 'd' || c == 'h') && digits) {
        digits = false;
      } else {
        valid = false;
      }
    }
    if (!valid || digits) {
      return InvalidArgumentError("keepWithin must look like \"7d\" or \"1y6m\" (units y, m, d, h), got \"" + w + "\"");
    }
    args.push_back("--keep-within");
    args.push_back(w);
    any = true;
  }
  if (!any) return InvalidArgumentError("retention has no keep rule: set at least one of keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin");
  return args;
}

StatusOr<ForgetOutcome> ParseForgetOutput(const std::string& json_text) {
  // restic prints one JSON document (an array of groups); tolerate surrounding non-JSON lines.
  auto start = json_text.find('[');
  auto doc = start == std::string::npos ? nlohmann::json() : nlohmann::json::parse(json_text.substr(start), nullptr, false);
  if (doc.is_null()) return ForgetOutcome{};
  if (doc.is_discarded() || !doc.is_array()) return InternalError("restic forget printed something that is not a JSON array");
  ForgetOutcome out;
  auto collect = [](const nlohmann::json& list, std::set<std::string>& into) {
    if (!list.is_array()) return;
    for (const auto& snap : list) {
      if (!snap.contains("tags") || !snap["tags"].is_array()) continue;
      for (const auto& tag : snap["tags"]) {
        std::string t = tag.get<std::string>();
        std::string prefix = std::string(kTagBackup) + "=";
        if (t.rfind(prefix, 0) == 0) into.insert(t.substr(prefix.size()));
      }
    }
  };
  for (const auto& group : doc) {
    if (group.contains("keep")) collect(group["keep"], out.kept_backup_ids);
    if (group.contains("remove")) collect(group["remove"], out.removed_backup_ids);
  }
  return out;
}

std::vector<std::string> SelectDataSnapshotsToForget(const std::vector<ResticSnapshot>& snapshots,
                                                     const std::set<std::string>& removed_backup_ids, WallTime now,
                                                     std::chrono::seconds orphan_grace) {
  std::set<std::string> with_manifest;
  for (const auto& s : snapshots) {
    if (s.TagValue(kTagRole) == kRoleManifest) with_manifest.insert(s.TagValue(kTagBackup));
  }
  std::vector<std::string> out;
  for (const auto& s : snapshots) {
    if (s.TagValue(kTagRole) == kRoleManifest) continue;
    std::string backup = s.TagValue(kTagBackup);
    if (backup.empty()) continue;  // Not written by a Lifeboat run: never ours to remove.
    if (removed_backup_ids.count(backup) != 0 && with_manifest.count(backup) == 0) {
      out.push_back(s.id);
      continue;
    }
    if (with_manifest.count(backup) != 0 || removed_backup_ids.count(backup) != 0) continue;
    auto time = ParseRfc3339(s.time);
    if (time.ok() && now - *time > orphan_grace) out.push_back(s.id);
  }
  return out;
}

}  // namespace lifeboat::agent
