#include "controllers/failover/pg_member.h"

#include <pqxx/pqxx>

#include <chrono>
#include <thread>

#include "operator/agent/pqxx_pg_session.h"

namespace lifeboat::controllers::failover {
namespace {

constexpr char kTerminateClients[] =
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";

class PqxxMemberClient final : public MemberClient {
 public:
  MemberProbe Probe(const MemberEndpoint& server) override {
    MemberProbe probe;
    try {
      pqxx::connection conn(PgConnectionString(server, "lifeboat-failover"));
      pqxx::nontransaction tx(conn);
      const pqxx::row r = tx.exec1(
          "SELECT pg_is_in_recovery(), (SELECT system_identifier::text FROM pg_control_system()), "
          "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text ELSE pg_current_wal_lsn()::text END, "
          "pg_last_wal_receive_lsn()::text, current_setting('default_transaction_read_only'), "
          "CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli::text FROM pg_stat_wal_receiver) "
          "ELSE substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END");
      probe.reachable = true;
      probe.in_recovery = r[0].as<bool>();
      probe.system_identifier = r[1].c_str();
      probe.lsn = r[2].is_null() ? "" : r[2].c_str();
      probe.receive_lsn = r[3].is_null() ? "" : r[3].c_str();
      probe.read_only = std::string(r[4].c_str()) == "on";
      probe.timeline = r[5].is_null() ? "" : r[5].c_str();
      if (probe.in_recovery) {
        const pqxx::result w = tx.exec("SELECT status, coalesce(slot_name, ''), coalesce(sender_host, ''), "
                                       "coalesce(sender_port::text, '') FROM pg_stat_wal_receiver");
        if (!w.empty()) {
          probe.receiver_status = w[0][0].c_str();
          probe.receiver_slot = w[0][1].c_str();
          probe.sender = std::string(w[0][2].c_str()) + ":" + w[0][3].c_str();
        }
      } else {
        for (const auto& row : tx.exec("SELECT slot_name, active FROM pg_replication_slots WHERE slot_type = 'physical'")) {
          probe.slots.insert(row[0].c_str());
          if (row[1].as<bool>()) probe.active_slots.insert(row[0].c_str());
        }
        probe.streaming_standbys = tx.exec1("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")[0].as<std::int64_t>();
      }
    } catch (const std::exception& e) {
      const Status status = agent::PqxxErrorToStatus("connecting to " + server.Display(), e);
      probe.reachable = false;
      probe.error = status.message();
      probe.login_refused = status.code() == StatusCode::kPermissionDenied;
    }
    return probe;
  }

  Status Fence(const MemberEndpoint& server) override {
    return Run(server, "fencing", [](pqxx::nontransaction& tx) {
      tx.exec0("ALTER SYSTEM SET default_transaction_read_only = on");
      tx.exec("SELECT pg_reload_conf()");
      // Twice: a session forked while the configuration was being reloaded is ended by the second.
      tx.exec(kTerminateClients);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      tx.exec(kTerminateClients);
      tx.exec0("CHECKPOINT");
    });
  }

  Status Unfence(const MemberEndpoint& server) override {
    return Run(server, "unfencing", [](pqxx::nontransaction& tx) {
      tx.exec0("ALTER SYSTEM RESET default_transaction_read_only");
      tx.exec("SELECT pg_reload_conf()");
    });
  }

  Status TerminateClients(const MemberEndpoint& server) override {
    return Run(server, "ending client sessions", [](pqxx::nontransaction& tx) { tx.exec(kTerminateClients); });
  }

  Status CreateSlot(const MemberEndpoint& server, const std::string& slot) override {
    return Run(server, "creating slot " + slot + " on", [&](pqxx::nontransaction& tx) {
      tx.exec_params("SELECT pg_create_physical_replication_slot($1) WHERE NOT EXISTS "
                     "(SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)",
                     slot);
      // pg_rewind reads the source's timeline from its control file, which a promotion updates only
      // at its next checkpoint: without this it may find "no rewind required" on a diverged target.
      tx.exec0("CHECKPOINT");
    });
  }

  Status Promote(const MemberEndpoint& server) override {
    Status status = Run(server, "promoting", [](pqxx::nontransaction& tx) {
      if (!tx.exec1("SELECT pg_is_in_recovery()")[0].as<bool>()) return;  // Already promoted.
      if (!tx.exec1("SELECT pg_promote(true, 60)")[0].as<bool>()) {
        throw std::runtime_error("pg_promote() did not finish within 60 seconds");
      }
    });
    return status;
  }

 private:
  template <typename Body>
  Status Run(const MemberEndpoint& server, const std::string& action, Body body) {
    try {
      pqxx::connection conn(PgConnectionString(server, "lifeboat-failover"));
      pqxx::nontransaction tx(conn);
      body(tx);
      return Status::Ok();
    } catch (const std::exception& e) {
      return agent::PqxxErrorToStatus(action + " " + server.Display(), e);
    }
  }
};

}  // namespace

std::unique_ptr<MemberClient> NewPqxxMemberClient() { return std::make_unique<PqxxMemberClient>(); }

}  // namespace lifeboat::controllers::failover
