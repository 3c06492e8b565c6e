# lifeboat_add_e2e_test(NAME <name> COMMAND <command> [args...] [TIMEOUT <seconds>])
# Registers an end-to-end test (label e2e) whose scripts use e2e/lib/devcluster.sh or devcluster.py:
# LIFEBOAT_DEVCLUSTER_BIN points them at this build's lifeboat-devcluster, and exit code 77 means
# "skipped" (e.g. a real-cluster variant without LIFEBOAT_E2E_KUBECONFIG).
# Use: include(${CMAKE_SOURCE_DIR}/e2e/lib/LifeboatE2e.cmake)
function(lifeboat_add_e2e_test)
  cmake_parse_arguments(E2E "" "NAME;TIMEOUT" "COMMAND" ${ARGN})
  if(NOT E2E_NAME OR NOT E2E_COMMAND)
    message(FATAL_ERROR "lifeboat_add_e2e_test needs NAME and COMMAND")
  endif()
  if(NOT E2E_TIMEOUT)
    set(E2E_TIMEOUT 300)
  endif()
  add_test(NAME ${E2E_NAME} COMMAND ${E2E_COMMAND})
  set_tests_properties(${E2E_NAME} PROPERTIES
    LABELS e2e
    TIMEOUT ${E2E_TIMEOUT}
    SKIP_RETURN_CODE 77
    ENVIRONMENT "LIFEBOAT_DEVCLUSTER_BIN=${CMAKE_BINARY_DIR}/bin/lifeboat-devcluster")
endfunction()
