# Installation (`cmake --install build`) and the Debian package (`cpack -G DEB` in build/).
include(GNUInstallDirs)

install(TARGETS heaplint RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
configure_file(${CMAKE_SOURCE_DIR}/docs/heaplint.1.in ${CMAKE_BINARY_DIR}/heaplint.1 @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/heaplint.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/configuration.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME heaplint)
set(CPACK_PACKAGE_VENDOR "heaplint developers")
set(CPACK_PACKAGE_CONTACT "heaplint developers <dev@heaplint.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "linter for memory antipatterns in Python code")
set(CPACK_PACKAGE_DESCRIPTION
    "heaplint finds lists built only to be consumed once, caches that only grow, callbacks that are never unsubscribed, hot classes without __slots__ and garbage-collector misuse.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# dpkg-shlibdeps computes Depends from the binary's libraries (libc6, libstdc++6, libgcc-s1,
# libtomlplusplus3), so the package states exactly what it links against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
