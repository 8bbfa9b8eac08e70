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

export async function setRegistration(db: Db, open: boolean): Promise<void> {
  const value = open ? 'open' : 'closed';
  await db
    .insertInto('server_settings')
    .values({ name: 'registration', value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}
