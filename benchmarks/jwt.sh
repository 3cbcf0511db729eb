# Sourced by the load scripts: mints HS256 JWTs with openssl, so no Java is needed to call a guarded route.
# hs256_jwt <secret, base64> <payload JSON> → the token on stdout.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
hs256_jwt() {
    local secret_hex header payload signature
    secret_hex=$(printf %s "$1" | openssl base64 -d -A | od -An -tx1 | tr -d ' \n')
    header=$(printf %s '{"alg":"HS256","typ":"JWT"}' | b64url)
    payload=$(printf %s "$2" | b64url)
    signature=$(printf %s "$header.$payload" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$secret_hex" -binary | b64url)
    printf %s "$header.$payload.$signature"
}
