// Owns: getting around a page with the keyboard only, for flows that must work without a
// mouse. Targets are accessible names (a string matches exactly, a RegExp matches), optionally
// with a role: `tabTo(page, 'Titel')`, `tabTo(page, /publiceren/i, { role: 'button' })`.

/** Role and accessible name of the focused element, as Playwright's ARIA snapshot gives them. */
export async function focused(page) {
  const active = page.locator('*:focus');
  if ((await active.count()) === 0) return { role: 'none', name: '' };
  const line = (await active.first().ariaSnapshot()).split('\n')[0];
  const match = /^- ([\w-]+)(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
  return match ? { role: match[1], name: JSON.parse(`"${match[2] ?? ''}"`) } : { role: line, name: '' };
}

function matches(found, name, role) {
  const named = name instanceof RegExp ? name.test(found.name) : found.name === name;
  return named && (!role || found.role === role);
}

/** Presses Tab until the focused element is `name` (and `role`); fails after `max` presses. */
export async function tabTo(page, name, { role, max = 60 } = {}) {
  const passed = new Set();
  for (let presses = 0; presses < max; presses++) {
    await page.keyboard.press('Tab');
    const found = await focused(page);
    if (matches(found, name, role)) return found;
    passed.add(`${found.role} ${JSON.stringify(found.name)}`);
  }
  const wanted = `${role ?? 'element'} named ${name instanceof RegExp ? name : JSON.stringify(name)}`;
  throw new Error(
    `no ${wanted} after ${max} Tabs on ${page.url()}; focus went through:\n  ${[...passed].join('\n  ')}`,
  );
}

/** Tabs to the field `name`, clears it and types `text` key by key. */
export async function typeInto(page, name, text, options = {}) {
  await tabTo(page, name, options);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

/** Presses Enter on what has focus and waits for the page it leads to; fails on 4xx or 5xx. */
export async function pressEnter(page) {
  const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  if (response && !response.ok()) throw new Error(`Enter led to ${response.status()} at ${page.url()}`);
  return response;
}

/** Tabs to the file field `name`, opens its chooser with Space and picks `file`. */
export async function chooseFile(page, name, file, options = {}) {
  await tabTo(page, name, options);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
  await chooser.setFiles(file);
}

/** Tabs to the link or button `name` and follows it with Enter. */
export async function activate(page, name, options = {}) {
  await tabTo(page, name, options);
  return pressEnter(page);
}
