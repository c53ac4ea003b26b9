# Building Vicary registry plugins, in the Vicary tree and out of it (installed with the SDK, see docs/PLUGINS.md).
#
#   vicary_add_plugin(<name> SOURCES <file>...)
#     A MODULE library named <name>.so (no "lib" prefix), hidden visibility, --no-undefined, linked against the SDK
#     only, built into the plugin folder and installed into the plugin folder.
#
#   vicary_verify_plugin(<name> [SAMPLE <ini>])   (in the Vicary tree only)
#     A CTest that loads the built .so through the real loader, creates an instance from a sample config section,
#     runs the plugin contract checks on it and destroys it.

function(vicary_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "vicary_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${name} PRIVATE Vicary::sdk)
  target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  if(COMMAND vicary_enable_warnings)
    vicary_enable_warnings(${name})
  endif()
  if(DEFINED VICARY_PLUGIN_BUILD_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${VICARY_PLUGIN_BUILD_DIR}")
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION "${VICARY_PLUGIN_INSTALL_DIR}" COMPONENT plugin-${name})
endfunction()

function(vicary_verify_plugin name)
  cmake_parse_arguments(ARG "" "SAMPLE" "" ${ARGN})
  if(NOT VICARY_BUILD_TESTS)
    return()
  endif()
  if(NOT ARG_SAMPLE)
    set(ARG_SAMPLE "${CMAKE_CURRENT_SOURCE_DIR}/sample.ini")
  endif()
  add_test(NAME plugin.${name}.verify
    COMMAND vicary-plugin-verify $<TARGET_FILE:${name}> "${ARG_SAMPLE}")
endfunction()
