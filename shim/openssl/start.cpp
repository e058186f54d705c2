// The engine's start: the state it keeps in OpenSSL's objects, its error strings,
// and the check of the policy's values with OpenSSL's own parser.
#include "openssl/engine.hpp"

namespace tlso {
namespace {

void free_context_state(void*, void* state, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<ContextState*>(state);
}
void free_connection_state(void*, void* state, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<ConnectionState*>(state);
}
// SSL_dup copies the ex_data pointers: without a copy of our own, both connections
// would free one state. The copy keeps the decision and the program's callback;
// its handshake is its own (not recorded yet). (1.1.1 declares `from_d` as void*,
// but passes the same void** as 3.x.)
int dup_connection_state(CRYPTO_EX_DATA*, const CRYPTO_EX_DATA*, void** from_d, int, long, void*) {
    auto** slot = reinterpret_cast<ConnectionState**>(from_d);
    if (!*slot) return 1;
    try {
        auto* copy = new ConnectionState(**slot);
        copy->recorded = false;
        copy->alert.clear();
        copy->cipher_list = nullptr;  // the copy's list is a new stack
        *slot = copy;
    } catch (...) {
        *slot = nullptr;  // out of memory: the copy starts without our state
    }
    return 1;
}

ERR_STRING_DATA error_strings[3];

// An error code as the process's OpenSSL packs it: 3.x puts the library at bit 23
// (ERR_PACK in the headers we build with), 1.1.1 at bit 24 with a function field.
unsigned long error_code(const OpenSsl& ssl, int library, int reason) {
    if (ssl.abi == OpenSslAbi::V1_1_1)
        return (static_cast<unsigned long>(library) & 0xffUL) << 24 | (static_cast<unsigned long>(reason) & 0xfffUL);
    return static_cast<unsigned long>(ERR_PACK(library, 0, reason));
}

void register_error_strings(Engine& e) {
    e.error_library = e.ssl->ERR_get_next_error_library();
    error_strings[0] = {error_code(*e.ssl, e.error_library, 0), "tlsoverride"};
    error_strings[1] = {error_code(*e.ssl, e.error_library, 1),
                        "tlsoverride configuration is invalid; the tlsoverride log line names the setting"};
    error_strings[2] = {0, nullptr};
    e.ssl->ERR_load_strings(e.error_library, error_strings);
}

}  // namespace

ContextState* Engine::state_of(const SSL_CTX* ctx) const {
    return ctx ? static_cast<ContextState*>(ssl->SSL_CTX_get_ex_data(ctx, context_slot)) : nullptr;
}

ConnectionState* Engine::existing_connection_state(const SSL* s) const {
    const int slot = connection_slot.load(std::memory_order_acquire);
    return slot < 0 ? nullptr : static_cast<ConnectionState*>(ssl->SSL_get_ex_data(s, slot));
}

// An index registered after connections exist serves them too: OpenSSL's ex_data grows
// on the first set, and SSL_free and SSL_dup call the callbacks registered at that time.
void Engine::register_connection_slot() const {
    std::call_once(connection_slot_registered, [this] {
        connection_slot.store(ssl->CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, nullptr, nullptr, dup_connection_state,
                                                           free_connection_state),
                              std::memory_order_release);
    });
}

ConnectionState* Engine::connection_state(SSL* s) const {
    if (ConnectionState* c = existing_connection_state(s)) return c;
    register_connection_slot();
    const int slot = connection_slot.load(std::memory_order_acquire);
    if (slot < 0) return nullptr;
    auto* c = new ConnectionState;
    if (!ssl->SSL_set_ex_data(s, slot, c)) {
        delete c;
        return nullptr;
    }
    return c;
}

const Settings* Engine::settings_of(const SSL* s) const {
    const ConnectionState* c = existing_connection_state(s);
    if (c && c->decided) return c->settings;
    return settings_of(c, state_of(ssl->SSL_get_SSL_CTX(s)));
}

// Leaves an OpenSSL error on the queue so the program reports a TLS set-up error.
// 3.x raises with ERR_new/ERR_set_error; 1.1.1 with ERR_put_error (a macro in 3.x).
// The error strings are registered with the first error raised (30,000
// instructions a process that never fails closed does not spend).
SSL_CTX* fail_closed(Engine& e, const char* function, const std::string& why) {
    const OpenSsl& ssl = *e.ssl;
    std::call_once(e.error_strings, [&] { register_error_strings(e); });
    if (ssl.ERR_new) {
        ssl.ERR_new();
        ssl.ERR_set_debug("tlsoverride", 0, function);
        ssl.ERR_set_error(e.error_library, 1, "%s", why.c_str());
    } else {
        ssl.put_error_1_1_1(e.error_library, 0, 1, "tlsoverride", 0);
        ssl.ERR_add_error_data(1, why.c_str());
    }
    return nullptr;
}

Engine* start_engine(const Stage1* stage1, InfoCallback on_info) {
    Process& core = process();
    auto* e = new Engine(core, stage1);
    e->info_callback = on_info;
    const OpenSsl& ssl = *e->ssl;
    e->context_slot = ssl.CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, nullptr, nullptr, free_context_state);
    // A configuration that gives every connection a state (records, host or role rules)
    // registers its slot now, before the first connection: registered later, the heap of a
    // long-running process settled ~40 KB higher (make bench, figure 6).
    if (core.records || core.connection_rules) e->register_connection_slot();
    e->error = core.error;
    // With rules, every layer's values are checked now on a scratch context (1.2M
    // instructions, once): a bad value anywhere fails the process, as `check` does.
    // With one layer, applying it to the program's first context is the check.
    if (e->error.empty() && core.loaded.errors.empty() && core.loaded.layers.size() > 1)
        e->error = core.reject(validate_with_openssl(ssl, core.loaded.all_layers()));
    return e;
}

}  // namespace tlso
