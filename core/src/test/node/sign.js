// Independent webhook signers for WebhookInteropTest; prints the signature header value.
//   node sign.js standard <secret> <webhook-id> <unix-seconds> <payload-file>
//     webhook-signature as the standardwebhooks package makes it.
//   node sign.js stripe <secret> <unix-seconds> <payload-file>
//     Stripe-Signature per https://docs.stripe.com/webhooks#verify-manually: t=<seconds>,v1=<hex HMAC-SHA256
//     of "<seconds>.<payload>" keyed by the endpoint secret's text>.
'use strict';
const fs = require('node:fs');
const crypto = require('node:crypto');
const { Webhook } = require('standardwebhooks');

const [scheme, ...args] = process.argv.slice(2);
if (scheme === 'standard') {
    const [secret, id, seconds, file] = args;
    const payload = fs.readFileSync(file);
    process.stdout.write(new Webhook(secret).sign(id, new Date(Number(seconds) * 1000), payload));
} else if (scheme === 'stripe') {
    const [secret, seconds, file] = args;
    const payload = fs.readFileSync(file);
    const hmac = crypto.createHmac('sha256', secret);
    hmac.update(`${seconds}.`);
    hmac.update(payload);
    process.stdout.write(`t=${seconds},v1=${hmac.digest('hex')}`);
} else {
    process.stderr.write('usage: node sign.js standard|stripe ...\n');
    process.exit(2);
}
