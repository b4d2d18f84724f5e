# Installs the ask/tell library and what it stands on as the CMake package `rungs`:
#   cmake --install build --prefix PREFIX
#   find_package(rungs REQUIRED)    # with PREFIX in CMAKE_PREFIX_PATH
#   target_link_libraries(my_program PRIVATE rungs::study)
# Headers go to PREFIX/include/rungs/<folder>/, so a program includes them as in this tree
# ("study/study.hpp"). The campaign tool (YAML, store, processes) is not part of the package.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(rungs_package_targets rungs_space rungs_fidelity rungs_optimizer_interface rungs_optimizers
                          rungs_scheduler rungs_study)
foreach(target IN LISTS rungs_package_targets)
  string(REPLACE "rungs_" "" export_name ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
endforeach()

install(TARGETS ${rungs_package_targets}
        EXPORT rungsTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rungs)
foreach(folder space fidelity optimizers scheduler study)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${folder}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rungs
          FILES_MATCHING PATTERN "*.hpp")
endforeach()

set(rungs_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/rungs)
install(EXPORT rungsTargets NAMESPACE rungs:: DESTINATION ${rungs_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/rungsConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/rungsConfig.cmake
                              INSTALL_DESTINATION ${rungs_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/rungsConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/rungsConfig.cmake ${PROJECT_BINARY_DIR}/rungsConfigVersion.cmake
        DESTINATION ${rungs_cmake_dir})

# The campaign tool itself: `rungs`, the `rungs-supervisor` it starts for every run (found
# next to its own binary, runners/supervised_launch.cpp) and the Python trial helper, which
# rungs puts on the trials' PYTHONPATH from BIN/../share/rungs/python
# (campaign::python_helper_directory). scripts/install.sh wraps this.
if(TARGET rungs AND TARGET rungs-supervisor)
  install(TARGETS rungs rungs-supervisor RUNTIME DESTINATION bin)
  install(FILES ${PROJECT_SOURCE_DIR}/client/rungs_trial.py DESTINATION share/rungs/python)
endif()
