// Drives headless Chromium for AdminConsoleBrowserTest: signs in to the admin console with the token, waits for
// every route to render, sends a request the gateway refuses and times how long its refusal takes to appear, and
// waits for an upstream the test stops to show as ejected; then saves a screenshot and prints what it saw as
// one JSON object. Talks to the test over stdin/stdout lines: prints "rendered", reads "stopped".
// Usage: node admin-console-browser.js <chromium> <console URL> <admin token> <gateway URL> <api key to refuse>
//        <screenshot path>
'use strict';
const readline = require('readline');
const { launch } = require('./chromium');

const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));

async function main() {
  const [executablePath, consoleUrl, token, gateway, refusedKey, screenshot] = process.argv.slice(2);
  const browser = await launch(executablePath, { viewport: { width: 1280, height: 860 } });
  const { context } = browser;
  const seen = { consoleErrors: [] };
  try {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') {
        seen.consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => seen.consoleErrors.push(String(error)));

    await page.goto(consoleUrl);
    seen.loginUrl = page.url();
    await page.fill('#token', token);
    await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/login')), page.click('button[type=submit]')]);
    await page.waitForSelector('#routes tbody tr[data-route]');
    seen.routes = await page.$$eval('#routes tbody tr', (rows) => rows.map((row) => ({
      route: row.getAttribute('data-route'),
      policies: Array.from(row.querySelectorAll('.chain span'), (span) => span.textContent),
      health: Array.from(row.querySelectorAll('[data-health]'), (upstream) => upstream.getAttribute('data-health')),
    })));

    // A request the gateway refuses: its row must appear within 2 seconds of the answer.
    const refused = await fetch(gateway + '/api/orders?size=3', { headers: { 'X-Api-Key': refusedKey } });
    const answeredAt = Date.now();
    seen.refusedStatus = refused.status;
    const row = await page.waitForSelector('#refusals tr.refusal:has(td.mono:text("GET /api/orders"))',
      { timeout: 2000 });
    seen.refusalMillis = Date.now() - answeredAt;
    seen.refusal = await row.$$eval('td', (cells) => cells.map((cell) => cell.textContent));

    process.stdout.write('rendered\n');
    await nextLine();
    await page.waitForSelector('[data-health="ejected"]', { timeout: 5000 });
    seen.ejected = await page.$$eval('[data-health="ejected"]', (upstreams) =>
      upstreams.map((upstream) => upstream.getAttribute('data-upstream')));
    await page.waitForTimeout(1200); // one more poll, so the screenshot shows the latest traffic
    seen.pageText = await page.textContent('body');
    await page.screenshot({ path: screenshot, fullPage: true });
    process.stdout.write(JSON.stringify(seen) + '\n');
  } finally {
    lines.close();
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
