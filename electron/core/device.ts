import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { DeviceOs, platformOf, stripUnsafeText, type DeviceInfo } from '../../shared/api.js';

/** This device as the server will list it: the host name unless renamed, and its OS. */
export function deviceIdentity(options: { name?: string | undefined; appVersion: string; platform?: NodeJS.Platform; os?: string | undefined }): DeviceInfo {
  const fallback = hostname().trim() || 'This computer';
  const name = (options.name?.trim() || fallback).slice(0, 64);
  const platform = options.platform ?? process.platform;
  const os = options.os ?? osDescription({ platform, release: release(), osRelease: readOsRelease(platform) });
  return { name, platform: platformOf(platform), appVersion: options.appVersion, ...(os ? { os } : {}) };
}

function readOsRelease(platform: NodeJS.Platform): string | undefined {
  if (platform !== 'linux') return undefined;
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      // try the next place the os-release spec names
    }
  }
  return undefined;
}

/**
 * The OS name and version a person recognises: "Ubuntu 24.04" (from
 * os-release), "macOS 15.2" (from the Darwin kernel version), "Windows 11"
 * (from the build number: 22000 and later is 11). Undefined when unknown.
 */
export function osDescription(input: { platform: NodeJS.Platform; release: string; osRelease?: string | undefined }): string | undefined {
  const [major = NaN, minor = 0] = input.release.split('.').map(Number);
  let described: string | undefined;
  switch (input.platform) {
    case 'linux': {
      const field = (key: string) => new RegExp(`^${key}=("?)(.*)\\1\\s*$`, 'm').exec(input.osRelease ?? '')?.[2]?.trim();
      const name = field('NAME');
      described = name ? [name, field('VERSION_ID')].filter(Boolean).join(' ') : `Linux ${input.release}`;
      break;
    }
    case 'darwin':
      // Darwin 20–24 are macOS 11–15; Darwin 25 is macOS 26 (versions follow the year since); before 20, 10.x.
      if (major >= 25) described = `macOS ${major + 1}.${minor}`;
      else if (major >= 20) described = `macOS ${major - 9}.${minor}`;
      else if (major >= 5) described = `macOS 10.${major - 4}`;
      break;
    case 'win32': {
      const build = Number(input.release.split('.')[2]);
      if (major === 10) described = build >= 22000 ? 'Windows 11' : 'Windows 10';
      else if (input.release) described = `Windows ${input.release}`;
      break;
    }
    default:
      break;
  }
  if (!described) return undefined;
  // Cut by characters, never inside a surrogate pair; what the server would refuse is not sent at all.
  const clean = Array.from(stripUnsafeText(described).trim()).slice(0, 64).join('').trim();
  const checked = DeviceOs.safeParse(clean);
  return checked.success ? checked.data : undefined;
}
