#include "operator/agent/restore_decision.h"

namespace lifeboat::agent {

StatusOr<DatabaseRestoreMode> ParseDatabaseRestoreMode(const std::string& text) {
  if (text == "NewDatabase") return DatabaseRestoreMode::kNewDatabase;
  if (text == "Replace") return DatabaseRestoreMode::kReplace;
  return InvalidArgumentError("--mode must be NewDatabase or Replace, got \"" + text + "\"");
}

StatusOr<MediaRestoreMode> ParseMediaRestoreMode(const std::string& text) {
  if (text == "Merge") return MediaRestoreMode::kMerge;
  if (text == "Replace") return MediaRestoreMode::kReplace;
  return InvalidArgumentError("--media-mode must be Merge or Replace, got \"" + text + "\"");
}

StatusOr<ReplaceStrategy> ParseReplaceStrategy(const std::string& text) {
  if (text == "Swap") return ReplaceStrategy::kSwap;
  if (text == "InPlace") return ReplaceStrategy::kInPlace;
  return InvalidArgumentError("--strategy must be Swap or InPlace, got \"" + text + "\"");
}

StatusOr<TargetAction> DecideTargetDatabase(DatabaseRestoreMode mode, ReplaceStrategy strategy, const std::string& target,
                                            bool target_exists, bool safety_backup_done) {
  if (mode == DatabaseRestoreMode::kNewDatabase) {
    if (target_exists) {
      return FailedPreconditionError("target database \"" + target +
                                     "\" already exists; NewDatabase never overwrites: choose another name or use Replace");
    }
    return TargetAction::kStage;
  }
  if (strategy == ReplaceStrategy::kSwap) return TargetAction::kStage;
  if (!safety_backup_done) {
    return FailedPreconditionError("Replace drops database \"" + target +
                                   "\": it runs only after the safety backup, confirmed with --safety-backup-done");
  }
  return target_exists ? TargetAction::kDropAndCreate : TargetAction::kCreate;
}

}  // namespace lifeboat::agent
