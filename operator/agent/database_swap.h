// DatabaseSwap: the atomic Replace. A restore first fills a staging database beside the live one
// (RestoreRunner); once it is verified and the workloads are quiesced, the swap renames the live
// database to the previous name and the staging one to the live name in ONE transaction
// (PostgreSQL's ALTER DATABASE ... RENAME is transactional), so there is no moment without a
// complete database under the live name. Also the undo of an unfinished swap (rollback) and the
// later removal of the previous database. Databases are recognised by the comment the restore puts
// on them (`COMMENT ON DATABASE`), so nothing of anybody else is ever renamed or dropped.
// The Decide* functions are pure; the Run* functions talk to the server through one PgSession
// (connected to the maintenance database). Not thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "operator/agent/pg_session.h"
#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

struct SwapNames {
  std::string live;      // The database the application uses.
  std::string staging;   // Where the restore put the verified copy.
  std::string previous;  // What the live database is renamed to, kept for a rollback.
  std::string request;   // "<namespace>/<name>" of the RestoreRequest: the marker in the comments.
};

// The comments that mark the databases a restore made or replaced.
std::string StagedComment(const std::string& request, const std::string& backup_id);
std::string PreviousComment(const std::string& request);
// Whether `comment` marks a database restored (staged) by `request`.
bool IsRestoredBy(const std::optional<std::string>& comment, const std::string& request);

// What the server has under each name: the database's comment (nullopt: no such database; "" no
// comment) and whether it accepts connections.
struct DatabaseInfo {
  bool exists = false;
  std::string comment;
  bool allows_connections = true;
};
struct SwapState {
  DatabaseInfo live, staging, previous;
};
StatusOr<SwapState> ReadSwapState(PgSession& admin, const SwapNames& names);

enum class SwapAction {
  kSwap,            // Rename live → previous and staging → live (one transaction).
  kInstall,         // No live database (lost): rename staging → live.
  kAlreadySwapped,  // A previous run committed the swap: nothing to do.
  kRefuse,          // A state the swap must not touch; the message says why and what to do.
};
struct SwapDecision {
  SwapAction action = SwapAction::kRefuse;
  std::string message;
};
SwapDecision DecideSwap(const SwapState& state, const SwapNames& names);

struct SwapResult {
  bool swapped = false;           // The live name now holds the restored database.
  bool already_swapped = false;   // It did before this run.
  int terminated_sessions = 0;    // Sessions of the live database ended for the rename.
  double unavailable_seconds = 0; // From refusing new connections to the committed rename.
};

// Swaps (DecideSwap): refuses new connections to the live database, ends its sessions (the
// workloads are quiesced; anything else still connected is ended), renames in one transaction and
// lets connections in again. Any failure before the commit lets connections into the untouched live
// database again. `sleep` waits between checks for ended sessions; both it and `clock` are injected
// for tests.
using SleepFunction = std::function<void(std::chrono::milliseconds)>;
StatusOr<SwapResult> RunSwap(PgSession& admin, const SwapNames& names, const Clock& clock, const SleepFunction& sleep);

// The undo of a swap or staged restore that did not finish (the restore failed, or its Job was
// killed). It never touches a committed swap.
struct RollbackResult {
  bool swapped = false;          // The swap had committed: the live database is the restored one.
  bool live_intact = false;      // The live database is the one from before the restore, accepting connections.
  bool staging_dropped = false;  // The staging database was dropped (or kept under keep_as).
  std::string kept_as;           // Where the staging database was kept (keep_as), when it was.
  std::string message;           // What the state is now, for the status.
};
// `keep_as`: rename the staging database to this name instead of dropping it (empty: drop it).
StatusOr<RollbackResult> RunRollback(PgSession& admin, const SwapNames& names, const std::string& keep_as);

// Drops the previous database once its retention is over, only when its comment says this request
// replaced it; a missing one is already gone (not an error).
StatusOr<bool> DropPrevious(PgSession& admin, const SwapNames& names);

}  // namespace lifeboat::agent
