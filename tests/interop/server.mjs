// oidc-provider test server for baton's interop tests. See README.md.
// stdout carries exactly one line, `READY <issuer>`; everything else goes to stderr.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

console.log = console.info = console.error; // oidc-provider prints notices with console.info
const { default: Provider, errors } = await import('oidc-provider');
const jose = await import('jose');

const USERS = {
  alice: { password: 'wonderland', name: 'Alice Liddell', email: 'alice@example.com' },
  bob: { password: 'builder', name: 'Bob the Builder', email: 'bob@example.com' },
};
const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'api'];
const API_RESOURCE = 'urn:baton:api';
const AT_TTL = Number(process.env.ACCESS_TOKEN_TTL || 3600);
if (!Number.isInteger(AT_TTL) || AT_TTL < 1) throw new Error('ACCESS_TOKEN_TTL must be a positive integer (seconds)');
const SECRET = crypto.randomBytes(32); // cookie keys and the login form's csrf tokens
// STOCK_PAGES=1: oidc-provider's own login and consent pages (`devInteractions`, as shipped:
// any login and password sign in; the consent page has a Continue button and a Cancel link)
// instead of the interaction handler below.
const STOCK = process.env.STOCK_PAGES === '1';

const pkjwtPem = fs.readFileSync(new URL('../fixtures/keys/interop-pkjwt-private.pem', import.meta.url));
const pkjwtJwk = { ...crypto.createPublicKey(pkjwtPem).export({ format: 'jwk' }), kid: 'pkjwt-fixture', alg: 'ES256', use: 'sig' };
const { privateKey: signingKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...signingKey.export({ format: 'jwk' }), kid: 'sig-rs256', alg: 'RS256', use: 'sig' };

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const ALL_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', 'password',
  'urn:ietf:params:oauth:grant-type:device_code', TOKEN_EXCHANGE, JWT_BEARER];
// RFC 9396: the authorization details types granted as asked (the test's policy: none).
const RAR_TYPES = ['payment_initiation', 'account_information'];
const client = (client_id, token_endpoint_auth_method, extra = {}) => ({
  client_id, token_endpoint_auth_method, application_type: 'native',
  redirect_uris: ['http://127.0.0.1/callback'], response_types: ['code'], grant_types: ALL_GRANTS,
  authorization_details_types: RAR_TYPES, ...extra,
});
const CLIENTS = [
  client('cli-basic', 'client_secret_basic', { client_secret: 'basic-secret' }),
  client('cli-post', 'client_secret_post', { client_secret: 'post-secret' }),
  client('cli-special', 'client_secret_basic', { client_secret: 's3cr+t/with:special&chars=' }),
  client('cli-public', 'none', { grant_types: ALL_GRANTS.filter((g) => g !== 'client_credentials') }),
  client('cli-jwt', 'client_secret_jwt', {
    client_secret: 'cli-jwt-hs256-secret-0123456789abcdef', token_endpoint_auth_signing_alg: 'HS256' }),
  client('cli-pkjwt', 'private_key_jwt', { jwks: { keys: [pkjwtJwk] }, token_endpoint_auth_signing_alg: 'ES256' }),
  client('cli-form', 'client_secret_basic', { client_secret: 'form-secret', grant_types: ['authorization_code', 'refresh_token'] }),
  // RFC 9126 6: its authorize requests must be pushed (`request_uri`), else they are refused.
  client('cli-par', 'client_secret_basic', { client_secret: 'par-secret', require_pushed_authorization_requests: true }),
  // RFC 9449: its tokens must be DPoP-bound (a token request without a proof is refused).
  client('cli-dpop', 'client_secret_basic', { client_secret: 'dpop-secret', dpop_bound_access_tokens: true }),
  // FAPI 2.0's client side: pushed requests, private_key_jwt, DPoP-bound tokens.
  client('cli-fapi', 'private_key_jwt', { jwks: { keys: [pkjwtJwk] }, token_endpoint_auth_signing_alg: 'ES256',
    require_pushed_authorization_requests: true, dpop_bound_access_tokens: true }),
];
// TLS_KEY, TLS_CERT, TLS_CA (PEM files): serve HTTPS on loopback, asking for a client
// certificate (mTLS, RFC 8705; any is taken, the CA's are `authorized`), the issuer https. With
// TLS_CLIENT_CERT, the certificate `cli-mtls` (its subject, tls_client_auth) and
// `cli-mtls-self` (its key and x5c, self_signed_tls_client_auth) are registered with.
const TLS = process.env.TLS_KEY ? {
  key: fs.readFileSync(process.env.TLS_KEY), cert: fs.readFileSync(process.env.TLS_CERT),
  ca: fs.readFileSync(process.env.TLS_CA), requestCert: true, rejectUnauthorized: false,
} : null;
// The certificate of the TLS handshake, and its subject as `tls_client_auth_subject_dn` holds it.
const peerCertificate = (ctx) => {
  const peer = ctx.socket.getPeerCertificate?.();
  return peer?.raw ? new crypto.X509Certificate(peer.raw) : undefined;
};
const subjectDn = (x509) => x509.subject.split('\n').join(', ');
if (TLS && process.env.TLS_CLIENT_CERT) {
  const registered = new crypto.X509Certificate(fs.readFileSync(process.env.TLS_CLIENT_CERT));
  const bound = { tls_client_certificate_bound_access_tokens: true };
  CLIENTS.push(
    client('cli-mtls', 'tls_client_auth', { ...bound, tls_client_auth_subject_dn: subjectDn(registered) }),
    client('cli-mtls-self', 'self_signed_tls_client_auth', { ...bound, jwks: { keys: [{
      ...registered.publicKey.export({ format: 'jwk' }), x5c: [registered.raw.toString('base64')] }] } }),
  );
}
// REQUIRE_PAR=1: discovery says `require_pushed_authorization_requests`, for every client.
const REQUIRE_PAR = process.env.REQUIRE_PAR === '1';
const askedDetails = (ctx) => {
  const v = ctx.oidc.params.authorization_details;
  return typeof v === 'string' ? JSON.parse(v) : v;
};

