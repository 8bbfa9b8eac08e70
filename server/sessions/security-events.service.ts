import { Inject, Injectable } from '@nestjs/common';
import type { SecurityEvent, SecurityEventType } from '../../shared/api.js';
import { platformOf } from '../../shared/api.js';
import type { Db } from '../storage/schema.js';
import { Store } from '../storage/store.js';
import { newOrderedId } from './tokens.js';

export interface SecurityEventInput {
  userId: string;
  type: SecurityEventType;
  at: number;
  deviceName: string;
  platform: string;
  ip: string;
  targetDeviceName?: string;
  count?: number;
}

const RECENT_LIMIT = 50;

/** The per-user audit trail shown as "Recent activity". */
@Injectable()
export class SecurityEventsService {
  constructor(@Inject(Store) private readonly store: Store) {}

  async record(db: Db, event: SecurityEventInput): Promise<void> {
    await db
      .insertInto('security_events')
      .values({
        id: newOrderedId(event.at),
        user_id: event.userId,
        type: event.type,
        at: event.at,
        device_name: event.deviceName,
        platform: event.platform,
        ip: event.ip,
        target_device_name: event.targetDeviceName ?? null,
        count: event.count ?? null,
      })
      .execute();
  }

  async recent(userId: string): Promise<SecurityEvent[]> {
    const rows = await this.store.db
      .selectFrom('security_events')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(RECENT_LIMIT)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      type: row.type as SecurityEventType,
      at: new Date(row.at).toISOString(),
      deviceName: row.device_name,
      platform: platformOf(row.platform),
      ip: row.ip,
      ...(row.target_device_name !== null ? { targetDeviceName: row.target_device_name } : {}),
      ...(row.count !== null ? { count: row.count } : {}),
    }));
  }
}
