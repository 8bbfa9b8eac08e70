// The words for a forced sign-out, shared by the in-app notice and the OS notification.
import type { Notice } from './ipc.js';

const defaultTime = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export function noticeTitle(notice: Notice): string {
  return notice.reason === 'expired' ? 'Session expired' : 'Signed out';
}

export function noticeText(notice: Notice, formatTime: (iso: string) => string = defaultTime): string {
  const time = formatTime(notice.at);
  switch (notice.reason) {
    case 'revoked_by_user':
      return notice.byDeviceName ? `Signed out from '${notice.byDeviceName}' at ${time}` : `Signed out from another device at ${time}`;
    case 'password_changed':
      return notice.byDeviceName
        ? `Your password was changed on another device ('${notice.byDeviceName}') at ${time}`
        : `Your password was changed on another device at ${time}`;
    case 'expired':
      return 'Your session expired. Sign in again to continue.';
    case 'evicted':
      return notice.byDeviceName
        ? `Signed out at ${time} because too many devices were signed in; '${notice.byDeviceName}' took its place`
        : `Signed out because too many devices were signed in (at ${time})`;
    case 'signed_out':
      return `This device was signed out at ${time}`;
  }
}
