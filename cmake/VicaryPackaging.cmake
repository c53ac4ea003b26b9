# Packages (CPack DEB and RPM) from the same install rules as `cmake --install`, one package per install component:
#
#   vicary                   the daemon, vicaryctl, /etc/vicary/vicary.ini (a conffile / %config(noreplace)), the
#                            empty plugins folder, the systemd unit, sysusers.d and tmpfiles.d entries, the docs
#   vicary-plugin-<name>     one per plugin component (plugin-<name>, see VicaryPlugin.cmake), needs the exact same
#                            version of vicary: plugins are built against the core's ABI
#   vicary-dev               the plugin SDK: include/vicary and lib/.../cmake/Vicary   (vicary-devel for RPM)
#
# Dependencies on shared libraries are computed from the binaries (dpkg-shlibdeps, rpm's autoreq). Build them with
# scripts/package.sh; packaging/README.md explains the layout, docs/OPERATIONS.md the installed result.

# Where systemd looks for vendor units and sysusers/tmpfiles entries: <prefix>/lib, not the multiarch libdir.
set(VICARY_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING "systemd system unit folder, relative to the prefix")
set(VICARY_SYSUSERS_DIR "lib/sysusers.d" CACHE STRING "sysusers.d folder, relative to the prefix")
set(VICARY_TMPFILES_DIR "lib/tmpfiles.d" CACHE STRING "tmpfiles.d folder, relative to the prefix")
set(VICARY_DOC_DIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/vicary")

# Absolute paths for the templates (packaging/*.in): what the installed files and scripts refer to.
set(VICARY_PKG_BINDIR "${CMAKE_INSTALL_FULL_BINDIR}")
set(VICARY_PKG_CONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/vicary")
set(VICARY_PKG_CACHEDIR "${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/cache/vicary")
set(VICARY_PKG_STATEDIR "${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/vicary")
set(VICARY_PKG_PLUGINDIR "${CMAKE_INSTALL_PREFIX}/${VICARY_PLUGIN_INSTALL_DIR}")
set(VICARY_PKG_SYSUSERS "${CMAKE_INSTALL_PREFIX}/${VICARY_SYSUSERS_DIR}/vicary.conf")
set(VICARY_PKG_TMPFILES "${CMAKE_INSTALL_PREFIX}/${VICARY_TMPFILES_DIR}/vicary.conf")
set(VICARY_PKG_DOCDIR "${CMAKE_INSTALL_PREFIX}/${VICARY_DOC_DIR}")
set(VICARY_PKG_USER vicary)

set(_pkg_src "${PROJECT_SOURCE_DIR}/packaging")
set(_pkg_out "${CMAKE_BINARY_DIR}/packaging")
foreach(_file vicary.service sysusers.conf tmpfiles.conf deb/conffiles deb/postinst deb/prerm deb/postrm
    rpm/post rpm/preun rpm/postun)
  configure_file("${_pkg_src}/${_file}.in" "${_pkg_out}/${_file}" @ONLY)
endforeach()

install(FILES "${_pkg_out}/vicary.service" DESTINATION "${VICARY_SYSTEMD_UNIT_DIR}" COMPONENT vicary)
install(FILES "${_pkg_out}/sysusers.conf" DESTINATION "${VICARY_SYSUSERS_DIR}" RENAME vicary.conf COMPONENT vicary)
install(FILES "${_pkg_out}/tmpfiles.conf" DESTINATION "${VICARY_TMPFILES_DIR}" RENAME vicary.conf COMPONENT vicary)
# The plugins folder belongs to vicary, so that it exists for a dropped-in plugin with no plugin package installed.
install(DIRECTORY DESTINATION "${VICARY_PLUGIN_INSTALL_DIR}" COMPONENT vicary)
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/docs/OPERATIONS.md"
  "${PROJECT_SOURCE_DIR}/docs/CONFIGURATION.md" "${PROJECT_SOURCE_DIR}/docs/PLUGINS.md"
  "${PROJECT_SOURCE_DIR}/docs/ARCHITECTURE.md"
  DESTINATION "${VICARY_DOC_DIR}" COMPONENT vicary)

# --- CPack -----------------------------------------------------------------------------------------------------------
get_cmake_property(_components COMPONENTS)
set(VICARY_PLUGIN_COMPONENTS ${_components})
list(FILTER VICARY_PLUGIN_COMPONENTS INCLUDE REGEX "^plugin-")
set(CPACK_COMPONENTS_ALL vicary ${VICARY_PLUGIN_COMPONENTS} dev)

set(CPACK_PACKAGE_NAME vicary)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "Vicary")
set(CPACK_PACKAGE_CONTACT "Vicary maintainers <vicary@localhost>")
# CPackDeb puts CPACK_PACKAGE_DESCRIPTION_SUMMARY above each component's description unless it is CPack's default
# value: keep that value, so that each package's Description starts with its own summary line (RPM summaries are
# set per package below).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_RELEASE 1)
set(VICARY_PKG_FULL_VERSION "${CPACK_PACKAGE_VERSION}-${CPACK_PACKAGE_RELEASE}")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/out")