// --- listen first (PORT=0 picks a free port), then build the provider with the real issuer ---
// node:https only when asked for: the plain server starts exactly as it always did.
const server = TLS ? (await import('node:https')).createServer(TLS) : http.createServer();
await new Promise((resolve, reject) => server.once('error', reject).listen(Number(process.env.PORT || 0), '127.0.0.1', resolve));
const issuer = `${TLS ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;

async function findAccount(ctx, sub) {
  const user = USERS[sub];
  if (!user) return undefined;
  return {
    accountId: sub,
    claims: async () => ({ sub, name: user.name, preferred_username: sub, email: user.email, email_verified: true }),
  };
}

const provider = new Provider(issuer, {
  clients: CLIENTS,
  ...(TLS ? { clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt',
    'none', 'tls_client_auth', 'self_signed_tls_client_auth'] } : {}),
  findAccount,
  jwks: { keys: [signingJwk] },
  cookies: { keys: [SECRET.toString('base64url')] },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
  scopes: SCOPES,
  responseTypes: ['code'],
  clockTolerance: 1,
  rotateRefreshToken: true,
  pkce: { required: (ctx, c) => c.clientAuthMethod === 'none' }, // S256 only (the default methods)
  ttl: { AccessToken: AT_TTL, ClientCredentials: AT_TTL, AuthorizationCode: 60, IdToken: 3600,
    RefreshToken: 14 * 24 * 3600, DeviceCode: 600, Interaction: 3600, Session: 14 * 24 * 3600, Grant: 14 * 24 * 3600 },
  routes: {
    authorization: '/connect/authorize', token: '/connect/token', userinfo: '/connect/userinfo',
    introspection: '/connect/introspect', revocation: '/connect/revocation', end_session: '/connect/endsession',
    jwks: '/.well-known/openid-configuration/jwks', device_authorization: '/connect/deviceauthorization',
    code_verification: '/device', pushed_authorization_request: '/connect/par',
  },
  ...(STOCK ? {} : { interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` } }),
  features: {
    devInteractions: { enabled: STOCK },
    introspection: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: REQUIRE_PAR },
    requestObjects: { enabled: true }, // RFC 9101: `request` by value, or pushed
    // RFC 9449, a server nonce always required (so that every client meets the retry).
    dPoP: { enabled: true, nonceSecret: crypto.randomBytes(32), requireNonce: () => true, allowReplay: false },
    mTLS: TLS ? {
      enabled: true,
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      selfSignedTlsClientAuth: true,
      getCertificate: peerCertificate,
      certificateAuthorized: (ctx) => ctx.socket.authorized === true,
      certificateSubjectMatches: (ctx, property, expected) => property === 'tls_client_auth_subject_dn'
        && subjectDn(peerCertificate(ctx)) === expected,
    } : { enabled: false },
    richAuthorizationRequests: {
      enabled: true,
      types: Object.fromEntries(RAR_TYPES.map((t) => [t, { validate() {} }])),
      // The details of this request (the grant keeps those of every consent before).
      authorizationDetailsForGrantSource: (ctx) => askedDetails(ctx),
      // The code's details, or those of a token request (client credentials).
      authorizationDetailsForAccessToken: (ctx, token, source) => source?.rar ?? askedDetails(ctx),
      authorizationDetailsForIntrospection: (ctx, token) => token.rar,
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, c, oneOf) => oneOf, // no resource asked: opaque token for userinfo
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== API_RESOURCE) throw new errors.InvalidTarget();
        return { scope: 'api', audience: API_RESOURCE, accessTokenTTL: AT_TTL, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
});
for (const ev of ['grant.error', 'authorization.error', 'introspection.error', 'revocation.error', 'userinfo.error',
  'device_authorization.error', 'server_error', 'end_session.error']) {
  provider.on(ev, (ctx, err) => console.error(`[${ev}] ${ctx.method} ${ctx.path}: ${err.error || err.name}: ${err.error_description || err.message}${err.error_detail ? ` (${err.error_detail})` : ''}`));
}

