// One light HTTP call for the benchmarks' own clients (node:http over a kept-alive agent),
// cheaper than fetch, so the client adds little to what is timed. Kept apart from lib.ts
// so the devices load process does not load the store and server code.
import { request, type Agent } from 'node:http';

export function send(agent: Agent, method: string, url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
