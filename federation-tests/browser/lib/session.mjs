// Owns: the browser and who is looking at the site: starting the system's Chromium, the
// language a visitor asks for, and logging in. Change `setLanguage` when the site gets its
// `lang` cookie or language switch, and `logIn` when the login form changes.

import { chromium } from 'playwright-core';

/** The system's Chromium (Debian package `chromium`), headless; playwright never downloads. */
export function launch(executablePath) {
  return chromium.launch({ executablePath, headless: true });
}

/**
 * A fresh browser context (own cookies) at 1280 px wide, asking for `lang`. The site's
 * Content-Security-Policy forbids inline scripts, and axe-core is injected as one, so the
 * context bypasses CSP; the headers themselves are checked by the Rust tests.
 */
export async function newVisitor(browser, base, lang) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    bypassCSP: true,
  });
  await setLanguage(context, base, lang);
  return context;
}

/** How a visitor picks the language: today the `Accept-Language` header only. */
export async function setLanguage(context, base, lang) {
  await context.setExtraHTTPHeaders({ 'Accept-Language': lang });
}

/**
 * Logs `page` in through the form at `/login` (fields `username` and `password`, a submit
 * button). Returns `null` when logged in, or why it could not be tried: `/login` answering 404
 * means the form is not built yet. Anything else that goes wrong throws.
 */
export async function logIn(page, base, creds) {
  const response = await page.goto(new URL('/login', base).href);
  if (response?.status() === 404) return '/login answers 404: the login form is not built yet';
  if (!response?.ok()) throw new Error(`GET /login answered ${response?.status()}`);
  await page.locator('input[name="username"]').fill(creds.username);
  await page.locator('input[name="password"]').fill(creds.password);
  const [answer] = await Promise.all([
    page.waitForNavigation(),
    page.locator('form:has(input[name="password"]) [type="submit"]').click(),
  ]);
  if (!answer?.ok() || new URL(page.url()).pathname === '/login') {
    throw new Error(`logging in as ${creds.username} failed: ${answer?.status()} at ${page.url()}`);
  }
  return null;
}
