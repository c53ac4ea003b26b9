// The binary contract between the Vicary core and a registry plugin. Part of the Vicary plugin SDK.
//
// A plugin exports exactly one symbol, `vicary_plugin_entry_v1`, with VICARY_PLUGIN_ENTRY(fn), where `fn` is a
// `const vicary::PluginDescriptor* fn() noexcept` returning a descriptor with static storage duration. The core checks,
// in order, and names the .so in every refusal: the symbol is present, `struct_size` covers the fields of its ABI
// minor, `abi_major` equals the core's and `abi_minor` is not newer, `build_signature` equals the core's, and `name`
// is not taken by another plugin. A minor version adds fields at the end only.
#pragma once

#include <cstdint>
#include <string>

#include <boost/dll/alias.hpp>

#include <vicary/HostServices.h>
#include <vicary/PluginConfig.h>
#include <vicary/RegistryPlugin.h>

namespace vicary {

#define VICARY_ABI_MAJOR 1  ///< bumped on any incompatible change to the SDK
#define VICARY_ABI_MINOR 0  ///< bumped when fields are appended to PluginDescriptor

inline constexpr std::uint32_t kAbiMajor = VICARY_ABI_MAJOR;
inline constexpr std::uint32_t kAbiMinor = VICARY_ABI_MINOR;

#define VICARY_SDK_STR2(x) #x
#define VICARY_SDK_STR(x) VICARY_SDK_STR2(x)

#if defined(__clang__)
#define VICARY_SDK_COMPILER "clang-" VICARY_SDK_STR(__clang_major__)
#elif defined(__GNUC__)
#define VICARY_SDK_COMPILER "gcc-" VICARY_SDK_STR(__GNUC__)
#else
#define VICARY_SDK_COMPILER "unknown-compiler"
#endif

#if defined(_LIBCPP_VERSION)
#define VICARY_SDK_STDLIB "libc++"
#elif defined(_GLIBCXX_USE_CXX11_ABI)
#define VICARY_SDK_STDLIB "libstdc++-cxx11abi" VICARY_SDK_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define VICARY_SDK_STDLIB "unknown-stdlib"
#endif

/// What must be equal between the core and a plugin for C++ objects (std::string, std::vector, vtables) to cross the
/// boundary: ABI major, compiler family and major version, standard library ABI, pointer size.
#define VICARY_BUILD_SIGNATURE                                                                            \
    "vicary-abi-" VICARY_SDK_STR(VICARY_ABI_MAJOR) ";" VICARY_SDK_COMPILER ";" VICARY_SDK_STDLIB ";ptr" VICARY_SDK_STR( \
        __SIZEOF_POINTER__)

/// Describes one plugin. Plain data: the core reads it and never writes it.
struct PluginDescriptor {
    std::uint32_t struct_size;    ///< sizeof(PluginDescriptor) as the plugin was compiled
    std::uint32_t abi_major;      ///< kAbiMajor as the plugin was compiled
    std::uint32_t abi_minor;      ///< kAbiMinor as the plugin was compiled
    const char* build_signature;  ///< VICARY_BUILD_SIGNATURE as the plugin was compiled
    const char* name;             ///< the plugin's name, used by `plugin = <name>` in a [registry.*] section
    const char* description;      ///< one line for operators, e.g. "Docker Hub (docker.io)"
    /// Null-terminated list of the plugin's own config keys beyond the common ones; may be nullptr for none.
    const char* const* extra_keys;
    /// Creates an instance for one config section. On failure returns nullptr and sets `error` to a message that
    /// names the key at fault. Called once per section, from the main thread, before the server starts.
    RegistryPlugin* (*create)(const PluginConfig& config, HostServices& host, std::string& error) noexcept;
    /// Destroys an instance `create` returned. Called once per instance, after the server stopped serving.
    void (*destroy)(RegistryPlugin* instance) noexcept;
};

using PluginEntryFunction = const PluginDescriptor*() noexcept;

}  // namespace vicary

/// The name of the one symbol a plugin exports.
#define VICARY_PLUGIN_ENTRY_NAME "vicary_plugin_entry_v1"

/// Exports `fn` (a `const vicary::PluginDescriptor* fn() noexcept` at namespace scope) as the plugin's entry point.
#define VICARY_PLUGIN_ENTRY(fn) BOOST_DLL_ALIAS(fn, vicary_plugin_entry_v1)

/// A descriptor initialiser with the version fields filled in for the SDK this plugin compiles against.
#define VICARY_DESCRIPTOR_HEADER \
    sizeof(::vicary::PluginDescriptor), ::vicary::kAbiMajor, ::vicary::kAbiMinor, VICARY_BUILD_SIGNATURE
