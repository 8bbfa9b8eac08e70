// Every answer the integration tests receive through kit/http.ts is held to docs/openapi.json
// (docs/architecture.md, "The HTTP contract"): its status must be one the document lists for that
// operation, and its body must match the schema listed there. The server's own schemas made the
// document, but a handler can still answer what its route never said; this is where that shows.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Reply } from '../../kit/http.js';
import { ErrorSay, type DetailRule, type ErrorDetail } from '../../shared/api.js';
import { en, fieldSaid, serverSays } from '../../shared/messages.js';

type Json = Record<string, any>;

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** The repository's document, as the server also serves it (a test holds the two equal). */
export const OPENAPI: Json = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as Json;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal paths win over templated ones: `/v1/sessions/signed-out` before `/v1/sessions/{id}`. */
  literal: boolean;
  responses: Record<string, Json>;
}

const operations: Operation[] = Object.entries(OPENAPI.paths as Record<string, Record<string, Json>>)
  .flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`),
      literal: !template.includes('{'),
      responses: operation.responses as Record<string, Json>,
    })),
  )
  .sort((a, b) => Number(b.literal) - Number(a.literal));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<Json, ValidateFunction>();
/** A schema of the document, compiled with the document's components beside it, so that its `#/components/...` references resolve. */
function validatorOf(schema: Json): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile({ ...schema, components: OPENAPI.components });
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * Every error says its sentence by key (docs/api.md, "Errors"), and its `message` is that key's English, so a
 * client in another language says exactly what an English one reads.
 */
function errorWordsBreach(error: Json | undefined): string | undefined {
  if (error === undefined || error === null || typeof error !== 'object') return undefined;
  const say = ErrorSay.safeParse(error.say);
  if (!say.success) return `an error without its sentence by key (say: ${JSON.stringify(error.say)})`;
  const english = serverSays(say.data);
  if (error.message !== english) return `its message ${JSON.stringify(error.message)} is not the English of ${say.data.key} (${JSON.stringify(english)})`;
  const details = (error.details ?? []) as Json[];
  const rules = (error.rules ?? []) as Json[];
  if (rules.length !== details.length) return `${details.length} details with ${rules.length} rules`;
  for (const [i, detail] of details.entries()) {
    const ruled = { ...(detail as ErrorDetail), ...(rules[i] as DetailRule) };
    if (ruled.rule !== undefined && detail.message !== fieldSaid(ruled, en)) return `the detail at ${detail.path} is not the English of its rule ${ruled.rule}`;
  }
  return undefined;
}

/** Why this answer breaks the document, or undefined when it keeps it. */
export function contractBreach(method: string, url: string, reply: Pick<Reply, 'status' | 'body' | 'headers'>): string | undefined {
  if (method === 'HEAD' || method === 'OPTIONS') return undefined;
  // As the server's router reads it: `/%761/...` is `/v1/...`.
  const encoded = new URL(url, 'http://x').pathname;
  let path = encoded;
  try {
    path = decodeURIComponent(encoded);
  } catch {
    // Not decodable: the router refuses it as it is.
  }
  const operation = operations.find((o) => o.method === method && o.pattern.test(path));
  const said = `${method} ${path.length > 120 ? `${path.slice(0, 120)}…` : path} answered ${reply.status}`;
  const wordsBreach = errorWordsBreach(reply.body?.error);
  if (wordsBreach) return `${said}: ${wordsBreach}`;
  if (!operation) {
    // A route the document does not have: the server's 404 (or an edge's refusal), in its error shape.
    const error = reply.body?.error;
    return reply.status >= 400 && typeof error?.code === 'string' && typeof error?.message === 'string'
      ? undefined
      : `${said}, but docs/openapi.json has no such route, and this is no error answer`;
  }
  const response = operation.responses[String(reply.status)];
  if (!response) return `${said}, which docs/openapi.json does not list for ${method} ${operation.template} (it lists ${Object.keys(operation.responses).join(', ')})`;
  const json = response.content?.['application/json']?.schema as Json | undefined;
  if (!json) return undefined;
  const validate = validatorOf(json);
  if (validate(reply.body)) return undefined;
  return `${said} with a body docs/openapi.json does not allow: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}\n${JSON.stringify(reply.body).slice(0, 600)}`;
}

/** For kit/http.ts's checks: a breach fails the request that saw it. */
export function checkAgainstOpenApi(method: string, url: string, reply: Reply): void {
  const breach = contractBreach(method, url, reply);
  if (breach) throw new Error(`The answer breaks the HTTP contract: ${breach}`);
}
