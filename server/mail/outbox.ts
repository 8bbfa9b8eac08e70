// Mail leaves from an outbox (docs/architecture.md, "Mail"): a message is a row written in the same
// transaction as what it tells of, so it exists only if that commits, and no request waits for SMTP. A
// sender on every instance claims due rows one at a time (a lease, so two instances never send one row at
// once), sends, and marks each sent; a failure moves it later, doubling the wait, until it is given up.
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { SecurityEvent } from '../../shared/api.js';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG, LOGGER } from '../common/di-tokens.js';
import type { MailPolicy, ServerConfig } from '../config/config.js';
import type { Db, MailOutboxTable } from '../storage/schema.js';
import { Store, type UnitOfWork } from '../storage/store.js';
import { render, type MailData } from './templates.js';

/** How long a claimed row is left to the instance sending it before another may try. */
const LEASE_MS = 60_000;
/** Rows one look takes. */
const BATCH = 20;

/** Where a message goes and how: SMTP, or the local mailbox (a file per message and a line in the log). */
interface Delivery {
  /** `code`: the code the message carries, if any (the local mailbox names it in its log line). */
  send(message: { id: string; to: string; subject: string; text: string; html: string; code?: string | undefined }): Promise<void>;
  close(): void;
}

function smtpDelivery(url: string, from: string): Delivery {
  const transport: Transporter = nodemailer.createTransport(url);
  const domain = from.match(/@([^>\s]+)/)?.[1] ?? 'latch.invalid';
  return {
    async send({ id, to, subject, text, html }) {
      // One Message-ID per row: should a sent message be sent again (the instance died before marking it),
      // the receiving side sees the same message.
      await transport.sendMail({ from, to, subject, text, html, messageId: `<${id}@${domain}>` });
    },
    close: () => transport.close(),
  };
}

