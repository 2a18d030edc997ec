# Precompiled headers (option BRAID_PCH, GCC only). Nearly every translation unit parses the
# standard library and fmt, and every test GoogleTest too: one precompiled header of those for the
# sources and one for the tests are built once, and every target reuses one of them. Braid's own
# headers stay out, so changing one rebuilds only what includes it.
#
# A reusing target may define macros the header's owner does not (BRAID_SOURCE_DIR_DEFAULT,
# BOOST_ALL_NO_LIB, ...): GCC accepts the header as long as they do not appear in it. CMake adds
# -Winvalid-pch, so with -Werror a header GCC could not use fails the build instead of passing
# unnoticed.

set(BRAID_PCH_HEADERS
    <algorithm> <array> <atomic> <chrono> <cstddef> <cstdint> <cstring> <filesystem>
    <functional> <map> <memory> <mutex> <optional> <set> <span> <string> <string_view>
    <unordered_map> <utility> <variant> <vector> <fmt/format.h>)

# Every target defined in `dir` and the directories it added.
function(braid_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir ${subdirs})
    braid_collect_targets(${subdir} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(braid_precompile_headers)
  if(NOT BRAID_PCH OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    return()
  endif()
  file(WRITE ${CMAKE_BINARY_DIR}/pch_anchor.cc "// The owner of a precompiled header.\n")
  add_library(braid_pch OBJECT ${CMAKE_BINARY_DIR}/pch_anchor.cc)
  target_link_libraries(braid_pch PRIVATE fmt::fmt)
  target_precompile_headers(braid_pch PRIVATE ${BRAID_PCH_HEADERS})
  if(BRAID_TESTS)
    find_package(GTest REQUIRED)
    add_library(braid_test_pch OBJECT ${CMAKE_BINARY_DIR}/pch_anchor.cc)
    target_link_libraries(braid_test_pch PRIVATE fmt::fmt GTest::gtest)
    target_precompile_headers(braid_test_pch PRIVATE ${BRAID_PCH_HEADERS} <gtest/gtest.h>)
  endif()
  braid_collect_targets(${CMAKE_SOURCE_DIR} targets)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(target MATCHES "^braid_(test_)?pch$" OR
       NOT type MATCHES "^(STATIC_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      continue()
    endif()
    # GoogleTest's header is only for what links it (its macros must match the header's).
    # The headers hold fmt's: what reuses them compiles as fmt's users do (FMT_SHARED).
    target_link_libraries(${target} PRIVATE fmt::fmt)
    get_target_property(libs ${target} LINK_LIBRARIES)
    if(TARGET braid_test_pch AND "GTest::gtest" IN_LIST libs)
      target_precompile_headers(${target} REUSE_FROM braid_test_pch)
    else()
      target_precompile_headers(${target} REUSE_FROM braid_pch)
    endif()
  endforeach()
endfunction()
