import type { StateCreator } from 'zustand';
import type { SecurityEvent, SessionView } from '../../../shared/api.js';
import type { IpcError } from '../../../shared/ipc.js';
import { unwrap } from '../bridge.js';
import type { LatchStore, StoreDeps } from './index.js';

export interface DevicesSlice {
  sessions: SessionView[] | undefined;
  activity: SecurityEvent[] | undefined;
  /** Where the next, older page of activity starts; undefined when there is none. */
  activityNext: string | undefined;
  /** Why recent activity could not load, until it does. */
  activityError: string | undefined;
  devicesError: string | undefined;
  /** Session ids with a sign-out under way. */
  revoking: Record<string, boolean>;
  loadDevices(): Promise<void>;
  setSessions(sessions: SessionView[]): void;
  /** A device came online or went offline: its row changes in place, nothing is fetched. */
  setPresence(sessionId: string, online: boolean): void;
  revokeSession(id: string): Promise<IpcError | undefined>;
  revokeOtherSessions(): Promise<IpcError | undefined>;
  renameDevice(name: string): Promise<IpcError | undefined>;
  /** The password entered again, for actions that need recent authentication. */
  reauthenticate(password: string): Promise<IpcError | undefined>;
  loadMoreActivity(): Promise<IpcError | undefined>;
}

export const createDevicesSlice =
  ({ bridge }: StoreDeps): StateCreator<LatchStore, [], [], DevicesSlice> =>
  (set, get) => {
    const loadActivity = async () => {
      const { value, error } = await unwrap(bridge.securityEvents());
      if (value) set({ activity: value.events, activityNext: value.nextBefore, activityError: undefined });
      else set({ activityError: error.message });
    };
    return {
      sessions: undefined,
      activity: undefined,
      activityNext: undefined,
      activityError: undefined,
      devicesError: undefined,
      revoking: {},
      async loadDevices() {
        const [sessions] = await Promise.all([unwrap(bridge.listSessions()), loadActivity()]);
        if (sessions.value) set({ sessions: sessions.value, devicesError: undefined });
        else set({ devicesError: sessions.error.message });
      },
      setSessions(sessions) {
        set({ sessions, devicesError: undefined });
        void loadActivity();
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
        if (!error) set({ sessions: get().sessions?.filter((s) => s.id !== id) });
        return error;
      },
      async revokeOtherSessions() {
        const { error } = await unwrap(bridge.revokeOtherSessions());
        if (!error) set({ sessions: get().sessions?.filter((s) => s.current) });
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
        if (value) set({ sessions: get().sessions?.map((s) => (s.id === value.id ? value : s)) });
        return error;
      },
    };
  };
