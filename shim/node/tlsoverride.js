// tlsoverride for node: `tlsoverride run` adds `--require` of this file to NODE_OPTIONS and
// puts the policy it resolved (environment, file, the rule for this program) into
// TLSOVERRIDE_RUNTIME_POLICY. A node binary that carries its own OpenSSL (nodesource,
// nodejs.org) never calls a libssl a preload could reach; every secure context it makes goes
// through tls.createSecureContext, so that is where the policy is applied:
//  - mode "default": the policy becomes node's defaults (tls.DEFAULT_MIN_VERSION and the
//    rest); what a program passes explicitly stands;
//  - mode "enforce": the policy wins over a program's minVersion, maxVersion, ciphers,
//    ecdhCurve, sigalgs; a bound it does not name stays the program's unless it would
//    leave no version in the policy's range (the library's core/policy rule);
//  - a pinned secureProtocol ('TLSv1_method') becomes the flexible method with the policy's
//    range whenever the policy names a bound (design: Pinned methods).
// Handshake records have the library's text and JSON format (shim/core/record.cpp).
'use strict';

const tls = require('tls');
const fs = require('fs');
const net = require('net');
const { constants } = require('crypto');

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const PINNED = /^(TLSv1|TLSv1_1|TLSv1_2)_(client_|server_)?method$/;
// OpenSSL `Options` names this module can set, as node's secureOptions bits.
const OPTIONS = {
  UnsafeLegacyServerConnect: 'SSL_OP_LEGACY_SERVER_CONNECT',
  UnsafeLegacyRenegotiation: 'SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION',
  ServerPreference: 'SSL_OP_CIPHER_SERVER_PREFERENCE',
  '-SessionTicket': 'SSL_OP_NO_TICKET',
};
const INSTALLED = Symbol.for('tlsoverride.installed');
const OFFERED = Symbol('tlsoverride.offered');    // on a context: the range it offers
const RECORDED = Symbol('tlsoverride.recorded');  // on a socket: its record is written

function parse(text) {
  const values = {};
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) values[pair.slice(0, eq)] = decodeURIComponent(pair.slice(eq + 1));
  }
  return values;
}

// ---- the log: the library's voice (shim/core/log.cpp) ----

function oneLine(text) {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

function jsonString(text) {
  let out = '';
  for (const c of String(text)) {
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c < ' ') out += '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
    else out += c;
  }
  return '"' + out + '"';
}

class Log {
  constructor(v) {
    const levels = ['off', 'error', 'warn', 'info', 'debug'];
    this.level = Math.max(0, levels.indexOf(v.log || 'warn'));
    if (!v.log) this.level = 2;
    this.json = v.log_format === 'json';
    this.handshakes = v.handshakes === '1';
    this.program = v.program || 'node';
    this.fd = 2;
    if (v.log_file && v.log_file !== 'syslog') {
      try {
        // Not following a symbolic link, like the library's O_NOFOLLOW.
        this.fd = fs.openSync(v.log_file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT |
                              fs.constants.O_NOFOLLOW, 0o640);
      } catch (e) {
        this.write(2, `cannot open log file ${v.log_file}: ${e.message}; logging to standard error`);
      }
    }
  }

  enabled(level) { return level > 0 && level <= this.level; }

  // One write per line, so lines from several processes sharing the file never interleave.
  line(text) {
    try { fs.writeSync(this.fd, oneLine(text) + '\n'); } catch (e) { /* a log never stops TLS */ }
  }

  write(level, message) {
    if (!this.enabled(level)) return;
    const word = ['', 'error', 'warning', 'info', 'debug'][level];
    if (this.json) {
      this.line(`{"time":"${new Date().toISOString()}","type":"log","level":"${word}","program":${jsonString(this.program)},` +
                `"pid":${process.pid},"message":${jsonString(message)}}`);
    } else {
      this.line(`tlsoverride[${process.pid}]: ${word}: ${message}`);
    }
  }
}

