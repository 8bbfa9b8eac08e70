// What Linux's /proc says about a process; used where the server watches its own children.
import { readFileSync } from 'node:fs';

/** CPU a process has used so far (user and system, every thread), in clock ticks (10 ms on Linux); undefined where /proc cannot tell. */
export function cpuTicks(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which may itself hold spaces and parentheses: utime and stime (proc(5), 14 and 15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
