// Drives headless Chromium for CorsBrowserTest: a page on an allowed origin and one on a disallowed origin call
// the API through the gateway; prints what the pages' JavaScript saw as one JSON object.
// Usage: node cors-browser.js <chromium> <allowed page URL> <disallowed page URL> <API base URL> <bearer token>
'use strict';
const { launch } = require('./chromium');

async function main() {
  const [executablePath, allowedPage, disallowedPage, api, token] = process.argv.slice(2);
  const browser = await launch(executablePath);
  const { context } = browser;
  try {
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') {
        consoleErrors.push(message.text());
      }
    });
    await page.goto(allowedPage);
    const allowed = await page.evaluate(async ([api, token]) => {
      const bearer = { Authorization: 'Bearer ' + token };
      const get = await fetch(api + '/api/orders', { headers: bearer });
      const post = await fetch(api + '/api/orders', {
        method: 'POST',
        credentials: 'include',
        headers: { ...bearer, 'Content-Type': 'application/json' },
        body: JSON.stringify({ item: 42 }),
      });
      const anonymous = await fetch(api + '/api/orders');
      return {
        origin: location.origin,
        getStatus: get.status,
        getBody: await get.text(),
        requestId: get.headers.get('X-Request-Id'),
        rateLimit: get.headers.get('RateLimit'),
        postStatus: post.status,
        postBody: await post.text(),
        postRequestId: post.headers.get('X-Request-Id'),
        anonymousStatus: anonymous.status,
        anonymousType: anonymous.headers.get('Content-Type'),
      };
    }, [api, token]);
    await page.goto(disallowedPage);
    const disallowed = await page.evaluate(async ([api, token]) => {
      try {
        const response = await fetch(api + '/api/orders', { headers: { Authorization: 'Bearer ' + token } });
        return { origin: location.origin, blocked: false, status: response.status };
      } catch (e) {
        return { origin: location.origin, blocked: true, error: String(e) };
      }
    }, [api, token]);
    process.stdout.write(JSON.stringify({ allowed, disallowed, consoleErrors }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
