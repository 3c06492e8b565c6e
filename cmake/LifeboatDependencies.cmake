# Every dependency comes from Debian's packages (see `make deps`).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost REQUIRED COMPONENTS system)
find_package(cpprestsdk CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(date CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)

# cpprestsdk's target carries neither OpenSSL nor Boost.System: one interface target bundles them.
add_library(lifeboat_cpprest INTERFACE)
target_link_libraries(lifeboat_cpprest INTERFACE cpprestsdk::cpprest OpenSSL::SSL OpenSSL::Crypto Boost::system Threads::Threads)
