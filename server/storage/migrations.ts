// One set of migrations for SQLite and PostgreSQL, run at start-up.
import { Migrator, sql, SqliteAdapter, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('app_version', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('idle_expires_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoke_reason', 'text')
        .addColumn('revoked_by', 'text')
        .execute();
      // Listing a user's active sessions: the partial index holds active rows only,
      // so the list stays flat however many revoked rows the table keeps.
      await db.schema
        .createIndex('sessions_active_by_user')
        .on('sessions')
        .columns(['user_id', 'last_seen_at'])
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
      // Expiry sweep (idle expiry is capped at absolute expiry, so one column serves).
      await db.schema
        .createIndex('sessions_active_by_idle_expiry')
        .on('sessions')
        .column('idle_expires_at')
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
      // Retention purge of revoked rows.
      await db.schema.createIndex('sessions_by_revoked_at').on('sessions').column('revoked_at').execute();

      await db.schema
        .createTable('security_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('target_device_name', 'text')
        .addColumn('count', 'integer')
        .execute();
      await db.schema.createIndex('security_events_by_user').on('security_events').columns(['user_id', 'at']).execute();
    },
  },
  // Attempt counters shared by every instance on the store, the time a
  // session last proved its password (recent authentication), presence
  // (until when a session holds a live connection, and on which instance),
  // and security events paged by id.
  '0002_throttle_reauth_presence': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('attempt_counters')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .addColumn('prev_at', 'bigint')
        .addColumn('reset_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('attempt_counters_by_reset_at').on('attempt_counters').column('reset_at').execute();
      await db.schema.alterTable('sessions').addColumn('reauth_at', 'bigint').execute();
      await db.schema.alterTable('sessions').addColumn('online_until', 'bigint').execute();
      await db.schema.alterTable('sessions').addColumn('online_by', 'text').execute();
      await db.schema.createIndex('security_events_by_user_id').on('security_events').columns(['user_id', 'id']).execute();
    },
  },
  // The OS a device reports at sign-in, and the list of recently signed-out
  // devices read by account and end time.
  '0003_device_os': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('os', 'text').execute();
      await db.schema.createIndex('sessions_by_user_revoked_at').on('sessions').columns(['user_id', 'revoked_at']).execute();
    },
  },
  // Token rotation (docs/architecture.md, "Token rotation"): the previous and the
  // pending token of each session by hash, the salts that derive one from the
  // other, and the older tokens, whose reuse ends the session.
  '0004_token_rotation': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('prev_token_hash', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('next_token_hash', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('rotation_nonce', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('next_nonce', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('rotated_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('sessions').addColumn('reused_from_ip', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('token_from_ip', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.updateTable('sessions' as never).set({ rotated_at: sql.ref('created_at'), token_from_ip: sql.ref('ip') } as never).execute();
      for (const column of ['prev_token_hash', 'next_token_hash']) {
        await db.schema
          .createIndex(`sessions_by_${column}`)
          .on('sessions')
          .column(column)
          .unique()
          .where(sql.ref(column), 'is not', null)
          .execute();
      }
      await db.schema
        .createTable('retired_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('retired_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('retired_tokens_by_session').on('retired_tokens').columns(['session_id', 'retired_at']).execute();
    },
  },
  '0005_sign_in_approval': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('approval_required', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable('recovery_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema.createIndex('recovery_codes_by_user').on('recovery_codes').column('user_id').execute();
      await db.schema
        .createTable('sign_in_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('choices', 'text', (c) => c.notNull())
        // A request made with a wrong password: answered like any other, shown to no device, never approved.
        .addColumn('decoy', 'integer', (c) => c.notNull())
        .addColumn('device_name', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('os', 'text')
        .addColumn('app_version', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .addColumn('decided_by_name', 'text')
        .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('sign_in_requests_by_user').on('sign_in_requests').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('sign_in_requests_by_created_at').on('sign_in_requests').column('created_at').execute();
    },
  },
  '0006_approval_hardening': {
    async up(db: Kysely<unknown>) {
      // The session that approved a request: the approval holds only while that session does.
      await db.schema.alterTable('sign_in_requests').addColumn('decided_by', 'text').execute();
      // Recovery codes are now hashed with a slow hash salted per account; the old hashes cannot be checked
      // against it. The setting shows 0 codes left, and the owner makes new ones (sign-in approval was unreleased).
      await db.deleteFrom('recovery_codes' as never).execute();
    },
  },
  '0007_browser_sessions': {
    async up(db: Kysely<unknown>) {
      // 'browser' for the account page's cookie sessions (shorter idle timeout and lifetime, never rotated), else 'app'.
      await db.schema.alterTable('sessions').addColumn('kind', 'text', (c) => c.notNull().defaultTo('app')).execute();
      await db.schema.alterTable('sign_in_requests').addColumn('kind', 'text', (c) => c.notNull().defaultTo('app')).execute();
      // Requests are counted per address (an IPv6 host by its /64), in SQL: rows made before hold their ip.
      await db.schema.alterTable('sign_in_requests').addColumn('address_key', 'text', (c) => c.notNull().defaultTo('')).execute();
      await db.updateTable('sign_in_requests' as never).set({ address_key: sql`ip` } as never).execute();
      await db.schema.createIndex('sign_in_requests_by_address').on('sign_in_requests').columns(['user_id', 'address_key', 'created_at']).execute();
    },
  },
  '0008_ended_sessions_index': {
    async up(db: Kysely<unknown>) {
      // The index by end time holds ended sessions only (the purge reads it). Over every row, SQLite took it
      // for `revoked_at IS NULL` too: without statistics it guesses an equality picks a few rows, so the
      // presence heartbeat and the expiry sweep read every active session instead of the ids (or the
      // expiry range) they named: 1.4 s a heartbeat for 7,800 devices among a million rows.
      // The new one is built first and the old one dropped last, each step safe to repeat: SQLite runs the
      // two as separate commits, and on PostgreSQL the drop's exclusive lock is then held only until the
      // commit that follows it, not through the build.
      await db.schema.createIndex('sessions_ended_by_revoked_at').ifNotExists().on('sessions').column('revoked_at').where(sql.ref('revoked_at'), 'is not', null).execute();
      await db.schema.dropIndex('sessions_by_revoked_at').ifExists().execute();
    },
  },
  // Token rotation bound to the device's claim (docs/architecture.md, "Token rotation"): how many times the
  // pending replacement has been replaced since the token became current, and the address that asked for it.
  '0009_rotation_claims': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('superseded', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('sessions').addColumn('next_from_ip', 'text').execute();
    },
  },
  // Mail (docs/architecture.md, "Mail"): the outbox, mailed codes, and what an account says about its address.
  '0010_mail': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
      await db.schema.alterTable('users').addColumn('mail_new_sign_ins', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      await db.schema
        .createTable('mail_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('claimed_until', 'bigint')
        .addColumn('sent_at', 'bigint')
        .addColumn('failed_at', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      // What is still to send, by when it is due: the sender's one query, over unsent rows only (a given-up row
      // keeps sent_at null, and is left out by failed_at; there are few).
      await db.schema
        .createIndex('mail_outbox_waiting')
        .on('mail_outbox')
        .column('due_at')
        .where(sql.ref('sent_at'), 'is', null)
        .execute();
      await db.schema.createIndex('mail_outbox_by_created').on('mail_outbox').column('created_at').execute();
      await db.schema
        .createTable('email_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('code_hash', 'text')
        .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('data', 'text')
        .execute();
      await db.schema.createIndex('email_codes_by_user').on('email_codes').columns(['user_id', 'purpose']).execute();
      await db.schema.createIndex('email_codes_by_expiry').on('email_codes').column('expires_at').execute();
    },
  },
  // A sign-in to an address with no account can be answered as one with approval on (docs/api.md, "Answers
  // that tell nothing"): such a request has no account, only the address it named. A password reset on an
  // account with approval on waits for a device's approval like a sign-in, with the new password's hash.
  // And the server's own settings, kept in its database (the key that picks which unknown addresses are
  // answered so).
  '0011_requests_without_account': {
    async up(db: Kysely<unknown>) {
      // ifNotExists: on SQLite this runs before the rebuild's transaction, and may have run before a crash in it.
      await db.schema.createTable('server_settings').ifNotExists().addColumn('name', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
      if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
        await sql`alter table sign_in_requests alter column user_id drop not null`.execute(db);
        await db.schema.alterTable('sign_in_requests').addColumn('email', 'text').execute();
        await db.schema.alterTable('sign_in_requests').addColumn('reset_password_hash', 'text').execute();
        await db.schema.createIndex('sign_in_requests_by_email').on('sign_in_requests').columns(['email', 'address_key', 'created_at']).execute();
        return;
      }
      // SQLite cannot drop a NOT NULL: the table is made again, in one transaction (nothing references it).
      await db.transaction().execute(async (trx) => {
        await trx.schema
          .createTable('sign_in_requests_next')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
          .addColumn('email', 'text')
          .addColumn('secret_hash', 'text', (c) => c.notNull())
          .addColumn('number', 'integer', (c) => c.notNull())
          .addColumn('choices', 'text', (c) => c.notNull())
          .addColumn('decoy', 'integer', (c) => c.notNull())
          .addColumn('device_name', 'text', (c) => c.notNull())
          .addColumn('platform', 'text', (c) => c.notNull())
          .addColumn('os', 'text')
          .addColumn('app_version', 'text', (c) => c.notNull())
          .addColumn('ip', 'text', (c) => c.notNull())
          .addColumn('user_agent', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('decided_at', 'bigint')
          .addColumn('decided_by_name', 'text')
          .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('decided_by', 'text')
          .addColumn('kind', 'text', (c) => c.notNull().defaultTo('app'))
          .addColumn('address_key', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('reset_password_hash', 'text')
          .execute();
        const columns = sql.raw(
          'id, user_id, secret_hash, number, choices, decoy, device_name, platform, os, app_version, ip, user_agent, created_at, expires_at, state, decided_at, decided_by_name, code_attempts, decided_by, kind, address_key',
        );
        await sql`insert into sign_in_requests_next (${columns}) select ${columns} from sign_in_requests`.execute(trx);
        await trx.schema.dropTable('sign_in_requests').execute();
        await trx.schema.alterTable('sign_in_requests_next').renameTo('sign_in_requests').execute();
        await trx.schema.createIndex('sign_in_requests_by_user').on('sign_in_requests').columns(['user_id', 'created_at']).execute();
        await trx.schema.createIndex('sign_in_requests_by_created_at').on('sign_in_requests').column('created_at').execute();
        await trx.schema.createIndex('sign_in_requests_by_address').on('sign_in_requests').columns(['user_id', 'address_key', 'created_at']).execute();
        await trx.schema.createIndex('sign_in_requests_by_email').on('sign_in_requests').columns(['email', 'address_key', 'created_at']).execute();
      });
    },
  },
  // The operator's tool (docs/operations.md, "The operator's tool"): an account the operator disabled.
  '0012_disabled_accounts': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
      // Whether any account has sign-in approval on, asked by every instance now and then (sign-in-approval.ts).
      await db.schema.createIndex('users_with_approval').on('users').column('id').where(sql.ref('approval_required'), '=', 1).execute();
    },
  },
  '0013_forgiven_wrong_pick': {
    async up(db: Kysely<unknown>) {
      // The device on which a number the new device does not show was picked, once: one more try is left.
      await db.schema.alterTable('sign_in_requests').addColumn('wrong_pick_by', 'text').execute();
      // When: a request that ends without an approval after it counts as a no (the pause after refusals).
      await db.schema.alterTable('sign_in_requests').addColumn('wrong_pick_at', 'bigint').execute();
      // When the new device last asked its devices again ("Ask my devices again"): at most once in 15 s.
      await db.schema.alterTable('sign_in_requests').addColumn('resent_at', 'bigint').execute();
    },
  },
  // How a session began and what its device did, for the device detail view (docs/architecture.md, "The renderer"). Older sessions stay null.
  '0014_signed_in_with': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('signed_in_with', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('approved_on', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('approved_by', 'text').execute();
      // A device's own recent activity, in its detail view.
      await db.schema.alterTable('security_events').addColumn('session_id', 'text').execute();
      await db.schema.createIndex('security_events_by_session').on('security_events').columns(['user_id', 'session_id', 'id']).execute();
    },
  },
  // A step-up finds the code mailed for the address and the tries at it without reading every attempt's row
  // (server/mail/codes.ts, mailedStepUp and stepUpTries; docs/performance.md, "Under attack").
  '0015_step_up_lookups': {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('email_codes_mailed_step_ups').on('email_codes').columns(['email', 'created_at']).where(sql<boolean>`purpose = 'step_up' and code_hash is not null and data like '%"mailed":true%'`).execute();
      await db.schema.createIndex('email_codes_tried_step_ups').on('email_codes').columns(['email', 'code_hash']).where(sql<boolean>`purpose = 'step_up' and tries > 0`).execute();
    },
  },
  // Codes from an authenticator app (docs/architecture.md, "Authenticator codes"): the secret sealed under the
  // server's key (server/authenticator/secret-box.ts), one being set up until a code confirms it, and the
  // last time step a code was accepted at (a code is used once).
  '0016_authenticator': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
      await db.schema.alterTable('users').addColumn('totp_enabled_at', 'bigint').execute();
      await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
      await db.schema.alterTable('users').addColumn('totp_pending', 'text').execute();
      await db.schema.alterTable('users').addColumn('totp_pending_at', 'bigint').execute();
      // The few accounts with a secret, which a server's start reads (authenticator.ts, WITH_SECRET).
      await db.schema.createIndex('users_with_authenticator').on('users').column('id').where(sql<boolean>`(totp_secret is not null or totp_pending is not null)`).execute();
    },
  },
  // Passkeys (docs/api.md, "Passkeys"): each credential's public key and sign counter; `cloned_at` when a
  // counter went back (a copied authenticator), after which it signs nothing in.
  '0017_passkeys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('passkeys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('counter', 'bigint', (c) => c.notNull())
        .addColumn('transports', 'text')
        .addColumn('device_type', 'text', (c) => c.notNull())
        .addColumn('backed_up', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('cloned_at', 'bigint')
        .execute();
      await db.schema.createIndex('passkeys_by_user').on('passkeys').columns(['user_id', 'created_at']).execute();
    },
  },
  '0018_reentered': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('reentered_at', 'bigint').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const why = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(failed ? `migration ${failed.migrationName} failed: ${why}` : `cannot migrate: ${why}`);
  }
}