// ---- records (shim/core/record.cpp: hint_for, format_text, format_json) ----

function hint(r) {
  const mentions = (t) => r.reason.includes(t) || r.alert.includes(t);
  const offered = r.offered_versions || '?';
  if (mentions('certificate verify failed') || mentions('unknown ca') || mentions('bad certificate') ||
      mentions('self-signed certificate') || mentions('self signed certificate') || mentions('unable to verify') ||
      mentions('altnames'))
    return 'certificate verification failed; tlsoverride does not and will not change verification: ' +
           "fix the trust store (CA file) or the peer's certificate";
  if (mentions('unsafe legacy renegotiation'))
    return 'the peer does not support secure renegotiation (RFC 5746), which OpenSSL 3 requires; ' +
           'set options = ["UnsafeLegacyServerConnect"] for this host';
  if (mentions('legacy sigalg') || mentions('dh key too small') || mentions('ee key too small') ||
      mentions('ca md too weak') || mentions('insufficient security') || mentions('key too small'))
    return "the peer's keys or signatures are below this side's security level; set security_level = 0 " +
           'for this host (OpenSSL 3 needs level 0 for TLSv1 and TLSv1.1 with ECDHE/DHE)';
  if (mentions('unsupported protocol') || mentions('protocol version') || mentions('wrong version number') ||
      mentions('no protocols available') || mentions('version too low')) {
    const h = `no protocol version in common; this side offered ${offered}: set `;
    if (r.offered_high !== undefined && r.offered_high < 2)
      return h + 'min_protocol = "TLSv1.2" (the peer most likely wants TLSv1.2 or later)';
    if (r.offered_low !== undefined && r.offered_low >= 2)
      return h + 'min_protocol = "TLSv1" and security_level = 0 for this host (the peer most likely ' +
                 'speaks only an older version)';
    return h + 'min_protocol/max_protocol to a range the peer speaks (tlsoverride probe HOST shows it)';
  }
  if (mentions('no shared cipher') || mentions('no cipher') || mentions('handshake failure'))
    return `no cipher in common (this side offered ${r.offered_ciphers} ciphers); set ciphers (TLS 1.2 and below) ` +
           'or ciphersuites (TLS 1.3) to include one the peer accepts (tlsoverride probe HOST lists them)';
  return '';
}

function formatText(r) {
  let l = `tlsoverride[${r.pid}]: handshake ${r.ok ? 'ok' : 'FAILED'}: ${r.role} ${r.program} peer=${r.peer || '?'} ` +
          `sni=${r.sni || '-'}`;
  if (r.ok) {
    l += ` version=${r.version} cipher=${r.cipher}`;
    if (r.group) l += ` group=${r.group}`;
    l += r.resumed ? ' resumed=yes' : ' resumed=no';
  } else {
    if (r.alert) l += ` alert="${r.alert}" ${r.alert_sent ? '(sent)' : '(received)'}`;
    if (r.reason) l += ` reason="${r.reason}"`;
    l += ` offered=${r.offered_versions || '?'} ciphers=${r.offered_ciphers}`;
    const h = hint(r);
    if (h) l += ` hint: ${h}`;
  }
  if (r.rule) l += ` rule="${r.rule}"`;
  return l;
}

function formatJson(r) {
  const f = (name, value) => `,"${name}":${jsonString(value)}`;
  let l = `{"time":"${r.time}","type":"handshake"${f('program', r.program)},"pid":${r.pid}${f('role', r.role)}` +
          `${f('sni', r.sni)}${f('peer', r.peer)},"ok":${r.ok}`;
  if (r.ok) {
    l += `${f('version', r.version)}${f('cipher', r.cipher)}${f('group', r.group)},"resumed":${r.resumed}`;
  } else {
    l += `${f('alert', r.alert)},"alert_sent":${r.alert_sent}${f('reason', r.reason)}` +
         `${f('offered_versions', r.offered_versions || '?')},"offered_ciphers":${r.offered_ciphers}${f('hint', hint(r))}`;
  }
  if (r.rule) l += f('rule', r.rule);
  return l + '}';
}

