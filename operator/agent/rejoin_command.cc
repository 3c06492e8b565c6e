#include "operator/agent/rejoin_command.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "operator/core/libpq_conninfo.h"

namespace lifeboat::agent {
namespace {

// A value in postgresql.conf: single-quoted, quotes doubled and backslashes escaped (the
// configuration parser reads backslash escapes inside quoted values).
std::string ConfQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\') out += '\\';
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FailedPreconditionError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  return out ? Status::Ok() : FailedPreconditionError("cannot write " + path);
}

// The configuration files pg_rewind would overwrite with the source's.
constexpr const char* kOwnConfiguration[] = {"postgresql.conf", "pg_hba.conf", "pg_ident.conf", "postgresql.auto.conf"};

}  // namespace

std::string StandbySettings(const RejoinCommand& c, const std::string& user, const std::string& password) {
  std::string conninfo = "host=" + QuoteConnInfoValue(c.primary_host) + " port=" + std::to_string(c.primary_port) +
                         " user=" + QuoteConnInfoValue(user) + " password=" + QuoteConnInfoValue(password) +
                         " application_name=" + QuoteConnInfoValue(c.application_name);
  return "# Added by lifeboat agent rejoin: this server follows the new primary.\n"
         "primary_conninfo = " + ConfQuote(conninfo) + "\n" +
         "primary_slot_name = " + ConfQuote(c.slot) + "\n" +
         "recovery_target_timeline = 'latest'\n";
}

AgentResult RunRejoinCommand(const RejoinCommand& c, const CommandContext& context) {
  const WallTime start = context.clock.Now();
  AgentResult result;
  result.command = "rejoin";
  auto fail = [&](Status status, const std::string& reason) {
    result.status = std::move(status);
    result.reason = reason;
    FinishResult(result, start, context);
    return result;
  };
  const auto env = [&](const char* name) {
    auto it = context.environment.find(name);
    return it == context.environment.end() ? std::string() : it->second;
  };
  const std::string user = env("LIFEBOAT_REPLICATION_USER"), password = env("LIFEBOAT_REPLICATION_PASSWORD");
  if (c.data_dir.empty() || c.primary_host.empty() || c.slot.empty() || user.empty()) {
    return fail(InvalidArgumentError("--data-dir, --primary-host, --slot and LIFEBOAT_REPLICATION_USER are required"),
                "InvalidRequest");
  }
  auto version = ReadFile(c.data_dir + "/PG_VERSION");
  if (!version.ok()) return fail(version.status().WithContext("the data folder"), "DataDirectoryNotFound");
  std::string major = *version;
  while (!major.empty() && (major.back() == '\n' || major.back() == ' ')) major.pop_back();
  const std::string bin = c.postgres_root + "/" + major + "/bin";
  std::error_code ec;
  if (!std::filesystem::exists(bin + "/pg_rewind", ec)) {
    return fail(FailedPreconditionError("the data folder is PostgreSQL " + major + ", but this image has no pg_rewind of that version (" +
                                        bin + "/pg_rewind)"),
                "DatabaseVersionUnsupported");
  }

  std::map<std::string, std::string> own;
  for (const char* name : kOwnConfiguration) {
    if (auto text = ReadFile(c.data_dir + "/" + name); text.ok()) own[name] = *text;
  }
  ProcessSpec rewind{{bin + "/pg_rewind", "--target-pgdata=" + c.data_dir,
                      "--source-server=host=" + QuoteConnInfoValue(c.primary_host) + " port=" + std::to_string(c.primary_port) +
                          " user=" + QuoteConnInfoValue(c.source_user) + " dbname=postgres"},
                     {}, {}, "", "", ""};
  context.log("info", "Rejoin started data_dir=" + c.data_dir + " primary=" + c.primary_host + ":" + std::to_string(c.primary_port));
  std::string output;
  auto ran = context.runner.Run(rewind, "", [&](const std::string& line) {
    output += line + "\n";
    context.log("info", "pg_rewind: " + line);
  });
  if (!ran.ok()) return fail(ran.status(), "RewindFailed");
  if (!ran->Succeeded()) {
    return fail(InternalError("pg_rewind " + ran->Describe() + ": " + ran->stderr_tail), "RewindFailed");
  }
  const bool rewound = output.find("no rewind required") == std::string::npos && ran->stderr_tail.find("no rewind required") == std::string::npos;
  for (const auto& [name, text] : own) {
    if (Status s = WriteFile(c.data_dir + "/" + name, text); !s.ok()) return fail(s, "RejoinFailed");
  }
  if (Status s = WriteFile(c.data_dir + "/standby.signal", ""); !s.ok()) return fail(s, "RejoinFailed");
  std::ofstream append(c.data_dir + "/postgresql.auto.conf", std::ios::app);
  append << StandbySettings(c, user, password);
  append.close();
  if (!append) return fail(FailedPreconditionError("cannot write " + c.data_dir + "/postgresql.auto.conf"), "RejoinFailed");
  result.fields = nlohmann::json{{"rewound", rewound}, {"primary", c.primary_host + ":" + std::to_string(c.primary_port)},
                                 {"slot", c.slot}};
  context.log("info", std::string("Rejoin prepared: ") + (rewound ? "rewound to the new primary's timeline" : "no rewind was needed") +
                          "; standby.signal and primary_conninfo written");
  FinishResult(result, start, context);
  return result;
}

}  // namespace lifeboat::agent
