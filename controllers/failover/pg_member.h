// MemberClient: what the Failover controller asks of each PostgreSQL server of the pair, through a
// fresh libpq connection to its `postgres` database (docs/api.md "Failover" lists the SQL). The
// operator does this work itself rather than in a Job: a switchover's write unavailability is the
// time between fence and switch, and a Job's start alone would cost seconds of it. Probe never fails
// (an unreachable server is a probe that says so); the actions are idempotent. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "controllers/common/pg_endpoint.h"
#include "controllers/failover/failover_decide.h"
#include "operator/core/status.h"

namespace lifeboat::controllers::failover {

// The server and credentials (controllers/common/pg_endpoint.h).
using MemberEndpoint = PgEndpoint;

class MemberClient {
 public:
  virtual ~MemberClient() = default;
  virtual MemberProbe Probe(const MemberEndpoint& server) = 0;
  // default_transaction_read_only on, reload, client sessions terminated, CHECKPOINT.
  virtual Status Fence(const MemberEndpoint& server) = 0;
  // default_transaction_read_only reset, reload.
  virtual Status Unfence(const MemberEndpoint& server) = 0;
  // Ends every client session but ours (before a promotion: nothing may slip past the fence).
  virtual Status TerminateClients(const MemberEndpoint& server) = 0;
  // A physical replication slot, unless one of that name exists; then CHECKPOINT, so pg_rewind
  // sees the promoted server's new timeline in its control file.
  virtual Status CreateSlot(const MemberEndpoint& server, const std::string& slot) = 0;
  // pg_promote(wait => true); a server already out of recovery is success.
  virtual Status Promote(const MemberEndpoint& server) = 0;
};

std::unique_ptr<MemberClient> NewPqxxMemberClient();


}  // namespace lifeboat::controllers::failover
