// dynamodb-admin (the npm GUI for DynamoDB Local) against the emulator, its
// pages rendered in headless Chromium (Debian's package) through Playwright.
//
// Run by tests/sdk/clients.rs, which seeds the emulator first:
//   node dynamodb-admin.mjs ENDPOINT SCREENSHOTS
// The table Library (key isbn, index byAuthor) holds 12 books, "Book 1".."Book 12".
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [endpoint, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const here = dirname(fileURLToPath(import.meta.url));

// A free loopback port for dynamodb-admin.
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const admin = spawn(process.execPath, [
  join(here, 'node_modules/dynamodb-admin/dist/dynamodb-admin.js'),
  '--host', '127.0.0.1', '--port', String(port), '--dynamo-endpoint', endpoint,
], { stdio: ['ignore', 'pipe', 'pipe'] });
let adminLog = '';
admin.stdout.on('data', (chunk) => { adminLog += chunk; });
admin.stderr.on('data', (chunk) => { adminLog += chunk; });
const base = `http://127.0.0.1:${port}`;

const problems = [];
const check = (ok, what) => {
  if (!ok) problems.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};
const eventually = async (test, ms = 15000) => {
  for (const until = Date.now() + ms; Date.now() < until;) {
    try {
      if (await test()) return true;
    } catch {
      // Not up yet, or the page is between two loads.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  check(await eventually(async () => (await fetch(`${base}/`)).ok), 'dynamodb-admin starts against the emulator');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const shot = (name) => page.screenshot({ path: join(shots, `dynamodb-admin-${name}.png`), fullPage: true });

  const tables = await page.goto(`${base}/`);
  check(tables.status() === 200, 'the tables page answers 200');
  check(await eventually(async () => (await page.content()).includes('Library')), 'the tables page lists Library');
  await shot('tables');

  const items = await page.goto(`${base}/tables/Library`);
  check(items.status() === 200, 'the table page answers 200');
  check(await eventually(async () => {
    const text = await page.locator('body').innerText();
    return text.includes('Book 12') && text.includes('Book 1');
  }), 'the table page shows the books');
  await shot('items');

  const meta = await page.goto(`${base}/tables/Library/meta`);
  check(meta.status() === 200, 'the meta page answers 200');
  check(await eventually(async () => (await page.content()).includes('byAuthor')), 'the meta page shows the index');
  await shot('meta');

  const api = await (await fetch(`${base}/api/tables`)).json();
  check(JSON.stringify(api).includes('Library'), 'its JSON API lists the table');
} finally {
  await browser.close();
  admin.kill();
}

if (problems.length > 0) console.log(`dynamodb-admin's log:\n${adminLog}`);
console.log(problems.length === 0 ? 'all dynamodb-admin checks passed' : `${problems.length} problems:`);
for (const problem of problems) console.log(`  ${problem}`);
process.exit(problems.length === 0 ? 0 : 1);
