// The prometheus-cpp types a controller's metrics class names in its header, declared without
// prometheus-cpp's headers (only the .cc files that build the families include them).
#pragma once

namespace prometheus {
class Registry;
class Gauge;
class Counter;
template <typename T>
class Family;
}  // namespace prometheus
