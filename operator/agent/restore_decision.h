// RestoreDecision: what to do with the target database before pg_restore, decided from the restore
// mode, whether the target exists and whether the caller confirmed the safety backup is done.
//   NewDatabase: create it; refuse when it exists (nothing is touched).
//   Replace:     drop and recreate, only with the safety backup confirmed; refuse otherwise.
// Pure; thread-safe.
#pragma once

#include <string>

#include "operator/core/status.h"

namespace lifeboat::agent {

enum class DatabaseRestoreMode { kNewDatabase, kReplace };
enum class MediaRestoreMode { kMerge, kReplace };

StatusOr<DatabaseRestoreMode> ParseDatabaseRestoreMode(const std::string& text);  // "NewDatabase" | "Replace"
StatusOr<MediaRestoreMode> ParseMediaRestoreMode(const std::string& text);        // "Merge" | "Replace"

enum class TargetAction { kCreate, kDropAndCreate };

// FailedPrecondition (with a message saying what to do) when the restore must not proceed.
StatusOr<TargetAction> DecideTargetDatabase(DatabaseRestoreMode mode, const std::string& target, bool target_exists,
                                            bool safety_backup_done);

}  // namespace lifeboat::agent
