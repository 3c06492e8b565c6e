# lifeboat_add_subdirectories_with_cmakelists(BASE dir...): add each listed directory under BASE that
# has a CMakeLists.txt, in the given order. Lets areas of the tree be added without editing a
# central list.
function(lifeboat_add_subdirectories_with_cmakelists base)
  foreach(dir IN LISTS ARGN)
    if(EXISTS ${base}/${dir}/CMakeLists.txt)
      add_subdirectory(${base}/${dir})
    endif()
  endforeach()
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
