import type { StateCreator } from 'zustand';
import { messages } from '../../../shared/messages.js';
import { unwrap } from '../bridge.js';
import type { DevicesSlice, LatchStore, StoreDeps } from './types.js';

export const createDevicesSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], DevicesSlice> =>
  (set, get) => {
    const loadActivity = async () => {
      const { value, error } = await unwrap(bridge.securityEvents());
      if (value) set({ activity: value.events, activityNext: value.nextBefore, activityError: undefined });
      else set({ activityError: error.message });
    };
    const empty = {
      sessions: undefined,
      activity: undefined,
      activityNext: undefined,
      activityError: undefined,
      devicesError: undefined,
      signedOut: undefined,
      signedOutError: undefined,
      revoking: {},
    } satisfies Partial<DevicesSlice>;
    return {
      ...empty,
      resetDevices: () => set(empty),
      async refreshActivity() {
        if (get().activity !== undefined) await loadActivity();
      },
      async loadDevices() {
        const [sessions] = await Promise.all([unwrap(bridge.listSessions()), loadActivity()]);
        if (sessions.value) set({ sessions: sessions.value, devicesError: undefined });
        else set({ devicesError: sessions.error.message });
      },
      setSessions(sessions) {
        // Changes made elsewhere are announced; this window's own are announced where they are made.
        const before = get().sessions;
        if (before) {
          const now = new Set(sessions.map((s) => s.id));
          const had = new Set(before.map((s) => s.id));
          const said = [
            // A device signed out because its sign-in was copied is announced with that alert.
            ...before
              .filter((s) => !now.has(s.id) && !get().copiedSignIns.some((a) => a.sessionId === s.id))
              .map((s) => messages.announce.signedOutElsewhere(s.deviceName)),
            // A new sign-in that raised an alert was announced with it.
            ...sessions.filter((s) => !had.has(s.id) && !get().newSignIns.some((a) => a.id === s.id)).map((s) => messages.announce.signedInElsewhere(s.deviceName)),
          ];
          if (said.length > 0) get().announce(said.slice(0, 3).join(' ') + (said.length > 3 ? ` (+${said.length - 3})` : ''));
        }
        set({ sessions, devicesError: undefined });
        void loadActivity();
        if (get().signedOut !== undefined) void get().loadSignedOut();
      },
      async loadSignedOut() {
        const { value, error } = await unwrap(bridge.signedOutSessions());
        if (value) set({ signedOut: value, signedOutError: undefined });
        else set({ signedOutError: error.message });
      },
      setPresence(sessionId, online) {
        const now = new Date().toISOString();
        set({ sessions: get().sessions?.map((s) => (s.id === sessionId ? { ...s, online, ...(online ? {} : { lastSeenAt: now }) } : s)) });
      },
      async revokeSession(id) {
        set({ revoking: { ...get().revoking, [id]: true } });
        const { error } = await unwrap(bridge.revokeSession(id));
        const { [id]: _done, ...rest } = get().revoking;
        set({ revoking: rest });
        if (error && error.code !== 'not_found') return error;
        const gone = get().sessions?.find((s) => s.id === id);
        set({ sessions: get().sessions?.filter((s) => s.id !== id) });
        if (gone) get().announce(messages.announce.signedOut(gone.deviceName));
        return undefined;
      },
      async revokeOtherSessions() {
        const { value, error } = await unwrap(bridge.revokeOtherSessions());
        if (value) {
          set({ sessions: get().sessions?.filter((s) => s.current) });
          get().announce(messages.announce.signedOutOthers(value.revoked));
        }
        return error;
      },
      async reauthenticate(password) {
        return (await unwrap(bridge.reauthenticate(password))).error;
      },
      async loadMoreActivity() {
        const before = get().activityNext;
        if (!before) return undefined;
        const { value, error } = await unwrap(bridge.securityEvents(before));
        // A page that arrives after the list was reloaded, or twice, adds nothing twice.
        if (value && get().activityNext === before) {
          const seen = new Set((get().activity ?? []).map((e) => e.id));
          set({ activity: [...(get().activity ?? []), ...value.events.filter((e) => !seen.has(e.id))], activityNext: value.nextBefore });
        }
        return error;
      },
      async renameDevice(name) {
        const { value, error } = await unwrap(bridge.renameDevice(name));
        if (value) {
          set({ sessions: get().sessions?.map((s) => (s.id === value.id ? value : s)) });
          get().announce(messages.announce.renamed(value.deviceName));
        }
        return error;
      },
    };
  };
