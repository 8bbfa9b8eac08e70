// The server's own settings kept in its database (`server_settings`), which the operator's tool changes
// while servers run: every instance reads them where they count, so a change holds at once everywhere.
// Every read and write of that table is here.
import type { ServerConfig } from '../config/config.js';
import type { Db } from './schema.js';

export type Registration = { open: boolean; from: 'environment' | 'operator' | 'default' };

async function readSetting(db: Db, name: string): Promise<string | undefined> {
  return (await db.selectFrom('server_settings').select('value').where('name', '=', name).executeTakeFirst())?.value;
}

async function writeSetting(db: Db, name: string, value: string): Promise<void> {
  await db
    .insertInto('server_settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}

/**
 * The setting `name`, made by `make` by whichever instance first needs it; every other reads the same (one
 * statement decides which: the insert that does not conflict).
 */
export async function settingMadeOnce(db: Db, name: string, make: () => string): Promise<string> {
  await db.insertInto('server_settings').values({ name, value: make() }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return (await readSetting(db, name))!;
}

/** Whether sign-up is open, and who said so: LATCH_REGISTRATION, else the operator's choice, else open. */
export async function registrationOf(db: Db, config: Pick<ServerConfig, 'registration'>): Promise<Registration> {
  if (config.registration !== undefined) return { open: config.registration === 'open', from: 'environment' };
  const value = await readSetting(db, 'registration');
  return value !== undefined ? { open: value === 'open', from: 'operator' } : { open: true, from: 'default' };
}

/**
 * A server records at start whether its environment sets LATCH_REGISTRATION, so the operator's tool (whose own
 * environment may differ) says what the servers do. Instances started with different values: the last wins.
 */
export async function recordRegistrationSetting(db: Db, config: Pick<ServerConfig, 'registration'>): Promise<void> {
  if (config.registration === undefined) await db.deleteFrom('server_settings').where('name', '=', 'registration_env').execute();
  else await writeSetting(db, 'registration_env', config.registration);
}

/** LATCH_REGISTRATION as the servers were last started with it; undefined when they did not set it. */
export async function serversRegistrationSetting(db: Db): Promise<'open' | 'closed' | undefined> {
  const value = await readSetting(db, 'registration_env');
  return value === 'open' || value === 'closed' ? value : undefined;
}

export async function setRegistration(db: Db, open: boolean): Promise<void> {
  await writeSetting(db, 'registration', open ? 'open' : 'closed');
}
