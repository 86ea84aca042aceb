// Prints a client_assertion (RFC 7523) for cli-jwt (HS256) or cli-pkjwt (ES256), node crypto only.
// usage: node scripts/client-assertion.mjs cli-jwt|cli-pkjwt <audience: issuer or token endpoint URL>
import crypto from 'node:crypto';
import fs from 'node:fs';

const [clientId, aud] = process.argv.slice(2);
if (!['cli-jwt', 'cli-pkjwt'].includes(clientId) || !aud) {
  console.error('usage: node scripts/client-assertion.mjs cli-jwt|cli-pkjwt <audience>');
  process.exit(2);
}
const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const payload = { iss: clientId, sub: clientId, aud, jti: crypto.randomUUID(), iat: now, exp: now + 60 };
const alg = clientId === 'cli-jwt' ? 'HS256' : 'ES256';
const input = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
const sig = clientId === 'cli-jwt'
  ? crypto.createHmac('sha256', 'cli-jwt-hs256-secret-0123456789abcdef').update(input).digest()
  : crypto.sign('sha256', Buffer.from(input), {
    key: fs.readFileSync(new URL('../../fixtures/keys/interop-pkjwt-private.pem', import.meta.url)), dsaEncoding: 'ieee-p1363',
  });
process.stdout.write(`${input}.${sig.toString('base64url')}\n`);
