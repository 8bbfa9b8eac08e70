// A passkey sign-in as both routes take it, the app's and the account page's: its options spend the address's
// passkey budget, and an assertion that verified gives it back (docs/design/passkeys.md). Here, beside the rate
// limits, because server/passkeys/ sits on a floor below auth/ and may not import them.
import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AuthResult, DeviceInfo, PasskeyOptions, PendingSignIn } from '../../shared/api.js';
import type { ClientInfo } from '../http/request-context.js';
import { Passkeys } from '../passkeys/passkeys.js';
import type { SessionKind } from '../storage/schema.js';
import { RateLimits } from './rate-limits.js';

@Injectable()
export class PasskeySignIns {
  constructor(
    @Inject(Passkeys) private readonly passkeys: Passkeys,
    @Inject(RateLimits) private readonly throttle: RateLimits,
  ) {}

  async options(client: ClientInfo, kind: SessionKind): Promise<PasskeyOptions> {
    await this.throttle.admitPasskey(client.ip);
    return this.passkeys.signInOptions(kind);
  }

  async signIn(id: string, response: unknown, device: DeviceInfo, client: ClientInfo, kind: SessionKind): Promise<AuthResult | PendingSignIn> {
    const result = await this.passkeys.signIn(id, response as AuthenticationResponseJSON, device, client, kind);
    // A passkey that verified is no guess: the address's passkey budget is given back.
    await this.throttle.passkeyVerified(client.ip);
    return result;
  }
}
