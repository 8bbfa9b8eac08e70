// How times, dates and devices read. Sentences come from shared/messages.ts,
// dates and times from shared/dates.ts.
import type { Location, Platform, SessionView } from '../../shared/api.js';
import { dateOf } from '../../shared/dates.js';
import { messages } from '../../shared/messages.js';

export { dateLocale, dateOf, momentOf, timeAgo, timeOf } from '../../shared/dates.js';

export const PLATFORM_NAMES: Record<Platform, string> = messages.platformNames;

/** "Ubuntu 24.04", "macOS 15.2": the OS the device sent, else its platform ("Linux"). */
export const systemOf = (device: { platform: Platform; os?: string | undefined }) => device.os || PLATFORM_NAMES[device.platform];

/** "London, United Kingdom", "This computer"; undefined when nothing is known. */
export const placeOf = (location: Location | undefined, inSentence = false) => messages.place(location, inSentence);

/** Words that tell a device from others of the same name: its system, place and when it signed in. */
export const tellApart = (session: SessionView) =>
  [systemOf(session), placeOf(session.location), messages.devices.signedInOn(dateOf(session.createdAt))].filter(Boolean).join(', ');
