// One light HTTP call for the benchmarks' own clients (node:http over a kept-alive agent),
// cheaper than fetch, so the client adds little to what is timed. Kept apart from lib.ts
// so the devices load process does not load the store and server code.
import { request, type Agent } from 'node:http';

/** `json`: a body to send as JSON. */
export function send(agent: Agent, method: string, url: string, token: string, json?: unknown): Promise<{ status: number; body: string }> {
  const body = json === undefined ? undefined : JSON.stringify(json);
  const headers = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
