// Which Chromium the browser specs and the proxy test drive: LATCH_CHROMIUM when set, else Debian's
// chromium-headless-shell (Chromium's old headless mode: no browser window code at all), else the full
// browser. The shell idles at about a tenth of the full browser's CPU per open page on this project's
// 2-core CI machine, and the browser specs spend most of their time on Chromium's CPU (docs/architecture.md, "Tests").
import { existsSync } from 'node:fs';

export const CHROMIUM_CHOICES = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'] as const;

/**
 * The Chromium to launch: the one LATCH_CHROMIUM names, as named (a run with a wrong name fails saying so
 * rather than drive another browser), else the first of CHROMIUM_CHOICES installed, else undefined.
 * A headed run needs the full browser: LATCH_CHROMIUM=/usr/bin/chromium.
 */
export function chromiumPath(): string | undefined {
  return process.env.LATCH_CHROMIUM || CHROMIUM_CHOICES.find((path) => existsSync(path));
}
