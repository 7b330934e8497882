// Drives the emulator's web console in headless Chromium (Debian's package)
// through Playwright: loads every page, checks what it shows, uses its forms,
// and saves a screenshot of each under SCREENSHOTS.
//
// Run by tests/sdk/console.rs, which seeds the emulator first:
//   node console.mjs ENDPOINT SCREENSHOTS
// The table Forum (key threadId + createdAt, index byAuthor, a stream) holds
// 30 items of thread t1; one item's body is a <script> that sets window.__xss.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [endpoint, shots] = process.argv.slice(2);
const base = `${endpoint}/_emulator`;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const problems = [];
// Polls `test` for up to `ms`, through the page's own reloads.
const eventually = async (test, ms = 20000) => {
  for (const until = Date.now() + ms; Date.now() < until;) {
    try {
      if (await test()) return true;
    } catch {
      // The page is between two loads.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
};
const check = (ok, what) => {
  if (!ok) problems.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let dialogs = 0;
  page.on('dialog', (dialog) => { dialogs += 1; dialog.dismiss(); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // What Chromium refused under the Content-Security-Policy (an injected script would show here).
  page.on('console', (message) => { if (message.type() === 'error') console.log(`console: ${message.text()}`); });
  const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const text = (selector) => page.locator(selector).first().innerText();
  const rows = (selector) => page.locator(`${selector} tbody tr`).count();

  // The tables list.
  const listed = await page.goto(`${base}/`);
  check(listed.status() === 200, 'tables page answers 200');
  const tables = await text('main table');
  check(tables.includes('Forum') && tables.includes('byAuthor (global, ACTIVE)'), 'tables page lists Forum and its index');
  check(tables.includes('30') || tables.includes('31'), 'tables page shows the item count');
  check(tables.includes('NEW_AND_OLD_IMAGES'), 'tables page shows the stream');
  await shot('tables');

  // One table: definition, indexes, a Scan page, the next page.
  await page.click('text=Forum');
  check((await text('h1')) === 'Forum', 'table page opens from the list');
  const items = await text('table.items');
  check(items.includes('<script>window.__xss = 1</script>'), 'the script item shows as text');
  check(await page.evaluate(() => window.__xss === undefined), 'the script item did not run');
  check((await page.locator('script').count()) === 1, 'only the console script is on the page');
  check(await rows('table.items') === 25, 'a Scan page holds 25 items');
  check((await text('main')).includes('threadId (S), createdAt (N, sort)'), 'the key schema is shown');
  await shot('table');
  await page.click('text=Next page →');
  check(await rows('table.items') === 5, 'the next page holds the other 5 items');

  // A Query on the table: thread t1, createdAt between 3 and 5, descending.
  await page.goto(`${base}/table?name=Forum`);
  await page.fill('input[name=h0]', 't1');
  await page.selectOption('select[name=sop]', 'between');
  await page.fill('input[name=s1]', '3');
  await page.fill('input[name=s2]', '5');
  await page.check('input[name=order]');
  await page.click('button:has-text("Query")');
  const queried = await page.locator('table.items tbody tr td:nth-child(2)').allInnerTexts();
  check(JSON.stringify(queried) === '["5","4","3"]', `Query between 3 and 5 descending: ${queried}`);
  await shot('query');

  // A Query's pages: the whole thread, 25 then 5, the form's values kept.
  await page.goto(`${base}/table?name=Forum`);
  await page.fill('input[name=h0]', 't1');
  await page.click('button:has-text("Query")');
  check(await rows('table.items') === 25, 'a Query page holds 25 items');
  await page.click('text=Next page →');
  check(await rows('table.items') === 5 && (await page.inputValue('input[name=h0]')) === 't1', 'the Query\'s next page');

  // A Query on the index.
  await page.click('.tabs >> text=byAuthor');
  await page.fill('input[name=h0]', 'ana');
  await page.click('button:has-text("Query")');
  const authors = await page.locator('table.items tbody tr td:nth-child(3)').allInnerTexts();
  check(authors.length === 10 && authors.every((a) => a === 'ana'), `Query on byAuthor: ${authors.length} items of ana`);
  await shot('query-index');

  // Stream records, and one that arrives while the page is open.
  // Paused first (no reload under the screenshot), then following.
  await page.goto(`${base}/stream?name=Forum&paused=1`);
  check((await text('table.records')).includes('INSERT'), 'stream page shows INSERT records');
  await shot('stream');
  await page.click('text=follow');
  const put = await fetch(endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ TableName: 'Forum', Item: { threadId: { S: 'live' }, createdAt: { N: '99' }, body: { S: 'arrived live' } } }),
  });
  check(put.ok, 'a PutItem while the stream page is open');
  check(await eventually(async () => (await page.content()).includes('arrived live')), 'the new record appears without a click');

  // Fault rules, the clock and the status delay, through the forms.
  await page.goto(`${base}/settings`);
  check((await text('main')).includes('No rules'), 'settings page starts with no rules');
  await page.fill('form.add-fault textarea', '{"operation": "GetItem", "table": "Forum", "fault": "ServiceUnavailable", "count": 2}');
  await Promise.all([page.waitForEvent('load'), page.click('button:has-text("Add rule")')]);
  const faults = await text('table.faults');
  check(faults.includes('GetItem') && faults.includes('ServiceUnavailable') && faults.includes('next 2'), 'a fault rule added through the form');
  await page.fill('form.add-fault textarea', '{"latencyMs": 5, "every": 3}');
  await Promise.all([page.waitForEvent('load'), page.click('button:has-text("Add rule")')]);
  check(await rows('table.faults') === 2, 'a second rule added');
  await Promise.all([page.waitForEvent('load'), page.click('table.faults tr:has-text("5 ms latency") button:has-text("Remove")')]);
  check(await rows('table.faults') === 1 && !(await text('table.faults')).includes('latency'), 'a rule removed through its button');
  await page.fill('form.advance input[name=advanceMillis]', '3600000');
  await Promise.all([page.waitForEvent('load'), page.click('form.advance button')]);
  check((await text('main')).includes('moved by 3600000 ms'), 'the clock advanced through the form');
  await page.fill('form.status-delay input[name=millis]', '1234');
  await Promise.all([page.waitForEvent('load'), page.click('form.status-delay button')]);
  check((await text('main')).includes('for 1234 ms'), 'the status delay set through the form');
  await page.fill('form.add-fault textarea', '{"fault": "NoSuchFault"}');
  await page.click('button:has-text("Add rule")');
  await page.waitForFunction(() => document.querySelector('form.add-fault output').textContent === 'unknown fault NoSuchFault');
  check(true, 'a bad rule is refused with the admin API\'s message');
  await shot('settings');

  check(dialogs === 0, 'no dialog was opened');
} finally {
  await browser.close();
}

console.log(`${problems.length === 0 ? 'all console checks passed' : `${problems.length} problems:`}`);
for (const problem of problems) console.log(`  ${problem}`);
process.exit(problems.length === 0 ? 0 : 1);