// ---- the policy ----

// Shell-style glob (* ? [...]), case-insensitive, like host globs in the library.
function glob(pattern, text) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const end = c === '[' ? pattern.indexOf(']', i + 2) : -1;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (end > 0) {
      const set = pattern.slice(i + 1, end);
      re += '[' + (set[0] === '!' ? '^' + set.slice(1) : set).replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp('^' + re + '$', 'i').test(text);
}

class Policy {
  // PREFIX '' for the process's layer, 'rN.' for a rule that decides single connections.
  constructor(v, prefix = '', root = null) {
    this.enforce = v.mode === 'enforce';
    this.min = VERSIONS.indexOf(v[prefix + 'min']);
    this.max = VERSIONS.indexOf(v[prefix + 'max']);
    this.ciphers = v[prefix + 'ciphers'];            // OpenSSL cipher list, TLSv1.2 and below
    this.ciphersuites = v[prefix + 'ciphersuites'];  // OpenSSL TLSv1.3 suites
    this.groups = v[prefix + 'groups'];
    this.sigalgs = v[prefix + 'sigalgs'];
    this.seclevel = v[prefix + 'seclevel'];
    this.options = 0;
    for (const name of (v[prefix + 'options'] || '').split(',').filter(Boolean))
      if (OPTIONS[name] && constants[OPTIONS[name]] !== undefined) this.options |= constants[OPTIONS[name]];
    this.rule = v[prefix + 'rule'] || '';
    this.hosts = (v[prefix + 'hosts'] || '').split(',').filter(Boolean);
    this.role = v[prefix + 'role'];
    this.log = root ? root.log : new Log(v);
    this.rules = [];
    if (!root) for (let i = 1; i <= Number(v.rules || 0); i++) this.rules.push(new Policy(v, `r${i}.`, this));
  }

  // The first rule whose host and role match a client connection to SNI, else this.
  forClient(sni) {
    for (const r of this.rules) {
      if (r.role && r.role !== 'client') continue;
      if (r.hosts.length && !(sni && r.hosts.some((g) => glob(g, sni)))) continue;
      return r;
    }
    return this;
  }

  namesBound() { return this.min >= 0 || this.max >= 0; }
  lowest() { return this.min >= 0 ? this.min : 0; }
  highest() { return this.max >= 0 ? this.max : VERSIONS.length - 1; }
  namesCiphers() { return this.ciphers !== undefined || this.ciphersuites !== undefined || this.seclevel !== undefined; }

  // The range a context gets when the program asks for LOW..HIGH (indices).
  range(low, high) {
    const lo = this.min >= 0 ? this.min : (low < 0 || low > this.highest() ? 0 : low);
    const hi = this.max >= 0 ? this.max : (high < 0 || high < this.lowest() ? VERSIONS.length - 1 : high);
    return [VERSIONS[lo], VERSIONS[hi]];
  }

  // A node cipher string (TLS 1.3 suites and the TLS 1.2 list in one, split by node on the
  // "TLS_" prefix) from the program's string with the parts the policy names replaced.
  cipherString(program) {
    const parts = (program || tls.DEFAULT_CIPHERS).split(':').filter(Boolean);
    const suites = this.ciphersuites !== undefined ? this.ciphersuites.split(':').filter(Boolean)
                                                   : parts.filter((p) => p.startsWith('TLS_'));
    let list = this.ciphers !== undefined ? [...this.ciphers.split(':').filter(Boolean), '!aNULL', '!eNULL']
                                          : parts.filter((p) => !p.startsWith('TLS_'));
    if (this.seclevel !== undefined) list = [...list.filter((p) => !p.startsWith('@SECLEVEL=')), `@SECLEVEL=${this.seclevel}`];
    return [...suites, ...list].join(':');
  }
}

