# Install rules for the SDK: headers plus a CMake package, so that an out-of-tree plugin builds with
# find_package(Vicary) and vicary_add_plugin(). The daemon and plugins install themselves where they are defined.
include(CMakePackageConfigHelpers)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/vicary" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT dev)
install(TARGETS vicary_sdk EXPORT VicaryTargets COMPONENT dev)
set_target_properties(vicary_sdk PROPERTIES EXPORT_NAME sdk)
install(EXPORT VicaryTargets NAMESPACE Vicary:: DESTINATION "${VICARY_CMAKE_INSTALL_DIR}" COMPONENT dev)

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/VicaryConfig.cmake.in"
  "${CMAKE_BINARY_DIR}/VicaryConfig.cmake"
  INSTALL_DESTINATION "${VICARY_CMAKE_INSTALL_DIR}"
  PATH_VARS VICARY_PLUGIN_INSTALL_DIR)
write_basic_package_version_file("${CMAKE_BINARY_DIR}/VicaryConfigVersion.cmake" COMPATIBILITY SameMajorVersion)
install(FILES "${CMAKE_BINARY_DIR}/VicaryConfig.cmake" "${CMAKE_BINARY_DIR}/VicaryConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/VicaryPlugin.cmake"
  DESTINATION "${VICARY_CMAKE_INSTALL_DIR}" COMPONENT dev)

# The shipped default configuration, where the daemon looks for it without --config.
install(FILES "${PROJECT_SOURCE_DIR}/etc/vicary.ini" DESTINATION "${CMAKE_INSTALL_SYSCONFDIR}/vicary" COMPONENT vicary)
