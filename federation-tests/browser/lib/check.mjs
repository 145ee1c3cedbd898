// Owns: what every page must pass. Status 200, `<html lang>`, zero axe-core violations
// (WCAG 2.0/2.1 A and AA), no horizontal scrolling at 320 px, and the screenshots
// `<name>-<lang>-<in|out>.png` (1280 px, full page) and `…-320.png` kept as artifacts.

import { createRequire } from 'node:module';
import path from 'node:path';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axe-core on the page as it is now: its violations (`{id, impact, help, nodes: [target]}`),
 * and the ids of the rules it could not decide (`needsReview`, reported, not failed).
 */
export async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    AXE_TAGS,
  );
  const violations = results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => n.target.join(' ')),
  }));
  return { violations, needsReview: results.incomplete.map((r) => r.id) };
}

/**
 * Checks the page `page` shows now (after `response`), visited as `shot` (`<name>-<lang>-<in|out>`).
 * `langPending` (a language whose pages are known to still say another `<html lang>`) turns a
 * wrong lang into an expected failure, and a right one into a failure: remove it from the list.
 */
export async function checkPage(page, response, { lang, shot, artifacts, langPending = false }) {
  const problems = [];
  const expectedFailures = [];
  const status = response?.status();
  if (status !== 200) problems.push(`HTTP status ${status}, not 200`);
  const htmlLang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
  if (htmlLang !== lang && langPending) {
    expectedFailures.push(`<html lang="${htmlLang}">, not "${lang}": ${lang} is not translated yet`);
  } else if (htmlLang !== lang) {
    problems.push(`<html lang="${htmlLang}">, not "${lang}"`);
  } else if (langPending) {
    problems.push(`<html lang="${lang}"> now: take "${lang}" off the untranslated list`);
  }
  const { violations, needsReview } = await axe(page);
  const screenshots = [path.join(artifacts, `${shot}.png`), path.join(artifacts, `${shot}-320.png`)];
  await page.screenshot({ path: screenshots[0], fullPage: true });
  await page.setViewportSize({ width: 320, height: 640 });
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  if (scrollWidth > 320) problems.push(`scrolls sideways at 320 px (scrollWidth ${scrollWidth})`);
  await page.screenshot({ path: screenshots[1], fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  const ok = problems.length === 0 && violations.length === 0;
  const result = { http: status, htmlLang, problems, expectedFailures, violations, needsReview };
  return { status: ok ? 'pass' : 'fail', ...result, screenshots };
}
