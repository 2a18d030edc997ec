# Precompiled headers (option BRAID_PCH, GCC only). Nearly every translation unit parses the
# standard library and fmt, every test GoogleTest, and everything built on the HTTP server
# (server/, cli/ and their tests) Asio, Beast and simdjson through server/http_message.h and
# server/api.h. Four precompiled headers of those (sources or tests, with or without the server's
# libraries) are built once, and every target reuses the one that matches what it links: a
# header holding more than a target needs costs it more to load than it saves. Braid's own headers
# stay out, so changing one rebuilds only what includes it.
#
# A header is only valid where the macros it reads are defined as when it was built: each target
# links the libraries of the header it reuses (their definitions: FMT_SHARED, GTEST_HAS_PTHREAD,
# BOOST_ALL_NO_LIB, SIMDJSON_THREADS_ENABLED). Other macros a target defines
# (BRAID_SOURCE_DIR_DEFAULT, ...) appear in no header here. CMake adds -Winvalid-pch, so with
# -Werror a header GCC could not use fails the build instead of passing unnoticed.

set(BRAID_PCH_HEADERS
    <algorithm> <array> <atomic> <chrono> <cstddef> <cstdint> <cstring> <filesystem>
    <functional> <map> <memory> <mutex> <optional> <set> <span> <string> <string_view>
    <unordered_map> <utility> <variant> <vector> <fmt/format.h>)
set(BRAID_PCH_SERVER_HEADERS
    <boost/asio/ip/tcp.hpp> <boost/asio/post.hpp> <boost/asio/thread_pool.hpp>
    <boost/beast/http/message.hpp> <boost/beast/http/verb.hpp> <simdjson.h>)
set(BRAID_PCH_LIBS fmt::fmt)
set(BRAID_PCH_SERVER_LIBS Boost::headers simdjson::simdjson)

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

# The target that owns precompiled header `name`: `headers` compiled as a user of `libs` is.
function(braid_pch_owner name headers libs)
  add_library(${name} OBJECT ${CMAKE_BINARY_DIR}/pch_anchor.cc)
  target_link_libraries(${name} PRIVATE ${libs})
  target_precompile_headers(${name} PRIVATE ${headers})
  set_target_properties(${name} PROPERTIES BRAID_PCH_LIBS "${libs}")
endfunction()

function(braid_precompile_headers)
  if(NOT BRAID_PCH OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    return()
  endif()
  file(WRITE ${CMAKE_BINARY_DIR}/pch_anchor.cc "// The owner of a precompiled header.\n")
  braid_pch_owner(braid_pch "${BRAID_PCH_HEADERS}" "${BRAID_PCH_LIBS}")
  braid_pch_owner(braid_server_pch "${BRAID_PCH_HEADERS};${BRAID_PCH_SERVER_HEADERS}"
                  "${BRAID_PCH_LIBS};${BRAID_PCH_SERVER_LIBS}")
  if(BRAID_TESTS)
    find_package(GTest REQUIRED)
    braid_pch_owner(braid_test_pch "${BRAID_PCH_HEADERS};<gtest/gtest.h>"
                    "${BRAID_PCH_LIBS};GTest::gtest")
    braid_pch_owner(braid_server_test_pch
                    "${BRAID_PCH_HEADERS};${BRAID_PCH_SERVER_HEADERS};<gtest/gtest.h>"
                    "${BRAID_PCH_LIBS};${BRAID_PCH_SERVER_LIBS};GTest::gtest")
  endif()
  braid_collect_targets(${CMAKE_SOURCE_DIR} targets)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(target MATCHES "^braid_(server_)?(test_)?pch$" OR
       NOT type MATCHES "^(STATIC_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      continue()
    endif()
    get_target_property(libs ${target} LINK_LIBRARIES)
    set(owner braid)
    if(target MATCHES "^braid_(server|cli)$" OR "braid_server" IN_LIST libs OR
       "braid_cli" IN_LIST libs)
      string(APPEND owner _server)
    endif()
    if(TARGET braid_test_pch AND "GTest::gtest" IN_LIST libs)
      string(APPEND owner _test)
    endif()
    get_target_property(owner_libs ${owner}_pch BRAID_PCH_LIBS)
    target_link_libraries(${target} PRIVATE ${owner_libs})
    target_precompile_headers(${target} REUSE_FROM ${owner}_pch)
  endforeach()
endfunction()
