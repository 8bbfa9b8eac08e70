import { hostname } from 'node:os';
import { platformOf, type DeviceInfo } from '../../shared/api.js';

/** This device as the server will list it: the host name unless renamed. */
export function deviceIdentity(options: { name?: string | undefined; appVersion: string; platform?: NodeJS.Platform }): DeviceInfo {
  const fallback = hostname().trim() || 'This computer';
  const name = (options.name?.trim() || fallback).slice(0, 64);
  return { name, platform: platformOf(options.platform ?? process.platform), appVersion: options.appVersion };
}
