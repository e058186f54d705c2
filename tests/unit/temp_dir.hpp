// A temporary directory for tests that read real files; removed with everything in it.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

struct TempDir {
    std::string path;
    TempDir() {
        char name[] = "/tmp/tlso-unit-XXXXXX";
        REQUIRE(mkdtemp(name) != nullptr);
        path = name;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string write(const std::string& file, const std::string& text) const {
        std::string full = path + "/" + file;
        std::ofstream(full, std::ios::binary) << text;
        return full;
    }
};