// --- password grant (RFC 6749 4.3), which oidc-provider does not ship ---
provider.registerGrantType('password', async (ctx) => {
  const { username, password, scope = '' } = ctx.oidc.params;
  const user = USERS[username];
  if (!user || !password || user.password !== password) throw new errors.InvalidGrant('invalid username or password');
  const { client: c } = ctx.oidc;
  const scopes = scope.split(' ').filter((s) => SCOPES.includes(s)).join(' ');
  const grant = new provider.Grant({ accountId: username, clientId: c.clientId });
  if (scopes) grant.addOIDCScope(scopes);
  const grantId = await grant.save();
  const authTime = Math.floor(Date.now() / 1000);
  const at = new provider.AccessToken({ accountId: username, client: c, grantId, gty: 'password', scope: scopes || undefined });
  if (c.tlsClientCertificateBoundAccessTokens) { // RFC 8705 3, as oidc-provider's own grants do
    const cert = peerCertificate(ctx);
    if (!cert) throw new errors.InvalidGrant('mutual TLS client certificate not provided');
    at.setThumbprint('x5t', cert);
  }
  const body = { access_token: await at.save(), expires_in: at.expiration, token_type: 'Bearer', scope: at.scope };
  if (scopes.split(' ').includes('offline_access') && c.grantTypeAllowed('refresh_token')) {
    const rt = new provider.RefreshToken({ accountId: username, client: c, grantId, gty: 'password', scope: scopes, rotations: 0, authTime });
    body.refresh_token = await rt.save();
  }
  if (scopes.split(' ').includes('openid')) {
    const account = await findAccount(ctx, username);
    const idt = new provider.IdToken({ ...(await account.claims()), auth_time: authTime }, { ctx });
    idt.scope = 'openid'; // like the code grant: profile/email claims come from userinfo
    body.id_token = await idt.issue({ use: 'idtoken' });
  }
  ctx.body = body;
}, ['username', 'password', 'scope']);

