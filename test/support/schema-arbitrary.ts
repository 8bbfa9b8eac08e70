// fast-check values drawn from a JSON Schema of docs/openapi.json: what the document says a request may
// be, so a generated-input test sends what a client generated from the document would. The subset the
// document uses: objects (strict or not), strings with lengths, patterns, formats and enums, integers and
// numbers with bounds, booleans, arrays, const, anyOf/oneOf and references to its components.
import fc from 'fast-check';
import { OPENAPI } from './contract.js';

type Schema = Record<string, any>;

function resolve(schema: Schema): Schema {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  const name = ref.replace('#/components/schemas/', '');
  const found = (OPENAPI.components.schemas as Record<string, Schema>)[name];
  if (!found) throw new Error(`no component ${ref}`);
  return resolve(found);
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = (schema.maxLength as number | undefined) ?? 80;
  const fits = (value: string) => value.length >= minLength && value.length <= maxLength;
  switch (schema.format) {
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'email':
      // Mostly plain ones, as people have; some of every shape RFC 5322 allows, which the server may refuse.
      return fc.oneof(
        { arbitrary: fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,14}[a-z0-9]$/), fc.constantFrom('example.com', 'example.org')).map(([local, domain]) => `${local}@${domain}`), weight: 3 },
        { arbitrary: fc.emailAddress(), weight: 1 },
      ).filter(fits);
    case 'uuid':
      return fc.uuid();
  }
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern as string)).filter(fits);
  return fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 80), unit: fc.constantFrom(...'abcdefghij KLMNOP0123456789-_.@é😀'.split(/(?:)/u)) });
}

/** Values the schema allows (as far as its keywords say: refinements zod keeps to itself are not in the document). */
export function arbitraryOf(input: Schema): fc.Arbitrary<unknown> {
  const schema = resolve(input);
  if ('const' in schema) return fc.constant(schema.const);
  const choices = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (choices) return fc.oneof(...choices.map(arbitraryOf));
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const shape = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, arbitraryOf(value)]));
      return fc.record(shape, { requiredKeys: (schema.required ?? []) as string[] });
    }
    case 'array':
      return fc.array(arbitraryOf((schema.items ?? {}) as Schema), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1e6, Number.MIN_SAFE_INTEGER), max: Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue();
  }
}
