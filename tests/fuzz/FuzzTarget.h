// What every fuzz target shares: the libFuzzer entry point, the input as text, and a check that ends the run when an
// invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

/// Runs one input through the code under test; returns 0. libFuzzer calls it (VICARY_FUZZ=ON), and so does
/// ReplayMain.cpp (the replay tests). Each <name>_fuzz.cpp defines it once.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

/// Aborts with the failed condition and its place when `condition` is false: libFuzzer saves the input as a crash,
/// a replay test fails. Used for the invariants a target checks beyond "does not crash".
#define VICARY_FUZZ_CHECK(condition)                                                                     \
    do {                                                                                                 \
        if (!(condition))                                                                                \
            ::vicary::fuzz::invariantBroken(#condition, __FILE__, __LINE__);                             \
    } while (false)

namespace vicary::fuzz {

/// Reports a broken invariant on standard error and aborts.
[[noreturn]] inline void invariantBroken(const char* condition, const char* file, int line)
{
    std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, condition);
    std::abort();
}

/// The input bytes as text, NULs and all.
inline std::string_view textOf(const std::uint8_t* data, std::size_t size)
{
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace vicary::fuzz