set(CPACK_COMPONENT_VICARY_DESCRIPTION "Pull-through cache for container registries
Vicary caches the images docker, containerd, podman and CRI-O pull from Docker Hub, quay.io, gcr.io and any
OCI registry, serves them at LAN speed and keeps serving them when an upstream is down. This package holds the
daemon, vicaryctl (cache administration), the configuration and the systemd unit; the registry plugins come in
the vicary-plugin-* packages.")
set(CPACK_COMPONENT_DEV_DESCRIPTION "Vicary plugin SDK
Headers and the CMake package (find_package(Vicary), vicary_add_plugin()) to build a Vicary registry plugin
out of tree; see /usr/share/doc/vicary/PLUGINS.md.")

# Debian
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE "${CPACK_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_VICARY_PACKAGE_NAME vicary)
set(CPACK_DEBIAN_VICARY_PACKAGE_DEPENDS "adduser | systemd")
set(CPACK_DEBIAN_VICARY_PACKAGE_CONTROL_EXTRA
  "${_pkg_out}/deb/conffiles;${_pkg_out}/deb/postinst;${_pkg_out}/deb/prerm;${_pkg_out}/deb/postrm")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME vicary-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libboost-dev (>= 1.74), cmake (>= 3.21)")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "vicary (= ${VICARY_PKG_FULL_VERSION})")

# RPM
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE "${CPACK_PACKAGE_RELEASE}")
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_PACKAGE_RELOCATABLE OFF)  # absolute /etc paths: never relocatable
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_AUTOPROV OFF)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_VICARY_PACKAGE_NAME vicary)
set(CPACK_RPM_VICARY_PACKAGE_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_RPM_VICARY_PACKAGE_DESCRIPTION "${CPACK_COMPONENT_VICARY_DESCRIPTION}")
set(CPACK_RPM_VICARY_USER_FILELIST "%config(noreplace) ${VICARY_PKG_CONFDIR}/vicary.ini")
set(CPACK_RPM_VICARY_POST_INSTALL_SCRIPT_FILE "${_pkg_out}/rpm/post")
set(CPACK_RPM_VICARY_PRE_UNINSTALL_SCRIPT_FILE "${_pkg_out}/rpm/preun")
set(CPACK_RPM_VICARY_POST_UNINSTALL_SCRIPT_FILE "${_pkg_out}/rpm/postun")
set(CPACK_RPM_VICARY_PACKAGE_REQUIRES_POST "shadow-utils")
set(CPACK_RPM_DEV_PACKAGE_NAME vicary-devel)
set(CPACK_RPM_DEV_PACKAGE_SUMMARY "Vicary plugin SDK")
set(CPACK_RPM_DEV_PACKAGE_DESCRIPTION "${CPACK_COMPONENT_DEV_DESCRIPTION}")
set(CPACK_RPM_DEV_PACKAGE_REQUIRES "boost-devel >= 1.74, cmake >= 3.21")
set(CPACK_RPM_DEV_PACKAGE_PROVIDES "vicary-dev = ${VICARY_PKG_FULL_VERSION}")
# Folders that belong to the system, not to vicary.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  "${CMAKE_INSTALL_PREFIX}/lib" "${CMAKE_INSTALL_PREFIX}/lib/systemd" "${CMAKE_INSTALL_PREFIX}/${VICARY_SYSTEMD_UNIT_DIR}"
  "${CMAKE_INSTALL_PREFIX}/${VICARY_SYSUSERS_DIR}" "${CMAKE_INSTALL_PREFIX}/${VICARY_TMPFILES_DIR}"
  "${CMAKE_INSTALL_FULL_LIBDIR}" "${CMAKE_INSTALL_FULL_LIBDIR}/cmake" "${CMAKE_INSTALL_FULL_INCLUDEDIR}"
  "${CMAKE_INSTALL_FULL_DATAROOTDIR}/doc")

# One package per plugin, tied to the exact version of the core.
set(_plugin_packages "")
foreach(_component IN LISTS VICARY_PLUGIN_COMPONENTS)
  string(REGEX REPLACE "^plugin-" "" _plugin "${_component}")
  string(TOUPPER "${_component}" _COMPONENT)
  set(CPACK_COMPONENT_${_COMPONENT}_DESCRIPTION "Vicary registry plugin ${_plugin}
The ${_plugin} registry plugin for Vicary, loaded from ${VICARY_PKG_PLUGINDIR}. A [registry.<name>]
section with plugin = ${_plugin} in ${VICARY_PKG_CONFDIR}/vicary.ini turns it on.")
  set(CPACK_DEBIAN_${_COMPONENT}_PACKAGE_NAME "vicary-${_component}")
  set(CPACK_DEBIAN_${_COMPONENT}_PACKAGE_DEPENDS "vicary (= ${VICARY_PKG_FULL_VERSION})")
  set(CPACK_RPM_${_COMPONENT}_PACKAGE_NAME "vicary-${_component}")
  set(CPACK_RPM_${_COMPONENT}_PACKAGE_SUMMARY "Vicary registry plugin ${_plugin}")
  set(CPACK_RPM_${_COMPONENT}_PACKAGE_DESCRIPTION "${CPACK_COMPONENT_${_COMPONENT}_DESCRIPTION}")
  set(CPACK_RPM_${_COMPONENT}_PACKAGE_REQUIRES "vicary = ${VICARY_PKG_FULL_VERSION}")
  list(APPEND _plugin_packages "vicary-${_component}")
endforeach()
# The shipped vicary.ini has a section for each shipped plugin: recommend them all (a weak dependency, so that an
# operator may leave one out and drop its section). RPM: CPack has no Recommends, and Debian's rpmbuild refuses
# Suggests, so none.
list(JOIN _plugin_packages ", " _plugin_list)
set(CPACK_DEBIAN_VICARY_PACKAGE_RECOMMENDS "${_plugin_list}")

set(CPACK_GENERATOR "DEB;RPM")
include(CPack)
