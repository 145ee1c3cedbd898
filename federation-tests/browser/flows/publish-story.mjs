// Owns: the keyboard-only walk of issue 4: sign up, create an initiative, publish a story with a
// cover image, see it on the home page and in the initiative's RSS feed; no mouse anywhere.
// Fields and buttons are found by their Dutch accessible names, as a screen reader user hears
// them. Each page on the way gets the same checks as every other page (`check`).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { activate, chooseFile, pressEnter, tabTo, typeInto } from '../lib/keyboard.mjs';

export const title = 'keyboard walk';
/** Pages that must exist before this walk can run; while one answers 404 it is skipped. */
export const needs = ['/signup'];
export const lang = 'nl';

// A 1×1 PNG for the cover image.
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export async function run({ page, base, artifacts, check }) {
  const cover = path.join(artifacts, 'cover.png');
  await writeFile(cover, Buffer.from(PNG, 'base64'));
  const story = `Oogstfeest ${Date.now()}`;

  await check('signup', await page.goto(new URL('/signup', base).href));
  await typeInto(page, 'Gebruikersnaam', 'karin');
  await typeInto(page, 'Wachtwoord', 'een lang en goed wachtwoord');
  await typeInto(page, 'Wachtwoord nog een keer', 'een lang en goed wachtwoord');
  await tabTo(page, 'Account maken', { role: 'button' });
  await check('dashboard', await pressEnter(page));

  await check('new-initiative', await activate(page, 'Nieuw initiatief beginnen', { role: 'link' }));
  await typeInto(page, 'Naam', 'Buurttuin Karin');
  await typeInto(page, 'Korte naam', 'buurttuin');
  await typeInto(page, "Thema's (niet verplicht)", 'groen, voedsel');
  await tabTo(page, 'Initiatief aanmaken', { role: 'button' });
  await check('initiative-created', await pressEnter(page));

  await check('new-story', await activate(page, 'Verhaal schrijven', { role: 'link' }));
  await typeInto(page, 'Titel', story);
  await typeInto(page, 'Tekst', 'De eerste pompoenen zijn binnen. Iedereen is welkom!');
  await chooseFile(page, 'Foto kiezen (niet verplicht)', cover);
  await typeInto(page, 'Beschrijving van de foto', 'Een kruiwagen vol pompoenen');
  await tabTo(page, 'Publiceren', { role: 'button' });
  await check('story-published', await pressEnter(page));

  await check('home-with-story', await page.goto(new URL('/', base).href));
  await tabTo(page, story, { role: 'link' });

  // The initiative's RSS feed lists the story too.
  const feed = await page.request.get(new URL('/i/buurttuin/feed.rss', base).href);
  if (!feed.ok()) throw new Error(`the initiative's RSS feed answered ${feed.status()}`);
  const xml = await feed.text();
  if (!xml.includes(`<title>${story}</title>`)) {
    throw new Error(`the initiative's RSS feed does not list "${story}":\n${xml}`);
  }
}
