// The server's own settings kept in its database (`server_settings`), which the operator's tool changes
// while servers run: every instance reads them where they count, so a change holds at once everywhere.
import type { ServerConfig } from '../config/config.js';
import type { Db } from '../storage/schema.js';

export type Registration = { open: boolean; from: 'environment' | 'operator' | 'default' };

/** Whether sign-up is open, and who said so: LATCH_REGISTRATION, else the operator's choice, else open. */
export async function registrationOf(db: Db, config: Pick<ServerConfig, 'registration'>): Promise<Registration> {
  if (config.registration !== undefined) return { open: config.registration === 'open', from: 'environment' };
  const row = await db.selectFrom('server_settings').select('value').where('name', '=', 'registration').executeTakeFirst();
  return row ? { open: row.value === 'open', from: 'operator' } : { open: true, from: 'default' };
}

/**
 * A server records at start whether its environment sets LATCH_REGISTRATION, so the operator's tool (whose own
 * environment may differ) says what the servers do. Instances started with different values: the last wins.
 */
export async function recordRegistrationSetting(db: Db, config: Pick<ServerConfig, 'registration'>): Promise<void> {
  if (config.registration === undefined) await db.deleteFrom('server_settings').where('name', '=', 'registration_env').execute();
  else
    await db
      .insertInto('server_settings')
      .values({ name: 'registration_env', value: config.registration })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: config.registration! }))
      .execute();
}

/** LATCH_REGISTRATION as the servers were last started with it; undefined when they did not set it. */
export async function serversRegistrationSetting(db: Db): Promise<'open' | 'closed' | undefined> {
  const row = await db.selectFrom('server_settings').select('value').where('name', '=', 'registration_env').executeTakeFirst();
  return row?.value === 'open' || row?.value === 'closed' ? row.value : undefined;
}

export async function setRegistration(db: Db, open: boolean): Promise<void> {
  const value = open ? 'open' : 'closed';
  await db
    .insertInto('server_settings')
    .values({ name: 'registration', value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}
