import { applyDecorators, BadRequestException, createParamDecorator, HttpCode, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

const CONTRACT = Symbol('handoff:contract');

export interface ContractSpec {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  /** Extra documented answers: { 409: 'the task moved on' }. */
  errors?: Record<number, string>;
}

type JsonSchema = Record<string, unknown>;

export function toOpenApiSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function objectProperties(schema: z.ZodType): [string, JsonSchema, boolean][] {
  const json = toOpenApiSchema(schema);
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => [name, s, required.has(name)]);
}

/**
 * Declares what a route takes and answers, once: the same schemas validate the
 * request (through `@Input`) and describe the route in the OpenAPI document.
 */
export function Contract(spec: ContractSpec): MethodDecorator {
  const status = spec.status ?? 200;
  const decorators = [
    SetMetadata(CONTRACT, spec),
    HttpCode(status),
    ApiOperation({ summary: spec.summary }),
    ApiResponse({
      status,
      description: 'success',
      ...(spec.response ? { schema: toOpenApiSchema(spec.response) as never } : {}),
    }),
    ApiResponse({ status: 400, description: 'bad input; the message names the field' }),
  ];
  if (spec.body) decorators.push(ApiBody({ schema: toOpenApiSchema(spec.body) as never }));
  if (spec.query) {
    for (const [name, schema, required] of objectProperties(spec.query)) {
      decorators.push(ApiQuery({ name, required, schema: schema as never }));
    }
  }
  if (spec.params) {
    for (const [name, schema] of objectProperties(spec.params)) {
      decorators.push(ApiParam({ name, schema: schema as never }));
    }
  }
  for (const [code, description] of Object.entries(spec.errors ?? {})) {
    decorators.push(ApiResponse({ status: Number(code), description }));
  }
  return applyDecorators(...decorators);
}

/** "deadline must be in the future": the field first, then what is wrong with it. */
export function describeZodError(error: z.ZodError, part: 'body' | 'query' | 'params', input?: unknown): string {
  const issue = error.issues[0];
  if (!issue) return `${part} is invalid`;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => [...issue.path, k].join('.'));
    return `${keys.join(', ')} ${keys.length === 1 ? 'is' : 'are'} not allowed`;
  }
  const field = issue.path.length ? issue.path.map(String).join('.') : part;
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    return part === 'body' ? 'body must be a JSON object' : `${part} is invalid`;
  }
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return `${field} is required`;
  return `${field} ${issue.message}`;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function parsePart(part: 'body' | 'query' | 'params', ctx: ExecutionContext): unknown {
  const spec = Reflect.getMetadata(CONTRACT, ctx.getHandler()) as ContractSpec | undefined;
  const schema = spec?.[part];
  if (!schema) throw new Error(`@Input('${part}') used on a route whose @Contract declares no ${part} schema`);
  const req = ctx.switchToHttp().getRequest<Record<string, unknown>>();
  const raw = req[part] ?? (part === 'body' ? undefined : {});
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BadRequestException(describeZodError(parsed.error, part, raw));
  return parsed.data;
}

/** The validated body, query or path parameters of the route's `@Contract`. */
export const Input = createParamDecorator((part: 'body' | 'query' | 'params', ctx: ExecutionContext) => parsePart(part, ctx));
