#!/usr/bin/env node
// Renders build/icon.svg to the PNG sizes each platform needs with the system
// Chromium, and packs build/icon.ico (Windows) and build/icon.icns (macOS),
// both of which can hold PNG images. Run after changing the mark.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const root = new URL('..', import.meta.url).pathname;
const svg = readFileSync(join(root, 'build/icon.svg'), 'utf8');
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const browser = await chromium.launch({ executablePath: process.env.LATCH_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
const png = {};
for (const size of SIZES) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  png[size] = await page.screenshot({ omitBackground: true });
}
await browser.close();

mkdirSync(join(root, 'build/icons'), { recursive: true });
for (const size of SIZES) writeFileSync(join(root, `build/icons/${size}x${size}.png`), png[size]);
writeFileSync(join(root, 'build/icon.png'), png[1024]);

// ICO: a directory of PNG images (Windows Vista and later read these).
const icoSizes = [16, 24, 32, 48, 64, 128, 256];
const header = Buffer.alloc(6 + 16 * icoSizes.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(icoSizes.length, 4);
let offset = header.length;
icoSizes.forEach((size, i) => {
  const entry = 6 + 16 * i;
  header.writeUInt8(size >= 256 ? 0 : size, entry);
  header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
  header.writeUInt16LE(1, entry + 4);
  header.writeUInt16LE(32, entry + 6);
  header.writeUInt32LE(png[size].length, entry + 8);
  header.writeUInt32LE(offset, entry + 12);
  offset += png[size].length;
});
writeFileSync(join(root, 'build/icon.ico'), Buffer.concat([header, ...icoSizes.map((s) => png[s])]));

// ICNS: typed PNG chunks (ic07 128, ic08 256, ic09 512, ic10 1024 @2x, ic11 32 @2x, ic12 64 @2x, ic13 256 @2x, ic14 512 @2x).
const icnsTypes = [['ic11', 32], ['ic12', 64], ['ic07', 128], ['ic08', 256], ['ic13', 256], ['ic09', 512], ['ic14', 512], ['ic10', 1024]];
const chunks = icnsTypes.map(([type, size]) => {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'ascii');
  head.writeUInt32BE(8 + png[size].length, 4);
  return Buffer.concat([head, png[size]]);
});
const icnsHead = Buffer.alloc(8);
icnsHead.write('icns', 0, 'ascii');
icnsHead.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
writeFileSync(join(root, 'build/icon.icns'), Buffer.concat([icnsHead, ...chunks]));
console.log(`Wrote build/icon.png, build/icons/ (${SIZES.join(', ')}), build/icon.ico and build/icon.icns.`);
