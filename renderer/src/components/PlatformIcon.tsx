import type { Platform } from '../../../shared/api.js';
import { messages } from '../../../shared/messages.js';
import { PLATFORM_NAMES } from '../format.js';

/**
 * A simple device glyph per kind: a browser window for a browser (on the account page), else one per
 * platform; with its name for screen readers; `decorative` where the text beside it already names it.
 */
export function PlatformIcon({ platform, browser = false, decorative = false }: { platform: Platform; browser?: boolean; decorative?: boolean }) {
  const label = browser ? messages.devices.browserKind : PLATFORM_NAMES[platform];
  const named = decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': label };
  return (
    <span className={`platform-icon ${browser ? 'platform-browser' : `platform-${platform}`}`} {...named} title={label}>
      <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
        {browser ? (
          <path d="M3 4h18a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm1 5v9h16V9zm1-3v1.5h1.5V6zm3 0v1.5h1.5V6z" fillRule="evenodd" />
        ) : platform === 'darwin' ? (
          <path d="M4 6.5A1.5 1.5 0 0 1 5.5 5h13A1.5 1.5 0 0 1 20 6.5V16H4zM2 17h20l-1 2H3z" />
        ) : platform === 'win32' ? (
          <path d="M3 5.5 10.5 4.4v7.1H3zM11.5 4.3 21 3v8.5h-9.5zM3 12.5h7.5v7.1L3 18.5zM11.5 12.5H21V21l-9.5-1.3z" />
        ) : platform === 'linux' ? (
          <path d="M3 5h18v12H3zm2 2v8h14V7zM8 19h8v2H8z M6.5 9.5l2.5 2-2.5 2-.8-.8L7.4 11.5 5.7 10.3zM10 13h4v1h-4z" fillRule="evenodd" />
        ) : (
          <path d="M7 2h10a1 1 0 0 1 1 1v18a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm1 2v14h8V4zm3 15.5h2v1h-2z" fillRule="evenodd" />
        )}
      </svg>
      <span className="platform-name">{label}</span>
    </span>
  );
}
