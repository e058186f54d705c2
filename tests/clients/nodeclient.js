// A node client that hard-codes its TLS choices, one connection per CASE to 127.0.0.1:PORT:
//   node nodeclient.js CA.pem PORT CASE...
//   default   tls.connect on node's defaults
//   min13     tls.connect with minVersion 'TLSv1.3'
//   pinned    tls.connect with secureProtocol 'TLSv1_method'
//   sni       tls.connect with servername 'modern.test'
//   https     https.get with its default agent
// Prints "CASE: connected VERSION CIPHER" or "CASE: handshake failed: REASON".
'use strict';
const tls = require('tls');
const https = require('https');
const fs = require('fs');

const [ca, port, ...cases] = process.argv.slice(2);
const trust = { ca: fs.readFileSync(ca), host: '127.0.0.1', port: Number(port) };
const options = { default: {}, min13: { minVersion: 'TLSv1.3' }, pinned: { secureProtocol: 'TLSv1_method' },
                  sni: { servername: 'modern.test' } };

function one(name) {
  return new Promise((done) => {
    const report = (text) => { console.log(`${name}: ${text}`); done(); };
    const failed = (e) => report(`handshake failed: ${e.reason || e.message}`);
    if (name === 'https') {
      https.get(`https://127.0.0.1:${port}/`, { ca: trust.ca, agent: false }, (res) => {
        report(`connected ${res.socket.getProtocol()} ${res.socket.getCipher().name} http ${res.statusCode}`);
        res.destroy();
      }).on('error', failed);
      return;
    }
    const s = tls.connect(Object.assign({}, trust, options[name]), () => {
      report(`connected ${s.getProtocol()} ${s.getCipher().name}`);
      s.end();
    });
    s.on('error', failed);
  });
}

(async () => { for (const c of cases) await one(c); })();