function install(root) {
  const policy = root;
  const log = root.log;
  const kept = (what, asked, value) => {
    if (asked !== undefined && asked !== value && log.enabled(4))
      log.write(4, `enforce: kept the policy's ${what} ${value} (program asked ${asked})`);
  };

  // mode "default": the policy is node's defaults; a program's own value stands.
  if (!policy.enforce) {
    if (policy.namesBound()) {
      const [lo, hi] = policy.range(VERSIONS.indexOf(tls.DEFAULT_MIN_VERSION), VERSIONS.indexOf(tls.DEFAULT_MAX_VERSION));
      tls.DEFAULT_MIN_VERSION = lo;
      tls.DEFAULT_MAX_VERSION = hi;
    }
    if (policy.namesCiphers()) tls.DEFAULT_CIPHERS = policy.cipherString(tls.DEFAULT_CIPHERS);
    if (policy.groups !== undefined) tls.DEFAULT_ECDH_CURVE = policy.groups;
  }

  const original = tls.createSecureContext;
  tls.createSecureContext = function createSecureContext(options) {
    const o = Object.assign({}, options);
    // tls.connect passes its own options: a client connection, whose server name chooses
    // among the per-connection rules (as the library does when the SNI is set).
    const client = o.host !== undefined || o.servername !== undefined || o.port !== undefined;
    const sni = o.servername !== undefined ? o.servername : (o.host && !net.isIP(o.host) ? o.host : '');
    const policy = client ? root.forClient(sni) : root;
    if (policy !== root) log.write(3, `client connection to ${sni}: from rule "${policy.rule}"`);
    let low = VERSIONS.indexOf(o.minVersion || tls.DEFAULT_MIN_VERSION);
    let high = VERSIONS.indexOf(o.maxVersion || tls.DEFAULT_MAX_VERSION);
    const pinned = typeof o.secureProtocol === 'string' && PINNED.exec(o.secureProtocol);
    if (pinned && policy.namesBound()) {
      low = high = VERSIONS.indexOf(pinned[1].replace('_', '.'));
      log.write(3, `secureProtocol ${o.secureProtocol}: made flexible with protocols ` +
                   `${policy.range(low, high).join('-')} (program asked ${VERSIONS[low]} only)`);
      delete o.secureProtocol;
    }
    if (policy.namesBound() && (policy.enforce || pinned)) {
      const [lo, hi] = policy.range(low, high);
      if (policy.enforce) { kept('minVersion', o.minVersion, lo); kept('maxVersion', o.maxVersion, hi); }
      o.minVersion = lo;
      o.maxVersion = hi;
    }
    if (policy.enforce) {
      if (policy.namesCiphers()) {
        const value = policy.cipherString(o.ciphers);
        kept('ciphers', o.ciphers, value);
        o.ciphers = value;
      }
      if (policy.groups !== undefined) { kept('ecdhCurve', o.ecdhCurve, policy.groups); o.ecdhCurve = policy.groups; }
      if (policy.sigalgs !== undefined) { kept('sigalgs', o.sigalgs, policy.sigalgs); o.sigalgs = policy.sigalgs; }
    } else if (policy.sigalgs !== undefined && o.sigalgs === undefined) {
      o.sigalgs = policy.sigalgs;
    }
    if (!policy.enforce && policy !== root) {
      // Default mode: a rule's values are this connection's defaults; the program's own stand.
      if (policy.namesBound() && o.minVersion === undefined && o.maxVersion === undefined && !pinned)
        [o.minVersion, o.maxVersion] = policy.range(low, high);
      if (policy.namesCiphers() && o.ciphers === undefined) o.ciphers = policy.cipherString(undefined);
      if (policy.groups !== undefined && o.ecdhCurve === undefined) o.ecdhCurve = policy.groups;
    }
    if (policy.options) o.secureOptions = (o.secureOptions || 0) | policy.options;
    const context = original.call(this, o);
    const lo = VERSIONS.indexOf(o.minVersion || tls.DEFAULT_MIN_VERSION);
    const hi = VERSIONS.indexOf(o.maxVersion || tls.DEFAULT_MAX_VERSION);
    context[OFFERED] = { low: lo, high: hi, rule: policy.rule, sni: client ? sni : '' };
    return context;
  };

  // Records: every TLS socket, client or server, announces its handshake through emit.
  const emit = tls.TLSSocket.prototype.emit;
  tls.TLSSocket.prototype.emit = function (event, value) {
    if (log.handshakes && !this[RECORDED]) {
      try { observe(this, event, value); } catch (e) { /* a record never breaks the program */ }
    }
    return emit.apply(this, arguments);
  };

  function observe(socket, event, value) {
    const server = Boolean(socket._tlsOptions && socket._tlsOptions.isServer);
    let ok;
    if (server ? event === 'secure' : event === 'secureConnect') ok = true;
    else if (server ? event === '_tlsError' : event === 'error') ok = false;
    else return;
    socket[RECORDED] = true;  // one record per socket
    const r = {
      time: new Date().toISOString(), program: log.program, pid: process.pid, role: server ? 'server' : 'client',
      sni: (server ? socket.servername : socket._tlsOptions && socket._tlsOptions.servername) || socket.servername || '',
      peer: socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : '', ok,
    };
    const context = socket._tlsOptions && socket._tlsOptions.secureContext;
    const offered = (context && context[OFFERED]) || { low: -1, high: -1, rule: root.rule };
    r.rule = offered.rule;
    if (!server && !r.sni) r.sni = offered.sni || '';
    if (ok) {
      const cipher = socket.getCipher() || {};
      const key = server ? {} : (socket.getEphemeralKeyInfo() || {});
      Object.assign(r, { version: socket.getProtocol() || '', cipher: cipher.name || '',
                         group: /^X(25519|448)$/.test(key.name || '') ? key.name.toLowerCase() : (key.name || ''),
                         resumed: socket.isSessionReused() });
    } else {
      const reason = (value && (value.reason || value.message)) || '';
      const alert = /alert (.+)$/.exec(reason);
      Object.assign(r, { alert: alert ? alert[1] : '', alert_sent: false, reason, offered_ciphers: 0,
                         offered_low: offered.low >= 0 ? offered.low : undefined,
                         offered_high: offered.high >= 0 ? offered.high : undefined,
                         offered_versions: offered.low >= 0 ? `${VERSIONS[offered.low]}-${VERSIONS[offered.high]}` : '' });
    }
    log.line(log.json ? formatJson(r) : formatText(r));
  }

  log.write(3, `node module installed: mode ${policy.enforce ? 'enforce' : 'default'}` +
               (policy.namesBound() ? `, protocols ${VERSIONS[policy.lowest()]}-${VERSIONS[policy.highest()]}` : ''));
}

const text = process.env.TLSOVERRIDE_RUNTIME_POLICY;
if (!text) {
  // NODE_OPTIONS copied without its companion variable: say so.
  try {
    fs.writeSync(2, `tlsoverride[${process.pid}]: warning: TLSOVERRIDE_RUNTIME_POLICY is not set, so the node module ` +
                    'has no policy to apply (tlsoverride run --print-env prints both variables)\n');
  } catch (_) { /* nothing */ }
} else if (process.config && process.config.variables && process.config.variables.node_shared_openssl) {
  // This node links libssl (Debian's nodejs): the preloaded library governs it already.
} else if (!tls[INSTALLED]) {
  tls[INSTALLED] = true;
  try {
    install(new Policy(parse(text)));
  } catch (e) {
    try { fs.writeSync(2, `tlsoverride[${process.pid}]: warning: the node module could not be installed (${e.message}); node runs without the policy\n`); } catch (_) { /* nothing */ }
  }
}

// For tests/clients/policy-table.js: the pure decisions.
module.exports = { Policy, glob, VERSIONS };