// --- token exchange (RFC 8693), registered as oidc-provider's docs show for extension grants:
// an active access token of this provider for a new one of the same grant, scope narrowed ---
provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
  const { subject_token, subject_token_type, actor_token, actor_token_type, scope } = ctx.oidc.params;
  if (subject_token_type !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
  const subject = await provider.AccessToken.find(subject_token);
  if (!subject || subject.isExpired) throw new errors.InvalidGrant('subject_token is not an active access token');
  let act;
  if (actor_token) {
    if (actor_token_type !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest('actor_token_type is required with actor_token');
    const actor = await provider.AccessToken.find(actor_token);
    if (!actor || actor.isExpired) throw new errors.InvalidGrant('actor_token is not an active access token');
    act = { sub: actor.accountId };
  }
  const had = (subject.scope || '').split(' ').filter(Boolean);
  const asked = scope ? scope.split(' ').filter(Boolean) : had;
  if (asked.some((s) => !had.includes(s))) throw new errors.InvalidScope('scope is wider than the subject token\'s');
  const { client: c } = ctx.oidc;
  const at = new provider.AccessToken({ accountId: subject.accountId, client: c, grantId: subject.grantId,
    gty: 'token_exchange', scope: asked.join(' ') || undefined, extra: act ? { act } : undefined });
  ctx.body = { access_token: await at.save(), issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer',
    expires_in: at.expiration, scope: at.scope };
}, ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'scope']);

// --- JWT bearer grant (RFC 7523 2.1): an assertion the client signed with its registered key,
// for a user (`sub`), addressed to the token endpoint or the issuer, its jti used once ---
const usedJtis = new Set();
provider.registerGrantType(JWT_BEARER, async (ctx) => {
  const { assertion, scope = '' } = ctx.oidc.params;
  const { client: c } = ctx.oidc;
  if (!c.jwks) throw new errors.UnauthorizedClient('the client has no registered keys');
  let payload;
  try {
    ({ payload } = await jose.jwtVerify(assertion, jose.createLocalJWKSet(c.jwks), {
      issuer: c.clientId, audience: [`${issuer}/connect/token`, issuer], requiredClaims: ['sub', 'exp', 'jti'],
    }));
  } catch (e) {
    throw new errors.InvalidGrant(`assertion: ${e.code || e.message}`);
  }
  if (usedJtis.has(payload.jti)) throw new errors.InvalidGrant('assertion: jti already used');
  usedJtis.add(payload.jti);
  if (!USERS[payload.sub]) throw new errors.InvalidGrant('assertion: sub is not a user');
  const scopes = scope.split(' ').filter((s) => SCOPES.includes(s)).join(' ');
  const grant = new provider.Grant({ accountId: payload.sub, clientId: c.clientId });
  if (scopes) grant.addOIDCScope(scopes);
  const grantId = await grant.save();
  const at = new provider.AccessToken({ accountId: payload.sub, client: c, grantId, gty: 'jwt_bearer', scope: scopes || undefined });
  ctx.body = { access_token: await at.save(), token_type: 'Bearer', expires_in: at.expiration, scope: at.scope };
}, ['assertion', 'scope']);

// --- small helpers for our own routes ---
async function readForm(ctx) {
  let raw = '';
  for await (const chunk of ctx.req) { raw += chunk; if (raw.length > 65536) ctx.throw(413); }
  return Object.fromEntries(new URLSearchParams(raw));
}
const csrfFor = (uid) => crypto.createHmac('sha256', SECRET).update(uid).digest('base64url');
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const loginForm = (uid, login, error) => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign in</title></head><body>
<h1>Sign in</h1>${error ? `\n<p class="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
  <input type="hidden" name="uid" value="${esc(uid)}">
  <input type="hidden" name="csrf" value="${csrfFor(uid)}">
  <label>Login <input type="text" name="login" value="${esc(login)}" autofocus></label>
  <label>Password <input type="password" name="password"></label>
  <button type="submit">Sign in</button>
</form>
</body></html>
`;
async function finish(ctx, result) {
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(to);
}
async function consent(ctx, details) {
  const { prompt: { details: d }, params, session } = details;
  const grant = details.grantId ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [indicator, s] of Object.entries(d.missingResourceScopes || {})) grant.addResourceScope(indicator, s.join(' '));
  for (const detail of d.rar || []) grant.addRar(detail);
  await finish(ctx, { consent: { grantId: await grant.save() } });
}

