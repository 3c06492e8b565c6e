// TablePrinter: the server-side `Table` form (meta.k8s.io/v1) that `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. Custom resources get their CRD's
// additionalPrinterColumns (JSONPath, typed cells, `date` columns as ages); built-in kinds get the
// columns the real server prints (Pod READY/STATUS/RESTARTS, Job STATUS/COMPLETIONS/DURATION,
// Deployment READY/UP-TO-DATE/AVAILABLE, ...); anything else Name and Age.
// Immutable after construction; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/server/json_path.h"
#include "operator/core/clock.h"

namespace lifeboat::devcluster {

// What a table row carries besides its cells (?includeObject=None|Metadata|Object).
enum class IncludeObject { kNone, kMetadata, kObject };

class TablePrinter {
 public:
  // The printer for a kind. `printer_columns` is the CRD version's additionalPrinterColumns (an
  // array, possibly empty) and is used only when `custom` is true.
  static TablePrinter ForKind(std::string_view group, std::string_view kind,
                              const nlohmann::json& printer_columns, bool custom);

  // The columnDefinitions array.
  nlohmann::json ColumnDefinitions() const;
  // The cells of one object's row, aged relative to `now`.
  nlohmann::json Cells(const nlohmann::json& object, WallTime now) const;

  // A complete Table for `objects`; `list_metadata` (resourceVersion, continue,
  // remainingItemCount) becomes the table's metadata.
  nlohmann::json BuildTable(const std::vector<nlohmann::json>& objects, const nlohmann::json& list_metadata,
                            WallTime now, IncludeObject include_object, bool with_columns = true) const;

 private:
  struct Column {
    std::string name;
    std::string type;  // string, integer, number, boolean, date
    std::string format;
    std::string description;
    int priority = 0;
    std::function<nlohmann::json(const nlohmann::json& object, WallTime now)> cell;
  };
  std::vector<Column> columns_;
};

// Parses ?includeObject= ("" means the default, Metadata); false for an unknown value.
bool ParseIncludeObject(std::string_view value, IncludeObject& out);

}  // namespace lifeboat::devcluster
