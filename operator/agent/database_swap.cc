#include "operator/agent/database_swap.h"

namespace lifeboat::agent {
namespace {

using namespace std::chrono_literals;

constexpr char kRestoredPrefix[] = "Restored by Lifeboat RestoreRequest ";
// How long the swap waits for the live database's sessions to end after pg_terminate_backend.
constexpr auto kSessionsGoneTimeout = 10s;
constexpr auto kSessionsPoll = 20ms;

const char* const kStateSql =
    "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), ''), datallowconn::text FROM pg_database "
    "WHERE datname IN ($1, $2, $3)";
const char* const kTerminateSql =
    "SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity "
    "WHERE datname IN ($1, $2) AND pid <> pg_backend_pid()";
const char* const kRemainingSql =
    "SELECT count(*)::text FROM pg_stat_activity WHERE datname IN ($1, $2) AND pid <> pg_backend_pid()";

std::string Rename(const std::string& from, const std::string& to) {
  return "ALTER DATABASE " + QuoteIdentifier(from) + " RENAME TO " + QuoteIdentifier(to);
}
std::string AllowConnections(const std::string& database, bool allow) {
  return "ALTER DATABASE " + QuoteIdentifier(database) + " WITH ALLOW_CONNECTIONS " + (allow ? "true" : "false");
}
std::string Drop(const std::string& database) {
  return "DROP DATABASE IF EXISTS " + QuoteIdentifier(database) + " WITH (FORCE)";
}

int FirstInt(const QueryRows& rows) {
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return 0;
  return std::stoi(*rows[0][0]);
}

// Ends every session of the live and staging databases, waiting until they are gone.
StatusOr<int> EndSessions(PgSession& admin, const SwapNames& names, const SleepFunction& sleep) {
  auto ended = admin.Query(kTerminateSql, {names.live, names.staging});
  if (!ended.ok()) return ended.status();
  for (auto waited = 0ms; waited < kSessionsGoneTimeout; waited += kSessionsPoll) {
    auto remaining = admin.Query(kRemainingSql, {names.live, names.staging});
    if (!remaining.ok()) return remaining.status();
    if (FirstInt(*remaining) == 0) return FirstInt(*ended);
    sleep(kSessionsPoll);
  }
  return UnavailableError("sessions of database " + names.live + " did not end within 10s of pg_terminate_backend");
}

}  // namespace

std::string StagedComment(const std::string& request, const std::string& backup_id) {
  return kRestoredPrefix + request + " from backup " + backup_id;
}

std::string PreviousComment(const std::string& request) {
  return "Replaced by Lifeboat RestoreRequest " + request + "; kept for a rollback";
}

bool IsRestoredBy(const std::optional<std::string>& comment, const std::string& request) {
  return comment && comment->rfind(kRestoredPrefix + request + " ", 0) == 0;
}

StatusOr<SwapState> ReadSwapState(PgSession& admin, const SwapNames& names) {
  auto rows = admin.Query(kStateSql, {names.live, names.staging, names.previous});
  if (!rows.ok()) return rows.status();
  SwapState state;
  for (const auto& row : *rows) {
    if (row.size() < 3 || !row[0]) continue;
    DatabaseInfo info{true, row[1].value_or(""), row[2].value_or("true") == "true"};
    if (*row[0] == names.live) state.live = info;
    if (*row[0] == names.staging) state.staging = info;
    if (*row[0] == names.previous) state.previous = info;
  }
  return state;
}

SwapDecision DecideSwap(const SwapState& state, const SwapNames& names) {
  if (state.live.exists && IsRestoredBy(state.live.comment, names.request) && !state.staging.exists) {
    return {SwapAction::kAlreadySwapped, "Database " + names.live + " already is the restored one"};
  }
  if (!state.staging.exists) {
    return {SwapAction::kRefuse, "The staging database " + names.staging + " does not exist, so there is nothing to swap in; " +
                                     names.live + " was not touched"};
  }
  if (!IsRestoredBy(state.staging.comment, names.request)) {
    return {SwapAction::kRefuse, "Database " + names.staging + " was not staged by RestoreRequest " + names.request +
                                     " (its comment is \"" + state.staging.comment + "\"); nothing was renamed"};
  }
  if (state.previous.exists) {
    return {SwapAction::kRefuse, "Database " + names.previous + " already exists, so " + names.live +
                                     " cannot be kept under that name; nothing was renamed. Rename or drop " +
                                     names.previous + ", then restore again"};
  }
  if (!state.live.exists) {
    return {SwapAction::kInstall, "Database " + names.live + " does not exist: the restored one takes its name"};
  }
  return {SwapAction::kSwap, "Swapping " + names.staging + " in as " + names.live + "; " + names.live + " is kept as " +
                                 names.previous};
}

StatusOr<SwapResult> RunSwap(PgSession& admin, const SwapNames& names, const Clock& clock, const SleepFunction& sleep) {
  auto state = ReadSwapState(admin, names);
  if (!state.ok()) return state.status();
  SwapDecision decision = DecideSwap(*state, names);
  SwapResult result;
  switch (decision.action) {
    case SwapAction::kRefuse:
      return FailedPreconditionError(decision.message);
    case SwapAction::kAlreadySwapped:
      result.swapped = result.already_swapped = true;
      return result;
    case SwapAction::kInstall:
      if (Status s = admin.Execute({Rename(names.staging, names.live)}, true); !s.ok()) return s;
      result.swapped = true;
      return result;
    case SwapAction::kSwap:
      break;
  }
  SteadyTime start = clock.SteadyNow();
  if (Status s = admin.Execute({AllowConnections(names.live, false)}, false); !s.ok()) return s;
  auto ended = EndSessions(admin, names, sleep);
  Status renamed = ended.status();
  if (renamed.ok()) {
    renamed = admin.Execute({Rename(names.live, names.previous), Rename(names.staging, names.live),
                             AllowConnections(names.previous, true),
                             "COMMENT ON DATABASE " + QuoteIdentifier(names.previous) + " IS " +
                                 QuoteLiteral(PreviousComment(names.request))},
                            true);
  }
  if (!renamed.ok()) {
    // Nothing was renamed (one transaction): let the application's connections in again.
    Status reopened = admin.Execute({AllowConnections(names.live, true)}, false);
    return InternalError("swapping " + names.staging + " in as " + names.live + " failed, nothing was renamed" +
                         (reopened.ok() ? " and " + names.live + " accepts connections again: "
                                        : "; " + names.live + " still refuses connections (" + reopened.message() +
                                              "): run ALTER DATABASE " + names.live + " WITH ALLOW_CONNECTIONS true; ") +
                         renamed.message());
  }
  result.swapped = true;
  result.terminated_sessions = *ended;
  result.unavailable_seconds = std::chrono::duration<double>(clock.SteadyNow() - start).count();
  return result;
}

StatusOr<RollbackResult> RunRollback(PgSession& admin, const SwapNames& names, const std::string& keep_as) {
  auto state = ReadSwapState(admin, names);
  if (!state.ok()) return state.status();
  RollbackResult result;
  if (state->live.exists && IsRestoredBy(state->live.comment, names.request) && !state->staging.exists) {
    result.swapped = true;
    result.message = "The swap had completed: " + names.live + " is the restored database and " + names.previous +
                     " the one from before";
    return result;
  }
  std::vector<std::string> statements;
  if (!state->live.exists && state->previous.exists && state->previous.comment == PreviousComment(names.request)) {
    statements.push_back(Rename(names.previous, names.live));  // Put the database from before back.
  }
  if (state->live.exists && !state->live.allows_connections) statements.push_back(AllowConnections(names.live, true));
  if (Status s = admin.Execute(statements, false); !s.ok()) return s;
  if (state->staging.exists && IsRestoredBy(state->staging.comment, names.request)) {
    Status s = keep_as.empty() ? admin.Execute({Drop(names.staging)}, false)
                               : admin.Execute({Rename(names.staging, keep_as)}, false);
    if (!s.ok()) return s;
    result.staging_dropped = true;
    result.kept_as = keep_as;
  }
  result.live_intact = state->live.exists || !statements.empty();
  result.message = result.live_intact ? "Database " + names.live + " is the one from before the restore, untouched and accepting connections"
                                      : "Database " + names.live + " does not exist (it did not before the restore either)";
  if (result.staging_dropped) {
    result.message += keep_as.empty() ? "; the partly restored " + names.staging + " was dropped"
                                      : "; the partly restored database was kept as " + keep_as;
  }
  return result;
}

StatusOr<bool> DropPrevious(PgSession& admin, const SwapNames& names) {
  auto state = ReadSwapState(admin, names);
  if (!state.ok()) return state.status();
  if (!state->previous.exists) return false;
  if (state->previous.comment != PreviousComment(names.request)) {
    return FailedPreconditionError("database " + names.previous + " was not kept by RestoreRequest " + names.request +
                                   " (its comment is \"" + state->previous.comment + "\"); it was not dropped");
  }
  if (Status s = admin.Execute({Drop(names.previous)}, false); !s.ok()) return s;
  return true;
}

}  // namespace lifeboat::agent
