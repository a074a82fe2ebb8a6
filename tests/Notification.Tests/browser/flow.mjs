// Browser steps for Notification.Tests (BrowserFlowTests), in headless Debian chromium driven by playwright-core.
// Usage: node flow.mjs signup <baseUrl> <email> <interests>
//        node flow.mjs email <file with the email's HTML part>
// Prints one JSON object: { steps: [{ action, url, status, heading, text }] }. Assertions are the C# test's job.
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const [step, ...args] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || 'chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  timeout: 30000,
});
const steps = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  let lastStatus = null;
  page.on('response', (r) => { if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) lastStatus = r.status(); });
  const heading = async () => (await page.locator('h1').first().textContent())?.trim() ?? null;
  const record = async (action) => steps.push({ action, url: page.url(), status: lastStatus, heading: await heading(), text: (await page.locator('body').innerText()).trim() });
  // Submits the page's form and waits until the next page (a new h1) has rendered.
  const submit = async (action) => {
    const before = await heading();
    await page.locator('button[type=submit]').click();
    await page.waitForFunction((prev) => document.readyState === 'complete' && document.querySelector('h1')?.textContent.trim() !== prev, before);
    await record(action);
  };
  // Opens the email's HTML and follows one of its links.
  const follow = async (html, name, action) => {
    await page.setContent(html);
    const link = page.getByRole('link', { name, exact: true }).first();
    const href = await link.getAttribute('href');
    await Promise.all([page.waitForURL(href), link.click()]);
    await page.locator('h1').first().waitFor();
    await record(action);
  };

  if (step === 'signup') {
    const [baseUrl, email, interests] = args;
    await page.goto(new URL('/subscribe', baseUrl).href);
    await record('open sign-up');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('What do you want to read about?').fill(interests);
    await page.getByLabel('How often').selectOption('instant');
    await submit('sign up');
  } else if (step === 'email') {
    const html = await readFile(args[0], 'utf8');
    await follow(html, 'More like this', 'open like link');
    await submit('confirm like');
    await follow(html, 'Unsubscribe', 'open unsubscribe link');
    await submit('confirm unsubscribe');
    await follow(html, 'Not for me', 'open dismiss link after unsubscribing');
  } else {
    throw new Error(`unknown step '${step}'`);
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ steps }) + '\n');
