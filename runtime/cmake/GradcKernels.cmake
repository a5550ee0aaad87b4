# GradcKernels.cmake - gradc_add_kernels(): run gradc at build time, as
# protobuf_generate and flex_target do for their languages.
#
#   gradc_add_kernels(TARGET app
#                     FILES model.expr loss.expr
#                     [EMIT cpp|obj]          # C++ source (default) or native object
#                     [OUTPUT_DIR dir]        # default: <binary dir>/gradc/<target>
#                     [OPTIONS --wrt=x ...])  # more gradc options, for every file
#
# For each FILE, gradc writes STEM.cpp (or STEM.o) and STEM.hpp into the
# output directory; the kernels are STEM and STEM_grad (SPEC 3). The
# generated sources or objects are added to TARGET, and the output directory
# to its include path, so `#include "model.hpp"` works. A file is
# regenerated when it or the gradc binary changes. Relative FILES are
# relative to the current source directory.
include_guard(GLOBAL)

function(gradc_add_kernels)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "TARGET;EMIT;OUTPUT_DIR" "FILES;OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "gradc_add_kernels: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGET OR NOT TARGET "${arg_TARGET}")
    message(FATAL_ERROR "gradc_add_kernels: TARGET must name an existing target")
  endif()
  if(NOT arg_FILES)
    message(FATAL_ERROR "gradc_add_kernels: no FILES given")
  endif()
  if(NOT arg_EMIT)
    set(arg_EMIT cpp)
  endif()
  if(arg_EMIT STREQUAL "cpp")
    set(ext cpp)
  elseif(arg_EMIT STREQUAL "obj")
    set(ext o)
  else()
    message(FATAL_ERROR "gradc_add_kernels: EMIT must be cpp or obj, not '${arg_EMIT}'")
  endif()
  if(NOT arg_OUTPUT_DIR)
    set(arg_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/gradc/${arg_TARGET}")
  endif()
  file(MAKE_DIRECTORY "${arg_OUTPUT_DIR}")

  set(stems "")
  foreach(file IN LISTS arg_FILES)
    cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" OUTPUT_VARIABLE source)
    cmake_path(GET source STEM stem)
    if(stem IN_LIST stems)
      message(FATAL_ERROR "gradc_add_kernels: two files named '${stem}'; kernel names come from "
                          "the file stem and must differ")
    endif()
    list(APPEND stems "${stem}")
    set(out "${arg_OUTPUT_DIR}/${stem}.${ext}")
    set(header "${arg_OUTPUT_DIR}/${stem}.hpp")
    add_custom_command(
      OUTPUT "${out}" "${header}"
      COMMAND gradc::gradc "${source}" -o "${out}" ${arg_OPTIONS}
      DEPENDS "${source}" "$<TARGET_FILE:gradc::gradc>"
      COMMENT "gradc: ${file} -> ${stem}.${ext}"
      VERBATIM)
    if(ext STREQUAL "o")
      set_source_files_properties("${out}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
    endif()
    target_sources("${arg_TARGET}" PRIVATE "${out}" "${header}")
  endforeach()
  target_include_directories("${arg_TARGET}" PRIVATE "${arg_OUTPUT_DIR}")
endfunction()
