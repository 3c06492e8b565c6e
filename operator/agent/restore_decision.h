// RestoreDecision: where pg_restore writes, decided from the restore mode and strategy, whether the
// target exists and whether the caller confirmed the safety backup is done.
//   NewDatabase:      refuse when the target exists (nothing is touched); else restore into a
//                     staging database that takes the target's name once it is verified, so the
//                     target name never holds a half-restored database.
//   Replace, Swap:    restore into a staging database beside the untouched live one; the swap
//                     (database_swap.h) renames it in later, after the workloads are quiesced.
//   Replace, InPlace: drop and recreate the target (for servers without room for two copies),
//                     only with the safety backup confirmed; refuse otherwise.
// Pure; thread-safe.
#pragma once

#include <string>

#include "operator/core/status.h"

namespace lifeboat::agent {

enum class DatabaseRestoreMode { kNewDatabase, kReplace };
enum class MediaRestoreMode { kMerge, kReplace };
enum class ReplaceStrategy { kSwap, kInPlace };

StatusOr<DatabaseRestoreMode> ParseDatabaseRestoreMode(const std::string& text);  // "NewDatabase" | "Replace"
StatusOr<MediaRestoreMode> ParseMediaRestoreMode(const std::string& text);        // "Merge" | "Replace"
StatusOr<ReplaceStrategy> ParseReplaceStrategy(const std::string& text);          // "Swap" | "InPlace"

enum class TargetAction {
  kStage,          // Restore into the staging database; the target is not touched.
  kCreate,         // InPlace without a target: create it.
  kDropAndCreate,  // InPlace: drop the target, create it empty.
};

// FailedPrecondition (with a message saying what to do) when the restore must not proceed.
StatusOr<TargetAction> DecideTargetDatabase(DatabaseRestoreMode mode, ReplaceStrategy strategy, const std::string& target,
                                            bool target_exists, bool safety_backup_done);

}  // namespace lifeboat::agent
