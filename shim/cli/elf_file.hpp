// What `tlsoverride doctor` reads from an ELF file: the fields ld.so itself uses to load a
// program (PT_INTERP, the dynamic section) and its dynamic symbol table. Read from the file
// with bounds checks; nothing is executed, unlike ldd, which runs the program's loader.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

struct ElfFile {
    int bits = 0;                      // 32 or 64
    std::uint16_t machine = 0;         // EM_X86_64, ...
    std::uint16_t type = 0;            // ET_EXEC, ET_DYN, ...
    std::string interpreter;           // PT_INTERP; empty for libraries and static programs
    bool has_dynamic_section = false;  // PT_DYNAMIC; absent in static programs
    std::vector<std::string> needed;   // DT_NEEDED, in order
    std::string soname;                // DT_SONAME
    std::vector<std::string> rpath;    // DT_RPATH, split on ':'
    std::vector<std::string> runpath;  // DT_RUNPATH, split on ':'
    bool symbols_read = false;         // false when the file has no section headers
    std::set<std::string> defined_symbols;   // .dynsym entries the file provides
    std::set<std::string> imported_symbols;  // .dynsym entries it expects from elsewhere
};

// Reads PATH; nullopt with ERROR set ("not an ELF file", "truncated dynamic section", ...).
std::optional<ElfFile> read_elf(const std::string& path, std::string& error);

// "64-bit x86-64", for evidence lines.
std::string describe_architecture(const ElfFile& elf);

// The first "OpenSSL 3.0.19 27 Jan 2026"-style version text inside PATH's bytes (OpenSSL
// compiles it into libcrypto and into any program that links OpenSSL statically), or "".
std::string find_openssl_version(const std::string& path);

// The first string in PATH's bytes that starts with PREFIX, up to the next NUL or
// non-printable byte (at most 80 characters), or "".
std::string find_string_starting(const std::string& path, const std::string& prefix);

// Whether PATH's bytes contain BYTES anywhere.
bool file_contains(const std::string& path, std::string_view bytes);
