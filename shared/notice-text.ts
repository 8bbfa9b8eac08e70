// The words for a forced sign-out, shared by the in-app notice and the OS notification.
import type { Notice } from './ipc.js';
import { timeOf } from './dates.js';
import { messages } from './messages.js';

export function noticeTitle(notice: Notice): string {
  return messages.notice.title(notice.reason);
}

export function noticeText(notice: Notice, formatTime: (iso: string) => string = timeOf): string {
  const where = notice.usedFrom ? messages.usedFrom(notice.usedFrom) : messages.place(notice.byLocation, true);
  return messages.notice.text(notice.reason, formatTime(notice.at), notice.byDeviceName, where, notice.alsoFrom && messages.usedFrom(notice.alsoFrom));
}
