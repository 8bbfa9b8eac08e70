// Imported first by main.ts: on a Node.js older than the server runs on, one line and exit code 1, before any
// native module (argon2, better-sqlite3) is loaded, which on the wrong Node.js could crash without a word.

/** The oldest Node.js the server runs on (README.md, "Quick start"). */
export const NODE_NEEDED = [20, 19] as const;

/** Why this Node.js cannot run the server, or undefined when it can. */
export function nodeVersionProblem(version: string, execPath = process.execPath): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  if (major > NODE_NEEDED[0] || (major === NODE_NEEDED[0] && minor >= NODE_NEEDED[1])) return undefined;
  return `Latch's server needs Node.js ${NODE_NEEDED.join('.')} or newer; this is ${version} (${execPath}). Install a newer Node.js, then run \`npm rebuild\` where Latch is installed.`;
}

const problem = nodeVersionProblem(process.version);
if (problem) {
  process.stderr.write(`latch-server: ${problem}\n`);
  process.exit(1);
}
