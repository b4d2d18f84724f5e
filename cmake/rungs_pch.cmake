# Precompiled headers for the targets whose many translation units parse the same heavy headers
# (doctest, nlohmann/json, fmt, Boost.Asio, the campaign's own headers). On a build without a
# compiler cache (CI, a fresh clone) they cut the compile CPU of those targets by about a third;
# figures and commands: docs/benchmarks.md, "Build and CI time".
#
# Off by default when the compiler launcher is ccache: ccache does not cache a compile that
# uses a precompiled header unless its sloppiness is configured for it, and with a warm cache
# the headers cost nothing anyway. -DRUNGS_PCH=ON/OFF overrides the default.
#
# Headers that a translation unit does not include itself become visible to it through the
# precompiled header; a build with RUNGS_PCH=OFF (every ccache build) still catches a missing
# #include.
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
  set(rungs_pch_default OFF)
else()
  set(rungs_pch_default ON)
endif()
option(RUNGS_PCH "Precompile the heavy headers of the larger targets" ${rungs_pch_default})

# rungs_precompile_headers(TARGET HEADER...): system headers as <...>, rungs headers as
# "folder/file.hpp" (found through the include path, like an #include in the sources).
function(rungs_precompile_headers target)
  if(NOT RUNGS_PCH)
    return()
  endif()
  set(headers)
  foreach(header IN LISTS ARGN)
    if(header MATCHES "^<")
      list(APPEND headers "${header}")
    else()
      list(APPEND headers "\"${header}\"")
    endif()
  endforeach()
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()
