# Warnings for Vicary's own targets: vicary_enable_warnings(<target>).
function(vicary_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
  if(VICARY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
