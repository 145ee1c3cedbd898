// Owns: running the browser checks as instructed. Reads one JSON object (argv[2], or stdin
// when absent), visits every page in every given language, logged in or out, checks it
// (lib/check.mjs), runs the flows (flows/*.mjs), prints one JSON line per page or flow on
// stdout and a readable summary on stderr; exits 1 when anything failed.
//
// {
//   "base": "http://localhost:8080",
//   "artifacts": "/abs/dir/for/screenshots",
//   "chromium": "/usr/bin/chromium",          // optional; else $CHROMIUM, else /usr/bin/chromium
//   "untranslated": ["en"],                   // optional, default []: languages whose pages may
//                                             // still say another <html lang> (expected failure)
//   "pages": [{ "name": "home", "path": "/", "lang": "nl",
//               "login": { "username": "anna", "password": "…" } }],   // login optional
//   "flows": ["publish-story"]                // optional: flows/<name>.mjs
// }

import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';

import { checkPage } from './lib/check.mjs';
import { launch, logIn, newVisitor } from './lib/session.mjs';

const input = JSON.parse(process.argv[2] ?? readFileSync(0, 'utf8'));
const { base, artifacts, pages = [], flows = [], untranslated = [] } = input;
const chromiumPath = input.chromium ?? process.env.CHROMIUM ?? '/usr/bin/chromium';
await mkdir(artifacts, { recursive: true });

const results = [];
const report = (result) => {
  results.push(result);
  console.log(JSON.stringify(result));
};
const browser = await launch(chromiumPath);

// One browser context per language and user, logged in once.
const visitors = new Map();
async function visitor(lang, login) {
  const key = `${lang} ${login?.username ?? ''}`;
  if (!visitors.has(key)) {
    const context = await newVisitor(browser, base, lang);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const notLoggedIn = login ? await logIn(page, base, login) : null;
    visitors.set(key, { page, notLoggedIn });
  }
  return visitors.get(key);
}

for (const { name, path, lang, login } of pages) {
  const shot = `${name}-${lang}-${login ? 'in' : 'out'}`;
  const head = { page: name, path, lang, as: login ? login.username : 'visitor', shot };
  try {
    const { page, notLoggedIn } = await visitor(lang, login);
    if (notLoggedIn) {
      report({ ...head, status: 'skipped', reason: notLoggedIn });
      continue;
    }
    const response = await page.goto(new URL(path, base).href);
    const langPending = untranslated.includes(lang);
    report({ ...head, ...(await checkPage(page, response, { lang, shot, artifacts, langPending })) });
  } catch (error) {
    report({ ...head, status: 'fail', problems: [String(error?.stack ?? error)] });
  }
}

for (const name of flows) {
  const flow = await import(`./flows/${name}.mjs`);
  const head = { flow: name, title: flow.title };
  const missing = [];
  for (const path of flow.needs) {
    if ((await fetch(new URL(path, base))).status === 404) missing.push(path);
  }
  if (missing.length > 0) {
    report({ ...head, status: 'skipped', reason: `${missing.join(', ')} not built yet` });
    continue;
  }
  const context = await newVisitor(browser, base, flow.lang);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const checked = [];
  const check = async (step, response) => {
    const shot = `flow-${name}-${step}`;
    const found = await checkPage(page, response, { lang: flow.lang, shot, artifacts });
    checked.push({ step, ...found });
    if (found.status !== 'pass') throw new Error(`${step}: ${summarize(found).join('; ')}`);
  };
  try {
    await flow.run({ page, base, artifacts, check });
    report({ ...head, status: 'pass', checked });
  } catch (error) {
    await page.screenshot({ path: `${artifacts}/flow-${name}-failed.png`, fullPage: true }).catch(() => {});
    report({ ...head, status: 'fail', problems: [String(error?.stack ?? error)], checked });
  }
}
await browser.close();

function summarize(result) {
  return [
    ...(result.problems ?? []),
    ...(result.violations ?? []).map(
      (v) => `axe ${v.id} (${v.impact}): ${v.help}\n      ${v.nodes.join('\n      ')}`,
    ),
  ];
}

const failed = results.filter((r) => r.status === 'fail');
for (const r of results) {
  const what = r.flow ? r.title : `${r.shot} (${r.path})`;
  const say = (label, text) => console.error(`${label} ${what}: ${text}`);
  if (r.status === 'skipped') say('SKIPPED', r.reason);
  for (const expected of r.expectedFailures ?? []) say('EXPECTED FAILURE', expected);
  if (r.needsReview?.length) say('NEEDS REVIEW', `axe could not decide ${r.needsReview.join(', ')}`);
  if (r.status === 'fail') say('FAIL', `\n  ${summarize(r).join('\n  ')}`);
}
const count = (status) => results.filter((r) => r.status === status).length;
const total = `${count('pass')} passed, ${failed.length} failed, ${count('skipped')} skipped`;
console.error(`${total}; screenshots in ${artifacts}`);
process.exit(failed.length > 0 ? 1 : 0);
