// Mints the JoseInteropTest fixture (tokens.json) with an independent JOSE implementation: npm "jose".
//
// One key per algorithm (HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA over Ed25519), the
// public keys as a JWK Set and as PEM (SPKI), the HMAC secrets as a separate JWK Set, and one token per algorithm
// with kid, iss, aud, sub, iat and an exp in the year 2100. The private keys are thrown away.
//
// To regenerate (from the repository root; node >= 20):
//   mkdir -p /tmp/jose-mint && (cd /tmp/jose-mint && npm init -y >/dev/null && npm install jose@6.2.19)
//   JOSE_MODULE=/tmp/jose-mint/node_modules/jose/dist/webapi/index.js \
//     node core/src/test/resources/jose/mint.mjs > core/src/test/resources/jose/tokens.json
const jose = await import(process.env.JOSE_MODULE ?? 'jose');

const issuer = 'https://jose.interop.test';
const audience = 'gatehouse-interop';
const issuedAt = 1767225600; // 2026-01-01T00:00:00Z
const expiresAt = 4102444800; // 2100-01-01T00:00:00Z

const hmac = ['HS256', 'HS384', 'HS512'];
const asymmetric = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const secrets = [];
const publicKeys = [];
const pem = {};
const tokens = {};

async function mint(alg, kid, signingKey) {
  return new jose.SignJWT({ scope: 'orders:read', tenant: 'interop' })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('jose-' + alg.toLowerCase())
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(signingKey);
}

for (const alg of hmac) {
  const kid = alg.toLowerCase();
  const secret = await jose.generateSecret(alg, { extractable: true });
  secrets.push({ ...(await jose.exportJWK(secret)), kid, alg, use: 'sig' });
  tokens[alg] = await mint(alg, kid, secret);
}

for (const alg of asymmetric) {
  const kid = alg.toLowerCase();
  const options = alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { modulusLength: 2048, extractable: true };
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, options);
  publicKeys.push({ ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' });
  pem[alg] = await jose.exportSPKI(publicKey);
  tokens[alg] = await mint(alg, kid, privateKey);
}

const fixture = {
  generatedBy: 'jose ' + (process.env.JOSE_VERSION ?? '6.2.19') + ' on node ' + process.version,
  issuer,
  audience,
  jwks: { keys: publicKeys },
  hmacJwks: { keys: secrets },
  pem,
  tokens,
};
process.stdout.write(JSON.stringify(fixture, null, 2) + '\n');
