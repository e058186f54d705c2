// Table tests of the node module's pure decisions (shim/node/tlsoverride.js): the same
// rules as the library's core/policy, one "ok -" or "not ok -" line per row.
//   node policy-table.js BUILD/tlsoverride.js
'use strict';
process.env.TLSOVERRIDE_RUNTIME_POLICY = 'v=1&log=off';  // loaded for its functions; installs nothing that matters here
const { Policy, glob } = require(process.argv[2]);
const tls = require('tls');

let failed = 0;
function row(what, got, expected) {
  const g = JSON.stringify(got), e = JSON.stringify(expected);
  if (g === e) console.log(`ok - node policy: ${what}`);
  else { console.log(`not ok - node policy: ${what}\n#   expected: ${e}\n#   got:      ${g}`); failed++; }
}
const policy = (text) => new Policy(Object.fromEntries(text.split('&').map((p) => p.split('='))));
const idx = (v) => ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].indexOf(v);

row('min TLSv1.2 owns the lower end: a program minimum TLSv1.3 becomes TLSv1.2',
    policy('min=TLSv1.2').range(idx('TLSv1.3'), idx('TLSv1.3')), ['TLSv1.2', 'TLSv1.3']);
row('min TLSv1.2 keeps a program maximum TLSv1.2', policy('min=TLSv1.2').range(idx('TLSv1'), idx('TLSv1.2')), ['TLSv1.2', 'TLSv1.2']);
row('min TLSv1.2 lifts a program pinned to TLSv1', policy('min=TLSv1.2').range(idx('TLSv1'), idx('TLSv1')), ['TLSv1.2', 'TLSv1.3']);
row('max TLSv1.2 against a program minimum TLSv1.3', policy('max=TLSv1.2').range(idx('TLSv1.3'), idx('TLSv1.3')), ['TLSv1', 'TLSv1.2']);
row('ciphers replace the TLS 1.2 part, keep the TLS 1.3 suites, never aNULL',
    policy('ciphers=ECDHE+AESGCM').cipherString('TLS_AES_128_GCM_SHA256:AES128-SHA'),
    'TLS_AES_128_GCM_SHA256:ECDHE+AESGCM:!aNULL:!eNULL');
row('security_level replaces a program @SECLEVEL', policy('seclevel=0').cipherString('AES128-SHA:@SECLEVEL=2'),
    'AES128-SHA:@SECLEVEL=0');
row('no program ciphers: node\'s defaults are the base', policy('ciphersuites=TLS_AES_256_GCM_SHA384').cipherString(undefined)
    .startsWith('TLS_AES_256_GCM_SHA384:') && !policy('ciphersuites=TLS_AES_256_GCM_SHA384').cipherString(undefined)
    .includes('TLS_CHACHA20'), true);
row('host glob *.TEST matches modern.test', glob('*.TEST', 'modern.test'), true);
row('host glob dots are literal', glob('a.b', 'axb'), false);
row('host glob classes', glob('a[!x]c', 'abc'), true);
const rules = policy('min=TLSv1.2&rules=2&r1.rule=servers&r1.role=server&r1.min=TLSv1.3&r2.rule=old&r2.hosts=*.legacy.test&r2.min=TLSv1');
row('a client to a legacy host gets its rule', rules.forClient('billing.legacy.test').rule, 'old');
row('a role = server rule never applies to a client', rules.forClient('').rule, '');
row('tls defaults are untouched by loading with no bound', tls.DEFAULT_MIN_VERSION, 'TLSv1.2');
process.exit(failed ? 1 : 0);
