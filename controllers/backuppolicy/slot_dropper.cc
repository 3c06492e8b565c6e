#include "controllers/backuppolicy/slot_dropper.h"

#include <libpq-fe.h>

#include <memory>

namespace lifeboat::controllers::backuppolicy {

Status DropReplicationSlot(const PgEndpoint& server, const std::string& slot) {
  if (slot.empty() || slot.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    return InvalidArgumentError("\"" + slot + "\" is not a replication slot name");
  }
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(
      PQconnectdb(PgConnectionString(server, "lifeboat-operator", /*replication=*/true).c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn.get());
    while (!error.empty() && error.back() == '\n') error.pop_back();
    return UnavailableError("connecting to " + server.Display() + " for replication: " + error);
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), ("DROP_REPLICATION_SLOT \"" + slot + "\"").c_str()),
                                                       &PQclear);
  if (PQresultStatus(result.get()) == PGRES_COMMAND_OK) return Status::Ok();
  const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  if (state != nullptr && std::string(state) == "42704") return Status::Ok();  // undefined_object: no such slot.
  std::string error = PQresultErrorMessage(result.get());
  while (!error.empty() && error.back() == '\n') error.pop_back();
  return UnavailableError("dropping replication slot " + slot + " on " + server.Display() + ": " + error);
}

}  // namespace lifeboat::controllers::backuppolicy
