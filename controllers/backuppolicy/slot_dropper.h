// DropReplicationSlot: how the BackupPolicy controller releases the replication slot of a policy that
// no longer archives WAL (deleted, or switched to Dump): DROP_REPLICATION_SLOT over a physical
// replication connection, the same access the streamer had (no SQL login, no database needed). A
// slot that does not exist is success (dropped before, or never created). A slot still in use fails
// (the streamer's Pod has not stopped yet): the controller tries again.
#pragma once

#include <string>

#include "controllers/common/pg_endpoint.h"
#include "operator/core/status.h"

namespace lifeboat::controllers::backuppolicy {

Status DropReplicationSlot(const PgEndpoint& server, const std::string& slot);

}  // namespace lifeboat::controllers::backuppolicy
