#include "gnutls_check.hpp"

#include <gnutls/gnutls.h>

#include <algorithm>

#include "core/gnutls_priority.hpp"

using namespace tlso;

Diagnostics gnutls_translation_errors(const ProcessConfig& pc, const Diagnostics& already) {
    Diagnostics found;
    auto add = [&](const Diagnostic& d) {
        auto same_place = [&](const Diagnostic& e) { return !d.where.empty() && e.where == d.where; };
        auto same_text = [&](const Diagnostic& e) { return e.text() == d.text(); };
        if (std::none_of(already.begin(), already.end(), same_place) && std::none_of(found.begin(), found.end(), same_text))
            found.push_back(d);
    };
    for (const Settings& layer : pc.layers) {
        GnutlsTranslation t = translate_for_gnutls(layer);
        for (const Diagnostic& d : t.errors) add(d);
        if (!t.errors.empty() || t.tokens.empty()) continue;
        std::string probe = "NORMAL:" + t.tokens;
        gnutls_priority_t cache = nullptr;
        const char* where = nullptr;
        int ret = gnutls_priority_init(&cache, probe.c_str(), &where);
        if (ret < 0) {
            std::size_t at = where ? static_cast<std::size_t>(where - probe.c_str()) : 0;
            std::string token = probe.substr(at, probe.find(':', at) - at);
            add({layer.gnutls_priority ? layer.gnutls_priority->origin.location : "",
                 "GnuTLS " + std::string(gnutls_check_version(nullptr)) + " rejects '" + token +
                     "' in the priority tokens '" + t.tokens + "': " + gnutls_strerror(ret) +
                     " (list GnuTLS's names with: gnutls-cli -l)"});
        } else {
            gnutls_priority_deinit(cache);
        }
    }
    return found;
}

std::string gnutls_tokens_text(const Settings& s) {
    GnutlsTranslation t = translate_for_gnutls(s);
    return t.tokens.empty() ? "(nothing: GnuTLS programs keep their own priorities)" : t.tokens;
}
