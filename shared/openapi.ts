// The OpenAPI 3.1 document of the HTTP API, made from the route table (shared/routes.ts) with zod's
// JSON Schema (docs/architecture.md, "The HTTP contract"). The server serves it at
// GET /v1/openapi.json; `npm run openapi` writes it to docs/openapi.json, and a test holds the two
// equal. Requests are described as the server takes them (zod's input), answers as it sends them.
import { z } from 'zod';
import * as api from './api.js';
import { ErrorBody, ErrorCode, LOOPBACK_COOKIE, MAX_BODY_BYTES, PAGE_HEADER, SECURE_COOKIE } from './api.js';
import { errorsOf, Routes, type Answer, type RouteSpec } from './routes.js';

type Json = Record<string, unknown>;

/**
 * Answers as components: every schema shared/api.ts names is a component of that name, and an answer
 * refers to it, so a session's shape is written once in the document as in the code.
 */
class Components {
  readonly schemas: Record<string, Json> = {};
  private readonly registry = z.registry<{ id: string }>();
  private readonly names = new Map<z.ZodType, string>();
  /** Each answer's schema once: the error shape alone is asked for some 300 times. */
  private readonly answers = new Map<z.ZodType, Json>();

  constructor() {
    for (const [name, value] of Object.entries(api)) {
      if (value instanceof z.ZodType && /^[A-Z]/.test(name) && !this.registry.has(value)) {
        this.registry.add(value, { id: name });
        this.names.set(value, name);
      }
    }
  }

  /** An answer's schema: a reference when shared/api.ts names it, its named parts as references either way. */
  answer(schema: z.ZodType): Json {
    let answer = this.answers.get(schema);
    if (!answer) this.answers.set(schema, (answer = this.make(schema)));
    return answer;
  }

  private make(schema: z.ZodType): Json {
    const { $schema: _, $defs, ...root } = z.toJSONSchema(schema, { metadata: this.registry, io: 'output', target: 'draft-2020-12', unrepresentable: 'any' }) as Json & {
      $defs?: Record<string, Json>;
    };
    for (const [name, def] of Object.entries($defs ?? {})) this.keep(name, def);
    const name = this.names.get(schema);
    if (name === undefined) return refsToComponents(root);
    // A named schema comes back as a reference to itself among the definitions, which hold it.
    if (!('$ref' in root)) this.keep(name, root);
    return { $ref: `#/components/schemas/${name}` };
  }

  private keep(name: string, def: Json): void {
    const { id: _, ...rest } = def;
    this.schemas[name] = refsToComponents(rest);
  }
}

/** `#/$defs/X`, as zod writes a reference, becomes `#/components/schemas/X`. */
const refsToComponents = (schema: Json): Json => JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;

/** A request's part as the server takes it (zod's input), written out in place. */
const inputSchemaOf = (schema: z.ZodType): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  return rest;
};

/** An error answer whose `code` is one of these. */
const errorSchema = (components: Components, codes: readonly string[]): Json => ({
  allOf: [components.answer(ErrorBody)],
  properties: { error: { properties: { code: { type: 'string', enum: [...codes] } } } },
});

function answerOf(components: Components, status: number, answer: Answer, spec: RouteSpec): Json {
  const description = `${status}${spec.cookie === 'set' && status < 300 ? '; signed in, the session is in the Set-Cookie header' : ''}`;
  if (answer === null) {
    return status === 302 ? { description: 'Redirect', headers: { Location: { schema: { type: 'string' } } } } : { description: `${description}: no body` };
  }
  if (answer === 'page') return { description, content: { 'text/html': { schema: { type: 'string' } }, 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } };
  return { description, content: { 'application/json': { schema: components.answer(answer) } } };
}

function operationOf(components: Components, name: string, spec: RouteSpec): Json {
  const parameters: Json[] = [];
  for (const [param, schema] of Object.entries(spec.params?.shape ?? {})) {
    parameters.push({ name: param, in: 'path', required: true, schema: inputSchemaOf(schema as z.ZodType) });
  }
  for (const [param, schema] of Object.entries(spec.query?.shape ?? {})) {
    const optional = (schema as z.ZodType).safeParse(undefined).success;
    parameters.push({ name: param, in: 'query', required: !optional, schema: inputSchemaOf(schema as z.ZodType) });
  }
  const responses: Json = {};
  for (const [status, answer] of Object.entries(spec.ok)) responses[status] = answerOf(components, Number(status), answer, spec);
  for (const [status, codes] of errorsOf(spec)) {
    responses[String(status)] = {
      description: codes.join(', '),
      content: { 'application/json': { schema: errorSchema(components, codes) } },
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } } } : {}),
    };
  }
  return {
    operationId: name,
    summary: spec.summary,
    ...(spec.auth === 'session' ? { security: [{ bearer: [] }, { cookie: [] }] } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: inputSchemaOf(spec.body) } } } } : {}),
    responses,
  };
}

/** The OpenAPI path of a route: `:id` becomes `{id}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');

/** The document; its version is the API's (v1), not the server's release. */
export function openApiDocument(): Json {
  const components = new Components();
  const paths: Record<string, Json> = {};
  for (const [name, spec] of Object.entries(Routes) as Array<[string, RouteSpec]>) {
    (paths[openApiPath(spec.path)] ??= {})[spec.method.toLowerCase()] = operationOf(components, name, spec);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'Latch session-sync server',
      version: '1',
      description:
        'The HTTP API of the Latch server: signing in, the account\u2019s devices, and signing them out. ' +
        `Request bodies are JSON of at most ${MAX_BODY_BYTES / 1024} KiB. Every error answers {"error": {"code", "message"}}; ` +
        `the codes are ${ErrorCode.options.length}: ${ErrorCode.options.join(', ')}. ` +
        'Live events come over a WebSocket at /v1/events (not described here): docs/api.md.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    components: {
      schemas: Object.fromEntries(Object.entries(components.schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A desktop app\u2019s session token.' },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SECURE_COOKIE,
          description: `The account page\u2019s session (${LOOPBACK_COOKIE} over plain http on loopback); a request other than GET or HEAD with it must also send the header ${PAGE_HEADER}: 1 and the page\u2019s own Origin.`,
        },
      },
    },
    paths,
  };
}
