import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { type Clock } from '../common/clock.js';
import { CLOCK, CONFIG, LOGGER } from '../common/di-tokens.js';
import type { ServerConfig } from '../config/config.js';
import { SignInApproval } from '../approval/sign-in-approval.js';
import { RateLimits } from '../auth/rate-limits.js';
import { EmailCodes } from '../mail/codes.js';
import { MailOutbox } from '../mail/outbox.js';
import { SecurityEventsService } from '../sessions/security-events.service.js';
import { SessionsService } from '../sessions/sessions.service.js';

/** Marks expired sessions (telling their devices), purges old sessions, security events, spent attempt counters, old sign-in requests, sent mail and ended codes, periodically. */
@Injectable()
export class MaintenanceJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(CONFIG) private readonly config: ServerConfig,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(RateLimits) private readonly throttle: RateLimits,
    @Inject(SecurityEventsService) private readonly securityEvents: SecurityEventsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SignInApproval) private readonly approval: SignInApproval,
    @Inject(MailOutbox) private readonly outbox: MailOutbox,
    @Inject(EmailCodes) private readonly codes: EmailCodes,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), this.config.maintenanceIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<void> {
    try {
      const { expired, purged } = await this.sessions.maintain();
      await this.securityEvents.purge(this.clock.now() - this.config.sessions.retentionMs);
      await this.throttle.purge();
      await this.approval.logExpired();
      await this.approval.purge();
      // Sent mail is kept a week (what left, when), ended codes a day.
      await this.outbox.purge(this.clock.now() - 7 * 24 * 60 * 60_000);
      await this.codes.purge(this.clock.now() - 24 * 60 * 60_000);
      if (expired || purged) this.log.info({ expired, purged }, 'session maintenance');
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'session maintenance failed; will retry');
    }
  }
}
