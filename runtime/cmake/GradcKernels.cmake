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
# relative to the current source directory, a relative OUTPUT_DIR to the
# current binary directory. Objects call the C math library (and glibc's
# vector math, libmvec, for batch kernels): TARGET links libm, which a C
# linker does not add by itself. Kernel names must differ across every call
# for one TARGET: `model` and `model_grad`, or `my-model` and `my_model`,
# would define one function twice.
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
  # As add_custom_command reads a relative OUTPUT: in the binary directory.
  cmake_path(ABSOLUTE_PATH arg_OUTPUT_DIR BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" NORMALIZE)
  file(MAKE_DIRECTORY "${arg_OUTPUT_DIR}")

  # The names each kernel name declares (SPEC 3): NAME plus a suffix, the
  # functions and the header's namespace NAME_info. Two files clash when
  # one's name plus a suffix is the other's plus a suffix.
  set(suffixes "" _grad _jvp _vjp _hess _hvp _grad_sparse)
  foreach(s IN ITEMS _grad _jvp _vjp _hess _hvp)
    list(APPEND suffixes "${s}_batch")
  endforeach()
  list(APPEND suffixes _batch _info)
  # --name in OPTIONS names every file's kernels.
  set(given_name "")
  list(FIND arg_OPTIONS "--name" at)
  list(LENGTH arg_OPTIONS count)
  math(EXPR at "${at} + 1")
  if(at GREATER 0 AND at LESS count)
    list(GET arg_OPTIONS ${at} given_name)
  endif()
  foreach(option IN LISTS arg_OPTIONS)
    if(option MATCHES "^--name=(.*)$")
      set(given_name "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  get_property(names TARGET "${arg_TARGET}" PROPERTY GRADC_KERNEL_NAMES)
  get_property(name_files TARGET "${arg_TARGET}" PROPERTY GRADC_KERNEL_FILES)
  foreach(file IN LISTS arg_FILES)
    cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" OUTPUT_VARIABLE source)
    cmake_path(GET source STEM LAST_ONLY stem)  # model.v2.expr: model.v2, as gradc
    # gradc's kernel name (kernel_name_from_file in compiler/emit/cpp_names.cpp):
    # each character that is not a letter or a digit made '_', runs of '_'
    # one, none at either end, and a 'v' before a leading digit.
    string(REGEX REPLACE "[^A-Za-z0-9]" "_" name "${stem}")
    string(REGEX REPLACE "__+" "_" name "${name}")
    string(REGEX REPLACE "^_|_$" "" name "${name}")
    if(name STREQUAL "" OR name MATCHES "^[0-9]")
      set(name "v${name}")
    endif()
    if(NOT given_name STREQUAL "")
      set(name "${given_name}")
    endif()
    foreach(s IN LISTS suffixes)
      list(FIND names "${name}${s}" at)
      if(NOT at EQUAL -1)
        list(GET name_files ${at} other)
        message(FATAL_ERROR "gradc_add_kernels: '${file}' and '${other}' would both define the "
                            "name '${name}${s}' in TARGET ${arg_TARGET} (kernel names "
                            "come from the file stem: rename one of the files)")
      endif()
    endforeach()
    foreach(s IN LISTS suffixes)
      list(APPEND names "${name}${s}")
      list(APPEND name_files "${file}")
    endforeach()
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
  set_property(TARGET "${arg_TARGET}" PROPERTY GRADC_KERNEL_NAMES "${names}")
  set_property(TARGET "${arg_TARGET}" PROPERTY GRADC_KERNEL_FILES "${name_files}")
  target_include_directories("${arg_TARGET}" PRIVATE "${arg_OUTPUT_DIR}")
  if(ext STREQUAL "o" AND UNIX AND NOT APPLE)
    target_link_libraries("${arg_TARGET}" PRIVATE m)
  endif()
endfunction()
