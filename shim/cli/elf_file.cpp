// Reading ELF program headers, the dynamic section and .dynsym straight from the file.
// Every offset comes from an untrusted file, so every read is bounds-checked.
#include "elf_file.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace {

// A read-only mapping of a whole file: node is 100 MB, and the kernel pages in only
// the headers and tables we touch.
class MappedFile {
public:
    explicit MappedFile(const std::string& path) {
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            error_ = std::string("cannot open: ") + std::strerror(errno);
            return;
        }
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            error_ = "not a regular file";
        } else if (st.st_size > 0) {
            void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) error_ = std::string("cannot map: ") + std::strerror(errno);
            else bytes_ = std::string_view(static_cast<const char*>(p), static_cast<size_t>(st.st_size));
        }
        close(fd);
    }
    ~MappedFile() {
        if (!bytes_.empty()) munmap(const_cast<char*>(bytes_.data()), bytes_.size());
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view bytes() const { return bytes_; }
    const std::string& error() const { return error_; }

private:
    std::string_view bytes_;
    std::string error_;
};

// Copies a T from OFFSET if it lies entirely inside the file.
template <class T>
std::optional<T> read_at(std::string_view bytes, std::uint64_t offset) {
    if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return std::nullopt;
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

// A NUL-terminated string starting at OFFSET, not running past LIMIT (an end offset).
std::optional<std::string> string_at(std::string_view bytes, std::uint64_t offset, std::uint64_t limit) {
    limit = std::min<std::uint64_t>(limit, bytes.size());
    if (offset >= limit) return std::nullopt;
    std::string_view rest = bytes.substr(offset, limit - offset);
    size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;
    return std::string(rest.substr(0, nul));
}

std::vector<std::string> split_path_list(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(':', start);
        if (end == std::string::npos) end = list.size();
        if (end > start) out.push_back(list.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

template <class Ehdr, class Phdr, class Shdr, class Dyn, class Sym>
struct Layout {
    using Header = Ehdr;
    using ProgramHeader = Phdr;
    using SectionHeader = Shdr;
    using DynamicEntry = Dyn;
    using Symbol = Sym;
};
using Elf64Layout = Layout<Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr, Elf64_Dyn, Elf64_Sym>;
using Elf32Layout = Layout<Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr, Elf32_Dyn, Elf32_Sym>;

template <class L>
class ElfReader {
public:
    ElfReader(std::string_view bytes, ElfFile& out) : bytes_(bytes), out_(out) {}

    std::string read() {
        auto header = read_at<typename L::Header>(bytes_, 0);
        if (!header) return "truncated ELF header";
        out_.machine = header->e_machine;
        out_.type = header->e_type;
        if (std::string e = read_program_headers(*header); !e.empty()) return e;
        if (std::string e = read_dynamic_section(); !e.empty()) return e;
        read_dynamic_symbols(*header);
        return "";
    }

private:
    std::string read_program_headers(const typename L::Header& h) {
        for (unsigned i = 0; i < h.e_phnum; ++i) {
            auto ph = read_at<typename L::ProgramHeader>(bytes_, h.e_phoff + std::uint64_t(i) * h.e_phentsize);
            if (!ph) return "truncated program headers";
            if (ph->p_type == PT_LOAD) loads_.push_back(*ph);
            if (ph->p_type == PT_DYNAMIC) dynamic_ = *ph;
            if (ph->p_type == PT_INTERP) {
                auto interp = string_at(bytes_, ph->p_offset, ph->p_offset + ph->p_filesz);
                if (!interp) return "unreadable PT_INTERP";
                out_.interpreter = *interp;
            }
        }
        out_.has_dynamic_section = dynamic_.has_value();
        return "";
    }

    // Dynamic entries point at addresses; the loadable segments map them to file offsets.
    std::optional<std::uint64_t> offset_of_address(std::uint64_t address) const {
        for (const auto& load : loads_)
            if (address >= load.p_vaddr && address - load.p_vaddr < load.p_filesz)
                return address - load.p_vaddr + load.p_offset;
        return std::nullopt;
    }

    std::string read_dynamic_section() {
        if (!dynamic_) return "";
        std::vector<std::uint64_t> needed, rpath, runpath;
        std::optional<std::uint64_t> soname, strtab_address;
        std::uint64_t strtab_size = bytes_.size();
        const std::uint64_t count = dynamic_->p_filesz / sizeof(typename L::DynamicEntry);
        for (std::uint64_t i = 0; i < count; ++i) {
            auto d = read_at<typename L::DynamicEntry>(bytes_, dynamic_->p_offset + i * sizeof(typename L::DynamicEntry));
            if (!d) return "truncated dynamic section";
            const std::uint64_t value = d->d_un.d_val;
            switch (d->d_tag) {
                case DT_NULL: i = count; break;
                case DT_NEEDED: needed.push_back(value); break;
                case DT_SONAME: soname = value; break;
                case DT_RPATH: rpath.push_back(value); break;
                case DT_RUNPATH: runpath.push_back(value); break;
                case DT_STRTAB: strtab_address = value; break;
                case DT_STRSZ: strtab_size = value; break;
                default: break;
            }
        }
        if (!strtab_address) return needed.empty() ? "" : "dynamic section without DT_STRTAB";
        auto strtab = offset_of_address(*strtab_address);
        if (!strtab) return "DT_STRTAB outside the file's loadable segments";
        auto name = [&](std::uint64_t at) { return string_at(bytes_, *strtab + at, *strtab + strtab_size); };
        for (std::uint64_t at : needed)
            if (auto n = name(at)) out_.needed.push_back(*n);
        if (soname)
            if (auto n = name(*soname)) out_.soname = *n;
        for (std::uint64_t at : rpath)
            if (auto n = name(at))
                for (std::string& dir : split_path_list(*n)) out_.rpath.push_back(dir);
        for (std::uint64_t at : runpath)
            if (auto n = name(at))
                for (std::string& dir : split_path_list(*n)) out_.runpath.push_back(dir);
        return "";
    }

    // The dynamic symbol table is found through the section headers (SHT_DYNSYM and its
    // linked string table); ld.so would use DT_GNU_HASH, which does not give the count.
    void read_dynamic_symbols(const typename L::Header& h) {
        if (h.e_shoff == 0 || h.e_shnum == 0) return;
        for (unsigned i = 0; i < h.e_shnum; ++i) {
            auto sh = read_at<typename L::SectionHeader>(bytes_, h.e_shoff + std::uint64_t(i) * h.e_shentsize);
            if (!sh) return;
            if (sh->sh_type != SHT_DYNSYM || sh->sh_entsize < sizeof(typename L::Symbol)) continue;
            auto strings = read_at<typename L::SectionHeader>(bytes_, h.e_shoff + std::uint64_t(sh->sh_link) * h.e_shentsize);
            if (!strings) return;
            const std::uint64_t end = strings->sh_offset + strings->sh_size;
            for (std::uint64_t at = sh->sh_offset; at + sh->sh_entsize <= sh->sh_offset + sh->sh_size; at += sh->sh_entsize) {
                auto sym = read_at<typename L::Symbol>(bytes_, at);
                if (!sym) return;
                auto name = string_at(bytes_, strings->sh_offset + sym->st_name, end);
                if (!name || name->empty()) continue;
                if (sym->st_shndx == SHN_UNDEF) out_.imported_symbols.insert(*name);
                else out_.defined_symbols.insert(*name);
            }
            out_.symbols_read = true;
            return;
        }
    }

    std::string_view bytes_;
    ElfFile& out_;
    std::vector<typename L::ProgramHeader> loads_;
    std::optional<typename L::ProgramHeader> dynamic_;
};

bool is_little_endian_host() {
    const std::uint16_t one = 1;
    unsigned char first;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

// "3.0.19", "1.1.1w": three dot-separated numbers (a letter may follow). "3.0 legacy
// provider" is prose.
bool is_version_number(std::string_view s) {
    int numbers = 0;
    size_t i = 0;
    while (numbers < 3) {
        size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        if (i == start) return false;
        if (++numbers < 3) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
    }
    return true;
}

}  // namespace

std::optional<ElfFile> read_elf(const std::string& path, std::string& error) {
    MappedFile file(path);
    if (!file.error().empty()) {
        error = file.error();
        return std::nullopt;
    }
    std::string_view b = file.bytes();
    if (b.size() < EI_NIDENT || b.substr(0, SELFMAG) != std::string_view(ELFMAG, SELFMAG)) {
        error = "not an ELF file";
        return std::nullopt;
    }
    const bool little = b[EI_DATA] == ELFDATA2LSB;
    if (little != is_little_endian_host()) {
        error = "ELF file of the other byte order than this machine's";
        return std::nullopt;
    }
    ElfFile elf;
    if (b[EI_CLASS] == ELFCLASS64) {
        elf.bits = 64;
        error = ElfReader<Elf64Layout>(b, elf).read();
    } else if (b[EI_CLASS] == ELFCLASS32) {
        elf.bits = 32;
        error = ElfReader<Elf32Layout>(b, elf).read();
    } else {
        error = "unknown ELF class";
    }
    if (!error.empty()) return std::nullopt;
    return elf;
}

std::string describe_architecture(const ElfFile& elf) {
    std::string machine;
    switch (elf.machine) {
        case EM_X86_64: machine = "x86-64"; break;
        case EM_386: machine = "i386"; break;
        case EM_AARCH64: machine = "aarch64"; break;
        case EM_ARM: machine = "arm"; break;
        case EM_RISCV: machine = "riscv"; break;
        case EM_PPC64: machine = "ppc64"; break;
        case EM_S390: machine = "s390"; break;
        default: machine = "machine " + std::to_string(elf.machine); break;
    }
    return std::to_string(elf.bits) + "-bit " + machine;
}

std::string find_string_starting(const std::string& path, const std::string& prefix) {
    MappedFile file(path);
    std::string_view b = file.bytes();
    size_t at = b.find(prefix);
    if (at == std::string_view::npos) return "";
    std::string found;
    for (size_t i = at; i < b.size() && found.size() < 80; ++i) {
        unsigned char c = static_cast<unsigned char>(b[i]);
        if (c == 0 || !std::isprint(c)) break;
        found += static_cast<char>(c);
    }
    return found;
}

bool file_contains(const std::string& path, std::string_view bytes) {
    MappedFile file(path);
    return file.bytes().find(bytes) != std::string_view::npos;
}

std::string find_openssl_version(const std::string& path) {
    MappedFile file(path);
    std::string_view b = file.bytes();
    const std::string_view marker = "OpenSSL ";
    for (size_t at = b.find(marker); at != std::string_view::npos; at = b.find(marker, at + 1)) {
        // "OpenSSL 3.0.19 27 Jan 2026" or "OpenSSL 1.1.1w  11 Sep 2023": a version number
        // right after the name; prose that merely mentions OpenSSL has none.
        size_t i = at + marker.size();
        if (!is_version_number(b.substr(i, 16))) continue;
        std::string text;
        for (; i < b.size() && text.size() < 40; ++i) {
            unsigned char c = static_cast<unsigned char>(b[i]);
            if (c == 0 || !std::isprint(c)) break;
            if (c == ' ' && !text.empty() && text.back() == ' ') continue;
            text += static_cast<char>(c);
        }
        return "OpenSSL " + text;
    }
    return "";
}
