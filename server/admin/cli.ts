// `npm run admin -- <command>` here, `./latch-admin <command>` in the packed server: the operator's tool
// (docs/operations.md, "The operator's tool"). It reads the server's configuration from the same environment
// (DATABASE_URL, LATCH_DATA_DIR, …), works on the store directly, and tells running servers what it changed:
// on PostgreSQL through the bus, on SQLite through the server's operator socket (relay.ts).
import '../common/node-version.js';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import type { SecurityEvent, SessionView } from '../../shared/api.js';
import { en as messages } from '../../shared/messages.js';
import { systemClock } from '../common/clock.js';
import { ConfigError, loadConfig, type ServerConfig } from '../config/config.js';
import { SessionEventBus } from '../events/bus.js';
import type { SessionEvent } from '../events/session-events.js';
import { OperatorModule } from './operator.module.js';
import { EXIT, Operator, OperatorError, printable, type AccountSummary } from './operator.js';
import { operatorSocketPath, relay } from './relay.js';

const USAGE = `Usage: latch-admin <command> [--json]

  accounts find <email or part>         accounts whose address contains it
  sessions list <email>                 the account's active sessions
  sessions end <email> --all            sign every device of the account out
  sessions end <email> <session id>     sign one device out
  account disable <email>               sign every device out and refuse sign-in until enabled
  account enable <email>                let the account sign in again
  account codes-off <email>             turn off the account's authenticator codes (a lost phone)
  reset send <email>                    mail the account a password reset code
  events <email> [--since <when>]       the account's security events (<when>: 2026-12-01, 7d, 24h, 30m)
  registration [open | closed]          whether anyone may sign up (no argument: as it stands)

It reads the server's settings from this environment: DATABASE_URL, or LATCH_DATA_DIR for SQLite.
--json prints what it found or did as JSON. Exit codes: 0 done, 1 failed, 2 usage, 3 not found, 4 ambiguous.
See docs/operations.md, "The operator's tool".`;

interface Parsed {
  words: string[];
  json: boolean;
  all: boolean;
  since: string | undefined;
}

function parse(argv: string[]): Parsed {
  const parsed: Parsed = { words: [], json: false, all: false, since: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') parsed.json = true;
    else if (arg === '--all') parsed.all = true;
    else if (arg === '--since') parsed.since = argv[++i] ?? '';
    else if (arg.startsWith('--since=')) parsed.since = arg.slice('--since='.length);
    else if (arg === '--help' || arg === '-h') throw new OperatorError(USAGE, 0);
    // A mistyped option, not a session id (22 characters of base64url, which may begin with a dash).
    else if (/^-[a-zA-Z]$|^--[a-z][a-z-]{0,15}(=.*)?$/.test(arg)) throw new OperatorError(`unknown option ${printable(arg)}\n\n${USAGE}`, EXIT.usage);
    else parsed.words.push(arg);
  }
  return parsed;
}

/**
 * "2026-12-01", "2026-12-01 14:30" (UTC, as the tables print times, unless a zone is given), or a span back
 * from now: "7d", "24h", "30m". Nothing else: a bare number would be read as a year.
 */
