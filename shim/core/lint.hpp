// What `tlsoverride check` warns about in a configuration that is valid: it works, but
// probably not as meant, or it is not safe where it lives. Warnings, not errors: the
// library applies such a file as written.
#pragma once

#include "core/config.hpp"
#include "core/diagnostic.hpp"

namespace tlso {

// Rules that can never match because an earlier rule matches every case they match,
// and [policy] or rules that allow a protocol below TLSv1.2 or security level 0. Pure.
Diagnostics lint_config(const Config& config);

// Every file read, the directory that holds config.toml and conf.d/, and the directories
// above it, when a group or other users may write them: setuid programs read the file
// under /etc, and a writable directory lets someone add a conf.d/ file or replace the
// file. A sticky directory (/tmp) still lets anyone create conf.d/ beside a file in it.
Diagnostics lint_permissions(const Config& config);

}  // namespace tlso
