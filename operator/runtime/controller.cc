#include "operator/runtime/controller.h"

namespace lifeboat::runtime {

void ReconcileLog::Write(log::Level level, std::string_view message, std::initializer_list<log::Field> fields) const {
  if (!log::Enabled(level)) return;
  std::vector<log::Field> all;
  all.reserve(fields.size() + 4);
  all.emplace_back("controller", request_.controller);
  all.emplace_back("namespace", request_.key.ns);
  all.emplace_back("name", request_.key.name);
  all.emplace_back("reconcileID", request_.reconcile_id);
  for (const auto& field : fields) all.push_back(field);
  log::Write(level, message, all);
}

}  // namespace lifeboat::runtime