function sinceOf(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const span = /^(\d+)([dhm])$/.exec(text);
  if (span) return now - Number(span[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[span[2] as 'd' | 'h' | 'm'];
  const date = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text.trim());
  const at = date ? Date.parse(`${date[1]}T${date[2] ?? '00:00'}${date[3] ?? 'Z'}`) : NaN;
  if (Number.isNaN(at)) throw new OperatorError(`--since ${printable(text)}: give a date (2026-12-01), a time in UTC (2026-12-01 14:30), or a span (30m, 24h, 7d)`, EXIT.usage);
  return at;
}

/** Columns padded to their widest cell. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

const when = (iso: string | null) => (iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
const yesNo = (value: boolean) => (value ? 'yes' : 'no');

function accountsTable(accounts: AccountSummary[]): string {
  return table(
    ['EMAIL', 'VERIFIED', 'APPROVAL', 'DISABLED', 'SESSIONS', 'LAST ACTIVE', 'CREATED', 'ID'],
    accounts.map((a) => [a.email, yesNo(a.verified), yesNo(a.approval), yesNo(a.disabled), String(a.sessions), when(a.lastActiveAt), when(a.createdAt), a.id]),
  );
}

function sessionsTable(sessions: SessionView[]): string {
  return table(
    ['SESSION ID', 'DEVICE', 'OS', 'PLACE', 'LAST ACTIVE', 'ONLINE'],
    sessions.map((s) => [
      s.id,
      s.browser ? `${s.deviceName} (browser)` : s.deviceName,
      s.os ?? messages.platformNames[s.platform],
      [messages.place(s.location), s.ip].filter(Boolean).join(', '),
      when(s.lastSeenAt),
      yesNo(s.online),
    ]),
  );
}

function eventsTable(events: SecurityEvent[]): string {
  return table(
    ['WHEN', 'WHAT', 'FROM'],
    events.map((e) => [when(e.at), messages.activity.describe(e), [messages.place(e.location), e.ip].filter(Boolean).join(', ') || '-']),
  );
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Runs one command; what to print (text or, with --json, the data). */
async function run(operator: Operator, args: Parsed, now: number): Promise<{ text: string; data: unknown }> {
  const [group, action, ...rest] = args.words;
  if (args.since !== undefined && group !== 'events') throw new OperatorError(`--since is for events only\n\n${USAGE}`, EXIT.usage);
  if (args.all && `${group} ${action}` !== 'sessions end') throw new OperatorError(`--all is for sessions end only\n\n${USAGE}`, EXIT.usage);
  const one = (what: string) => {
    if (rest.length !== 1) throw new OperatorError(`${group} ${action} takes ${what}\n\n${USAGE}`, EXIT.usage);
    return rest[0]!;
  };
  // `events` and `registration` take their argument in the action's place.
  switch (group === 'events' || group === 'registration' ? group : `${group} ${action ?? ''}`.trim()) {
    case 'accounts find': {
      const found = await operator.find(one('an email address or part of one'));
      if (found.accounts.length === 0) throw new OperatorError(`no account's address contains ${rest[0]}`, EXIT.notFound);
      return { data: found, text: accountsTable(found.accounts) + (found.more ? '\n… and more: give more of the address' : '') };
    }
    case 'sessions list': {
      const listed = await operator.sessions(one('the account’s email address'));
      const head = `${listed.account.email}: ${count(listed.sessions.length, 'active session', 'active sessions')}${listed.account.disabled ? ' (the account is disabled)' : ''}`;
      return { data: listed, text: listed.sessions.length ? `${head}\n${sessionsTable(listed.sessions)}` : head };
    }
    case 'sessions end': {
      // Exactly the address and --all, or the address and one id: anything more is a mistake, never "all".
      const [email, id] = rest;
      if (!email || (args.all ? rest.length !== 1 : rest.length !== 2 || !id?.trim())) {
        throw new OperatorError(`sessions end takes the email and either --all or one session id\n\n${USAGE}`, EXIT.usage);
      }
      const result = await operator.endSessions(email, args.all ? { all: true } : { id: id!.trim() });
      const { ended } = result;
      const text = ended.length === 0 ? `${result.email} had no active session: nothing changed` : `Signed out ${count(ended.length, 'device', 'devices')} of ${result.email}: ${ended.map((n) => `'${n}'`).join(', ')}`;
      return { data: result, text };
    }
    case 'account disable':
    case 'account enable': {
      const email = one('the account’s email address');
      const disable = action === 'disable';
      const result = await operator.setDisabled(email, disable);
      const stored = result.email;
      const text = !result.changed
        ? `${stored} was already ${disable ? 'disabled' : 'enabled'}: nothing changed`
        : disable
          ? `Disabled ${stored}: ${count(result.signedOut, 'device', 'devices')} signed out; it cannot sign in until it is enabled (account enable ${stored})`
          : `Enabled ${stored}: it can sign in again`;
      return { data: result, text };
    }
    case 'account codes-off': {
      const result = await operator.turnOffCodes(one('the account’s email address'));
      const text = result.changed
        ? `Turned off authenticator codes for ${result.email}: the password alone signs it in now${result.approval ? ' (with sign-in approval, which is on)' : ''}. The owner can set the app up again in Signed-in devices`
        : `${result.email} had no authenticator codes on: nothing changed`;
      return { data: result, text };
    }
    case 'reset send': {
      const result = await operator.sendReset(one('the account’s email address'));
      if (!result.queued) throw new OperatorError(`not sent: ${result.to} was sent 10 reset codes by the operator in the last hour; try again within the hour`, 1);
      return { data: result, text: `A reset code is queued for ${result.to}: a running server mails it within a second, and it works for 15 minutes from now` };
    }
    case 'events': {
      const email = [action, ...rest];
      if (email.length !== 1 || !email[0]) throw new OperatorError(`events takes the account’s email address\n\n${USAGE}`, EXIT.usage);
      const since = sinceOf(args.since, now);
      const listed = await operator.events(email[0], since);
      const cut = since === undefined ? '' : ` since ${when(new Date(since).toISOString())}`;
      const head = `${listed.account.email}: ${count(listed.events.length, 'event', 'events')}${cut}${listed.events.length === 1000 ? ' (the newest 1,000: narrow with --since)' : ''}`;
      return { data: listed, text: listed.events.length ? `${head}\n${eventsTable(listed.events)}` : head };
    }
    case 'registration': {
      if (rest.length > 0 || (action !== undefined && action !== 'open' && action !== 'closed')) throw new OperatorError(`registration takes open or closed\n\n${USAGE}`, EXIT.usage);
      const state = await operator.registration(action === undefined ? undefined : action === 'open');
      const said = state.open ? 'open: anyone who reaches the server may sign up' : 'closed: nobody may sign up';
      const why = state.from === 'environment' ? ', because the server was started with LATCH_REGISTRATION set, which wins over this setting' : state.from === 'default' ? ' (the default)' : '';
      const text = state.saved && state.from === 'environment' ? `Saved, but sign-up stays ${said}${why}` : `Sign-up is ${said}${why}`;
      // This shell's LATCH_REGISTRATION is not the servers': say so rather than seem to ignore it.
      const mine = process.env.LATCH_REGISTRATION;
      if (mine !== undefined) return { data: state, text: `${text}\n(LATCH_REGISTRATION=${printable(mine)} in this shell changes nothing: a server reads its own at start.)` };
      return { data: state, text };
    }
    default:
      throw new OperatorError(args.words.length === 0 ? USAGE : `unknown command: ${printable(args.words.join(' '))}\n\n${USAGE}`, EXIT.usage);
  }
}

async function main(argv: string[]): Promise<number> {
  let args: Parsed;
  let config: ServerConfig;
  try {
    args = parse(argv);
    if (args.words.length === 0) throw new OperatorError(USAGE, EXIT.usage);
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof OperatorError) return say(error.exitCode === 0 || error.message === USAGE ? error.message : `latch-admin: ${error.message}`, error.exitCode);
    if (error instanceof ConfigError) return say(`latch-admin: ${error.message}`, EXIT.usage);
    return say(`latch-admin: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
  // A mistyped data folder must not look like a server with no accounts (opening it would make a new database).
  if (config.store.kind === 'sqlite' && !existsSync(config.store.file)) {
    return say(`latch-admin: no Latch database at ${config.store.file}: set LATCH_DATA_DIR to the server's data folder (or DATABASE_URL for PostgreSQL)`, 1);
  }
  // No HTTP, metrics or mail sending here: the tool only changes the store and tells the servers.
  const toolConfig: ServerConfig = { ...config, metrics: undefined, mail: { ...config.mail, queueOnly: true } };
  const log = pino({ level: 'warn' }, pino.destination(2));
  let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>> | undefined;
  try {
    app = await NestFactory.createApplicationContext(OperatorModule.forRoot({ config: toolConfig, clock: systemClock, log }), { logger: false, abortOnError: false });
    const committed: SessionEvent[] = [];
    app.get(SessionEventBus).subscribe((signal) => {
      if (signal.kind !== 'resync') committed.push(signal);
    });
    const { text, data } = await run(app.get(Operator), args, systemClock.now());
    let note = '';
    const socket = operatorSocketPath(config);
    if (socket && committed.length > 0) {
      // SQLite: the running server hears it here; PostgreSQL's NOTIFY has reached every instance already.
      const told = await relay(socket, committed);
      if (told === 'no server') note = '\n(No server answered on this data folder: one that runs on it sees the change within a second; devices learn of it when they next reach one.)';
    }
    process.stdout.write(args.json ? `${JSON.stringify(data, null, 2)}\n` : `${text}${note}\n`);
    return 0;
  } catch (error) {
    if (error instanceof OperatorError) return say(`latch-admin: ${error.message}`, error.exitCode);
    // The store cannot be opened or reached: its one line (never a stack trace).
    return say(`latch-admin: ${error instanceof Error ? error.message : String(error)}`, 1);
  } finally {
    await app?.close().catch(() => undefined);
  }
}

function say(message: string, code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${message}\n`);
  return code;
}

process.exitCode = await main(process.argv.slice(2));