// --- hit counters (every request, before the provider's router) ---
const hits = {};
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/test/stats')) hits[ctx.path] = (hits[ctx.path] || 0) + 1;
  // Requests that carried a DPoP proof, by path, as `dpop <path>`.
  if (ctx.get('dpop') && !ctx.path.startsWith('/test/')) hits[`dpop ${ctx.path}`] = (hits[`dpop ${ctx.path}`] || 0) + 1;
  await next();
});

// --- interactions and test routes ---
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  try {
    if (m && STOCK) {
      await next();
    } else if (m && ctx.method === 'GET' && !m[2]) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      const { prompt, params } = details;
      if (prompt.name === 'login' && params.client_id === 'cli-form') {
        ctx.type = 'html';
        ctx.body = loginForm(details.uid, params.login_hint);
      } else if (prompt.name === 'login') {
        const accountId = USERS[params.login_hint] ? params.login_hint : 'alice';
        await finish(ctx, { login: { accountId } });
      } else if (prompt.name === 'consent') {
        await consent(ctx, details);
      } else {
        ctx.throw(400, `unsupported prompt ${prompt.name}`);
      }
    } else if (m && ctx.method === 'POST' && m[2]) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      const form = await readForm(ctx);
      if (details.uid !== m[1] || form.uid !== details.uid || form.csrf !== csrfFor(details.uid)) ctx.throw(403, 'csrf or uid mismatch');
      if (details.prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
      const user = USERS[form.login];
      if (!user || user.password !== form.password) {
        ctx.status = 401;
        ctx.type = 'html';
        ctx.body = loginForm(details.uid, form.login, 'Invalid login or password.');
        return;
      }
      await finish(ctx, { login: { accountId: form.login } });
    } else if (ctx.path === '/test/stats' && ctx.method === 'GET') {
      ctx.body = hits;
    } else if (ctx.path === '/test/stats/reset' && ctx.method === 'POST') {
      for (const k of Object.keys(hits)) delete hits[k];
      ctx.status = 204;
    } else if (ctx.path === '/test/device/approve' && ctx.method === 'POST') {
      const form = { ...ctx.query, ...(await readForm(ctx)) };
      const userCode = String(form.user_code || '').toUpperCase().replace(/\W/g, '');
      const code = userCode && await provider.DeviceCode.findByUserCode(userCode);
      if (!code) { ctx.status = 404; ctx.body = { error: 'not_found', error_description: 'unknown or expired user_code' }; return; }
      if (code.accountId || code.error || code.inFlight) { ctx.status = 409; ctx.body = { error: 'already_used' }; return; }
      if (form.deny) {
        Object.assign(code, { error: 'access_denied', errorDescription: 'End-User denied the request' });
      } else {
        const accountId = USERS[form.username] ? form.username : 'alice';
        const scope = (code.params.scope || '').split(' ').filter((s) => SCOPES.includes(s)).join(' ');
        const grant = new provider.Grant({ accountId, clientId: code.clientId });
        if (scope) grant.addOIDCScope(scope);
        Object.assign(code, { accountId, grantId: await grant.save(), scope, authTime: Math.floor(Date.now() / 1000) });
      }
      await code.save();
      ctx.body = { approved: !form.deny, client_id: code.clientId, account: code.accountId, scope: code.scope };
    } else {
      await next();
    }
  } catch (err) {
    if (err.expose === false || !err.status) console.error(err);
    ctx.status = err.status || err.statusCode || 500;
    ctx.body = { error: err.error || 'invalid_request', error_description: err.error_description || err.message };
  }
});

server.on('request', provider.callback());
process.stdout.write(`READY ${issuer}\n`);

// --- lifetime: signals, and stdin closing (the parent test process died) ---
const stop = (why) => { console.error(`stopping: ${why}`); server.closeAllConnections?.(); process.exit(0); };
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
if (process.env.IGNORE_STDIN !== '1') {
  process.stdin.on('end', () => stop('stdin closed')).on('error', () => stop('stdin error')).resume();
}
