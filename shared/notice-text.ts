// The words for a forced sign-out, shared by the in-app notice and the OS notification.
import type { Notice } from './ipc.js';
import { messages } from './messages.js';

/**
 * When, in the OS locale with its own 12- or 24-hour habit: the clock time today, with the date before today
 * (a notice read when the app opens days later must not pass for today's).
 */
export const clockTime = (iso: string, now: Date = new Date()) => {
  const at = new Date(iso);
  return at.toDateString() === now.toDateString()
    ? at.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' })
    : at.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
};

export function noticeTitle(notice: Notice): string {
  return messages.notice.title(notice.reason);
}

export function noticeText(notice: Notice, formatTime: (iso: string) => string = clockTime): string {
  const where = notice.usedFrom ? messages.usedFrom(notice.usedFrom) : messages.place(notice.byLocation, true);
  return messages.notice.text(notice.reason, formatTime(notice.at), notice.byDeviceName, where, notice.alsoFrom && messages.usedFrom(notice.alsoFrom));
}
