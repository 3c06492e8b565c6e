# lifeboat_add_subdirectories(BASE dir...): add each listed directory under BASE, in the given
# order. A listed directory without a CMakeLists.txt is a configure error, never a silent drop.
function(lifeboat_add_subdirectories base)
  foreach(dir IN LISTS ARGN)
    if(NOT EXISTS ${base}/${dir}/CMakeLists.txt)
      message(FATAL_ERROR "${base}/${dir} has no CMakeLists.txt")
    endif()
    add_subdirectory(${base}/${dir})
  endforeach()
endfunction()

# lifeboat_require_targets(target...): a configure error naming every listed target that was not
# defined (called at the end of the top-level CMakeLists.txt, after every directory was added).
function(lifeboat_require_targets)
  set(missing "")
  foreach(target IN LISTS ARGN)
    if(NOT TARGET ${target})
      list(APPEND missing ${target})
    endif()
  endforeach()
  if(missing)
    message(FATAL_ERROR "These targets were not defined (a CMakeLists.txt is missing or skipped them): ${missing}")
  endif()
endfunction()

# lifeboat_add_all_child_directories(): add every direct child directory of the current source
# directory that has a CMakeLists.txt, in sorted order.
function(lifeboat_add_all_child_directories)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${child} AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()