function mailboxDelivery(dir: string, from: string, log: Logger): Delivery {
  const transport: Transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send({ id, to, subject, text, html, code }) {
      const info = (await transport.sendMail({ from, to, subject, text, html, messageId: `<${id}@localhost>` })) as { message: Buffer };
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`);
      // Whole or not at all: a reader never sees half a message.
      writeFileSync(`${file}.part`, info.message, { mode: 0o600 });
      renameSync(`${file}.part`, file);
      log.info({ mail: file, to }, `mail to ${to} ("${subject}") saved in ${file}${code ? `; its code: ${code}` : ''}`);
    },
    close: () => transport.close(),
  };
}

@Injectable()
export class MailOutbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly delivery: Delivery;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(Store) private readonly store: Store,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    const { transport, from } = this.policy;
    this.delivery = transport.kind === 'smtp' ? smtpDelivery(transport.url, from) : mailboxDelivery(transport.dir, from, log);
  }

  private get policy(): MailPolicy {
    return this.config.mail;
  }

  /** The address the server listens on, once it does (PORT=0 picks one). */
  private listening: string | undefined;

  /** Told by the server once it listens: links then name the port it got, not the configured 0. */
  listensAt(url: string): void {
    this.listening = url;
  }

  /** Where links in mail point: LATCH_PUBLIC_URL, or this server's own address. */
  private get serverUrl(): string {
    return this.policy.publicUrl ?? this.listening ?? `http://${this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host}:${this.config.port}`;
  }

  onApplicationBootstrap(): void {
    if (!this.policy.queueOnly) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.delivery.close();
  }

  /** Queues a message in the caller's transaction: it leaves only if that commits, and the sender looks at once then. */
  async enqueue(unit: UnitOfWork, to: string, data: MailData, userId: string | null = null): Promise<void> {
    const now = this.clock.now();
    await unit.db
      .insertInto('mail_outbox')
      .values({ id: randomUUID(), user_id: userId, to_address: to, template: data.template, data: JSON.stringify(data), created_at: now, due_at: now, attempts: 0, claimed_until: null, sent_at: null, failed_at: null, last_error: null })
      .execute();
    if (!this.policy.queueOnly) unit.afterCommit(() => void this.wake());
  }

  /**
   * A security event to mail: added to the account's security mail not yet sent, or a new one due a
   * burst later, so a burst of events is one mail.
   */
  async security(db: Db, user: { id: string; email: string }, event: SecurityEvent): Promise<void> {
    const now = this.clock.now();
    // Two events of one account committing at once must find each other's mail: on PostgreSQL the account's
    // row is locked to the end of the transaction (SQLite runs one writer at a time already).
    await this.store.lockAccount(db, user.id);
    const open = await db
      .selectFrom('mail_outbox')
      .select(['id', 'data'])
      .where('user_id', '=', user.id)
      .where('template', '=', 'security')
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('attempts', '=', 0)
      .where('due_at', '>', now)
      .executeTakeFirst();
    if (open) {
      const data = JSON.parse(open.data) as Extract<MailData, { template: 'security' }>;
      data.events.push(event);
      // Only while still unclaimed: a sender that took it meanwhile leaves this event to a new mail.
      const { numUpdatedRows } = await db.updateTable('mail_outbox').set({ data: JSON.stringify(data) }).where('id', '=', open.id).where('attempts', '=', 0).executeTakeFirst();
      if (numUpdatedRows > 0n) return;
    }
    await db
      .insertInto('mail_outbox')
      .values({
        id: randomUUID(),
        user_id: user.id,
        to_address: user.email,
        template: 'security',
        data: JSON.stringify({ template: 'security', email: user.email, events: [event] } satisfies MailData),
        created_at: now,
        due_at: now + this.policy.burstMs,
        attempts: 0,
        claimed_until: null,
        sent_at: null,
        failed_at: null,
        last_error: null,
      })
      .execute();
  }

  /** Sends what is due now; resolves when this look is done (the next is scheduled). */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.timer);
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.sendDue();
        } catch (error) {
          // The store is unreachable, say: the next look tries again.
          this.log.warn({ err: error }, 'mail outbox: could not look for mail to send');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
      this.schedule(this.policy.pollMs);
    });
    return this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.wake(), ms);
    this.timer.unref();
  }

  private async sendDue(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const due = await this.store.db
        .selectFrom('mail_outbox')
        .selectAll()
        .where('sent_at', 'is', null)
        .where('failed_at', 'is', null)
        .where('due_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
        .orderBy('due_at')
        .limit(BATCH)
        .execute();
      for (const row of due) {
        if (this.stopped) return;
        await this.sendOne(row);
      }
      if (due.length < BATCH) return;
    }
  }

  private async sendOne(row: MailOutboxTable): Promise<void> {
    const now = this.clock.now();
    // The claim: one statement, so of two instances only one takes the row.
    const claimed = await this.store.db
      .updateTable('mail_outbox')
      .set({ claimed_until: now + LEASE_MS, attempts: row.attempts + 1 })
      .where('id', '=', row.id)
      .where('attempts', '=', row.attempts)
      .where('sent_at', 'is', null)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .returning(['data'])
      .executeTakeFirst();
    if (!claimed) return;
    const data = JSON.parse(claimed.data) as MailData;
    try {
      await this.delivery.send({ id: row.id, to: row.to_address, ...render(data, this.serverUrl), code: 'code' in data ? data.code : undefined });
    } catch (error) {
      await this.failed(row, error);
      return;
    }
    // Sent: the data (which may hold a code) is not kept.
    await this.store.db.updateTable('mail_outbox').set({ sent_at: this.clock.now(), claimed_until: null, data: '{}', last_error: null }).where('id', '=', row.id).execute();
  }

  private async failed(row: MailOutboxTable, error: unknown): Promise<void> {
    const now = this.clock.now();
    const why = error instanceof Error ? error.message : String(error);
    const attempts = row.attempts + 1;
    if (now - row.created_at >= this.policy.giveUpAfterMs) {
      this.log.error({ mailId: row.id, to: row.to_address, attempts }, `mail to ${row.to_address} given up after ${attempts} attempts: ${why}`);
      await this.store.db.updateTable('mail_outbox').set({ failed_at: now, claimed_until: null, data: '{}', last_error: why.slice(0, 500) }).where('id', '=', row.id).execute();
      return;
    }
    const wait = Math.min(this.policy.retryFirstMs * 2 ** (attempts - 1), this.policy.retryMaxMs);
    this.log.warn({ mailId: row.id, to: row.to_address, attempts }, `mail to ${row.to_address} not sent (${why}); trying again in ${Math.ceil(wait / 1000)} s`);
    await this.store.db.updateTable('mail_outbox').set({ due_at: now + wait, claimed_until: null, last_error: why.slice(0, 500) }).where('id', '=', row.id).execute();
  }

  /** Drops sent and given-up rows older than `before` (the maintenance job). */
  async purge(before: number): Promise<void> {
    await this.store.db
      .deleteFrom('mail_outbox')
      .where((eb) => eb.or([eb('sent_at', '<', before), eb('failed_at', '<', before)]))
      .execute();
  }
}
